ip=$(docker inspect -f '{{.NetworkSettings.IPAddress}}' web 2>/dev/null)
if [ -z "$ip" ]; then
  echo "FAIL: the container web is not running or has no address"
  echo "HINT: start it again: docker start web"
  exit 1
fi
page=$(wget -qO- "http://$ip/" 2>&1)
case "$page" in
  *"Hello from inside"*) ;;
  *) echo "FAIL: nginx in web still serves another page"
     echo "HINT: docker exec web sh -c 'echo Hello from inside > /var/www/html/index.html'"
     exit 1 ;;
esac
