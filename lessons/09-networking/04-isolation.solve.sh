set -e
docker run -d --name outsider busybox sleep 100000
# the lesson's claims: dropped by address, unknown by name, before the connect
API=$(docker inspect -f '{{.NetworkSettings.Networks.lab.IPAddress}}' api)
if docker exec outsider ping -c 2 -W 2 "$API"; then exit 1; fi
if docker exec outsider nslookup api; then exit 1; fi
docker network connect lab outsider
docker exec outsider ip -o -f inet addr | grep -q eth1
docker exec outsider wget -qO- http://api/ | grep title
