mp=$(docker volume inspect -f '{{.Mountpoint}}' data 2>/dev/null)
if [ -z "$mp" ]; then
  echo "FAIL: there is no volume named data"
  echo "HINT: docker volume create data (or let docker run -v data:/data create it)"
  exit 1
fi
if [ ! -s "$mp/note.txt" ]; then
  echo "FAIL: the volume data has no note.txt with something in it ($mp is: $(ls "$mp" | tr '\n' ' '))"
  echo "HINT: docker run --rm -v data:/data busybox sh -c 'echo kept > /data/note.txt'"
  exit 1
fi
for id in $(docker ps -aq); do
  if docker inspect -f '{{json .Mounts}}' "$id" | grep -q '"Name":"data"'; then
    echo "FAIL: the container $(docker inspect -f '{{.Name}}' "$id" | tr -d /) still uses the volume data"
    echo "HINT: remove it (docker rm -f NAME): the note stays in the volume"
    exit 1
  fi
done
