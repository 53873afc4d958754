if ! docker image inspect tiny >/dev/null 2>&1; then
  echo "FAIL: there is no image tiny yet"
  echo "HINT: docker build -f Dockerfile.multi -t tiny ."
  exit 1
fi
out=$(docker run --rm tiny 2>&1)
case "$out" in
  *"hello from a tiny image"*) ;;
  *) echo "FAIL: docker run --rm tiny printed: $out"
     echo "HINT: build it from Dockerfile.multi as it is"
     exit 1 ;;
esac
if docker run --rm tiny test -e /usr/bin/apt-get 2>/dev/null; then
  echo "FAIL: tiny contains apt-get: it was not built from the busybox stage"
  echo "HINT: build with -f Dockerfile.multi"
  exit 1
fi
