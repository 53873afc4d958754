set -e
DOCKER_BUILDKIT=0 docker build --no-cache -f Dockerfile.multi -t tiny:legacy .
docker history hello-python
