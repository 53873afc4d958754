state=$(docker inspect -f '{{.State.Status}}' site 2>/dev/null)
if [ "$state" != running ]; then
  echo "FAIL: the container site is ${state:-not there}"
  echo "HINT: docker run -d --name site -p 8080:80 -v /root/lab/site:/var/www/html nginx"
  exit 1
fi
if ! docker inspect -f '{{json .Mounts}}' site | grep -q '"Type":"bind","Source":"/root/lab/site","Destination":"/var/www/html"'; then
  echo "FAIL: site does not have /root/lab/site bind-mounted at /var/www/html ($(docker inspect -f '{{json .Mounts}}' site))"
  echo "HINT: docker rm -f site, then run it again with -v /root/lab/site:/var/www/html"
  exit 1
fi
if [ ! -f site/index.html ]; then
  echo "FAIL: /root/lab/site/index.html is missing"
  echo "HINT: Reset the lesson to get the start files back"
  exit 1
fi
page=$(wget -qO- http://localhost:8080/ 2>&1)
if [ "$page" != "$(cat site/index.html)" ]; then
  echo "FAIL: http://localhost:8080/ does not serve site/index.html (it answers: $(echo "$page" | head -c 120))"
  echo "HINT: publish the port with -p 8080:80; nginx needs a few seconds to start, then Check again"
  exit 1
fi
if grep -q '<h1>Edit me</h1>' site/index.html; then
  echo "FAIL: the page is served, but its heading still says Edit me"
  echo "HINT: change the <h1> line of site/index.html in the editor and save"
  exit 1
fi
