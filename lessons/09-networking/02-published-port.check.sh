if [ "$(docker inspect -f '{{.State.Status}}' web 2>/dev/null)" != running ]; then
  echo "FAIL: there is no running container named web"
  echo "HINT: docker run -d --name web -p 8080:80 nginx"
  exit 1
fi
ports=$(docker port web 80/tcp 2>/dev/null)
case "$ports" in
  *:8080*) ;;
  *) echo "FAIL: web does not publish its port 80 on 8080 (docker port web says: ${ports:-nothing})"
     echo "HINT: ports are set at creation: docker rm -f web, then docker run -d --name web -p 8080:80 nginx"
     exit 1 ;;
esac
page=$(wget -qO- http://localhost:8080/ 2>&1)
case "$page" in
  *"Welcome to nginx"*) ;;
  *) echo "FAIL: http://localhost:8080/ does not answer with nginx's page yet ($(echo "$page" | head -c 100))"
     echo "HINT: nginx takes a few seconds to start in the emulator: Check again"
     exit 1 ;;
esac
