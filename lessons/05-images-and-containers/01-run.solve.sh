set -e
docker pull -q nginx
docker run -d --name web nginx
