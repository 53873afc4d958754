PID=$(docker inspect -f '{{.State.Pid}}' sleeper 2>/dev/null)
if [ -z "$PID" ] || [ "$PID" = 0 ]; then
  echo "FAIL: the container sleeper is not running"
  echo "HINT: docker run -d --name sleeper busybox sleep 100000"
  exit 1
fi
if [ ! -f shim.pid ]; then
  echo "FAIL: there is no shim.pid in $(pwd)"
  echo "HINT: awk '{print \$4}' /proc/$PID/stat > shim.pid"
  exit 1
fi
want=$(awk '{print $4}' /proc/$PID/stat)
got=$(tr -d ' \n' < shim.pid)
if [ "$got" != "$want" ]; then
  echo "FAIL: shim.pid holds '$got', but the parent of sleeper's process ($PID) is $want"
  exit 1
fi
if ! tr '\0' ' ' < /proc/$want/cmdline | grep -q shim; then
  echo "FAIL: process $want is not a containerd-shim"
  exit 1
fi
