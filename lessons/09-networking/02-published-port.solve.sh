set -e
docker rm -f web
docker run -d --name web -p 8080:80 nginx
i=0
until wget -qO- http://localhost:8080/ 2>/dev/null | grep -q 'Welcome to nginx'; do
  i=$((i + 1))
  [ $i -lt 60 ] || exit 1
  sleep 1
done
# the lesson's claims: no process listens on 8080, and nginx logs the client's real address
if netstat -tln | grep -q ':8080 '; then exit 1; fi
me=$(ip -4 -o addr show eth0 | awk '{print $4}' | cut -d/ -f1)
wget -qO- "http://$me:8080/" >/dev/null
wget -qO- http://localhost:8080/ >/dev/null
docker logs web 2>&1 | tail -2 | head -1 | grep -q "^$me "
docker logs web 2>&1 | tail -1 | grep -q '^172\.17\.0\.1 '
