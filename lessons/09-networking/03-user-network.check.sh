if ! docker network inspect lab >/dev/null 2>&1; then
  echo "FAIL: there is no network named lab"
  echo "HINT: docker network create lab"
  exit 1
fi
for c in api client; do
  if [ "$(docker inspect -f '{{.State.Status}}' $c 2>/dev/null)" != running ]; then
    echo "FAIL: the container $c is not running"
    [ $c = api ] && echo "HINT: docker run -d --name api --network lab nginx"
    [ $c = client ] && echo "HINT: docker run -d --name client --network lab busybox sleep 100000"
    exit 1
  fi
  if [ -z "$(docker inspect -f '{{.NetworkSettings.Networks.lab.IPAddress}}' $c 2>/dev/null | grep -v 'no value')" ]; then
    echo "FAIL: the container $c is not on the network lab"
    echo "HINT: start it with --network lab (or docker network connect lab $c)"
    exit 1
  fi
done
page=$(timeout 15 docker exec client wget -qO- http://api/ 2>&1)
case "$page" in
  *"Welcome to nginx"*) ;;
  *) echo "FAIL: client cannot fetch http://api/ yet: $(echo "$page" | head -c 100)"
     echo "HINT: nginx in api needs a few seconds to start: Check again"
     exit 1 ;;
esac
