set -e
docker build -f Dockerfile.multi -t tiny .
docker run --rm tiny
