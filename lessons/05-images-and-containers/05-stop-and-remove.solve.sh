set -e
docker stop web
docker rm web
