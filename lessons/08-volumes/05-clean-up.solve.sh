set -e
docker run --name reader -v data:/data busybox cat /data/note.txt
# the lesson's claim: a stopped container still holds its volume
if docker volume rm data; then exit 1; fi
docker run --name anon -v /cache busybox touch /cache/junk
docker rm -f site scratch
docker system prune -f
[ "$(docker volume ls -q | wc -l)" = 2 ]
docker volume prune -f
[ "$(docker volume ls -q)" = data ]
docker volume prune -a -f
