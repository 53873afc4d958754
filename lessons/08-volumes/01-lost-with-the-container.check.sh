if docker inspect diary >/dev/null 2>&1; then
  echo "FAIL: the container diary still exists ($(docker inspect -f '{{.State.Status}}' diary))"
  echo "HINT: docker rm -f diary"
  exit 1
fi
