set -e
docker volume create data
docker run --rm -v data:/data busybox sh -c 'echo "kept in a volume" > /data/note.txt'
docker run --rm -v data:/data nginx findmnt /data
