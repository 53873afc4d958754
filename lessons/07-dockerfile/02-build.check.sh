if ! docker image inspect hello-python >/dev/null 2>&1; then
  echo "FAIL: there is no image called hello-python yet"
  echo "HINT: docker build -t hello-python . in /root/app"
  exit 1
fi
label=$(docker image inspect -f '{{index .Config.Labels "maintainer"}}' hello-python 2>/dev/null)
if [ -z "$label" ]; then
  echo "FAIL: hello-python has no maintainer label"
  echo "HINT: keep the LABEL line in the Dockerfile and build again"
  exit 1
fi
out=$(docker run --rm hello-python python3 -c 'print(6*7)' 2>&1)
if [ "$out" != 42 ]; then
  echo "FAIL: python3 does not run in hello-python: $out"
  echo "HINT: the Dockerfile must keep RUN apt-get install -y python3"
  exit 1
fi
