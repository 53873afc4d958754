set -e
if docker network rm lab; then exit 1; fi
docker rm -f api client outsider
docker network rm lab
ip -br link
