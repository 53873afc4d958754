if ! docker image inspect hello-python >/dev/null 2>&1; then
  echo "FAIL: there is no image hello-python"
  echo "HINT: build it as in the previous step"
  exit 1
fi
cmd=$(docker image inspect -f '{{json .Config.Cmd}}' hello-python)
case "$cmd" in
  *python3*) ;;
  *) echo "FAIL: hello-python's default command is $cmd, not one that runs python3"
     echo "HINT: add the CMD line at the end of the Dockerfile, save, and build with -t hello-python again"
     exit 1 ;;
esac
out=$(docker run --rm hello-python 2>&1)
if [ $? -ne 0 ] || [ -z "$out" ]; then
  echo "FAIL: docker run --rm hello-python printed nothing or failed: $out"
  echo "HINT: the CMD must print something, e.g. print('Hello from a container')"
  exit 1
fi
