if [ "$(docker inspect -f '{{.State.Status}}' outsider 2>/dev/null)" != running ]; then
  echo "FAIL: there is no running container named outsider"
  echo "HINT: docker run -d --name outsider busybox sleep 100000"
  exit 1
fi
if [ -z "$(docker inspect -f '{{.NetworkSettings.Networks.bridge.IPAddress}}' outsider | grep -v 'no value')" ]; then
  echo "FAIL: outsider is not on the default network (the task starts it there)"
  echo "HINT: docker rm -f outsider, then docker run -d --name outsider busybox sleep 100000"
  exit 1
fi
page=$(timeout 15 docker exec outsider wget -qO- http://api/ 2>&1)
case "$page" in
  *"Welcome to nginx"*) ;;
  *) echo "FAIL: outsider cannot fetch http://api/: $(echo "$page" | head -c 100)"
     echo "HINT: docker network connect lab outsider"
     exit 1 ;;
esac
