if ! docker image inspect tiny:legacy >/dev/null 2>&1; then
  echo "FAIL: there is no image tiny:legacy yet"
  echo "HINT: DOCKER_BUILDKIT=0 docker build --no-cache -f Dockerfile.multi -t tiny:legacy ."
  exit 1
fi
