set -e
docker run -d --name site -p 8080:80 -v /root/lab/site:/var/www/html nginx
sed -i 's#<h1>Edit me</h1>#<h1>Served from a bind mount</h1>#' site/index.html
i=0
until wget -qO- http://localhost:8080/ 2>/dev/null | grep -q 'Served from a bind mount'; do
  i=$((i + 1))
  [ $i -lt 60 ] || exit 1
  sleep 1
done
docker exec site findmnt /var/www/html
# the lesson's claim: :ro makes the mount read-only in the container
if docker run --rm -v /root/lab/site:/site:ro busybox touch /site/new.html; then exit 1; fi
exit 0
