left=$(docker ps -a --format '{{.Names}}' | tr '\n' ' ')
if [ -n "$left" ]; then
  echo "FAIL: containers are left: $left"
  echo "HINT: docker rm -f $left"
  exit 1
fi
vols=$(docker volume ls -q | tr '\n' ' ')
if [ -n "$vols" ]; then
  echo "FAIL: volumes are left: $vols"
  echo "HINT: docker volume prune -a -f removes every volume no container uses"
  exit 1
fi
if ! docker image inspect nginx >/dev/null 2>&1; then
  echo "FAIL: the nginx image is gone too (the task keeps the images)"
  echo "HINT: docker pull nginx"
  exit 1
fi
