set -e
docker exec web sh -c 'echo Hello from inside > /usr/share/nginx/html/index.html'
wget -qO- "$(docker inspect -f '{{.NetworkSettings.IPAddress}}' web)"
