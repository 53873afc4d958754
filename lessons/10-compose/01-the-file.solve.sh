set -e
sed -i 's#image: mysql:5.7#image: mariadb:10.11#' docker-compose.yml
docker compose config --images
