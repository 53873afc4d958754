set -e
docker exec web sh -c 'echo Hello from inside > /var/www/html/index.html'
# nginx needs a few seconds after docker run before it accepts connections in the emulator
ip=$(docker inspect -f '{{.NetworkSettings.IPAddress}}' web)
i=0
until wget -qO- "http://$ip/"; do
  i=$((i + 1))
  [ $i -lt 30 ] || exit 1
  sleep 1
done
