set -e
ID=$(docker inspect -f '{{.Id}}' diary)
ls /var/lib/docker/overlay2/$ID/diff
docker rm -f diary
if docker run --rm busybox cat /diary.txt; then exit 1; fi
exit 0
