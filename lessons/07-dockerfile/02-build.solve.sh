set -e
docker build -t hello-python .
docker image ls hello-python
