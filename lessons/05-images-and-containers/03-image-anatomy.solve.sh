set -e
docker image inspect -f '{{.Id}}' nginx > nginx-id.txt
cat nginx-id.txt
