set -e
docker network create lab
docker run -d --name api --network lab nginx
docker run -d --name client --network lab busybox sleep 100000
i=0
until docker exec client wget -qO- http://api/ 2>/dev/null | grep -q 'Welcome to nginx'; do
  i=$((i + 1))
  [ $i -lt 60 ] || exit 1
  sleep 1
done
# the lesson's claims: the embedded DNS in client's namespace, none on the default bridge
docker exec client cat /etc/resolv.conf | grep -q '^nameserver 127.0.0.11$'
docker exec client netstat -uln | grep -q '127.0.0.11:53 '
if docker run --rm busybox nslookup api; then exit 1; fi
exit 0
