if docker inspect web >/dev/null 2>&1; then
  echo "FAIL: the container web still exists ($(docker inspect -f '{{.State.Status}}' web))"
  echo "HINT: docker stop web, then docker rm web"
  exit 1
fi
