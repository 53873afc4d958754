if [ ! -f pid.txt ]; then
  echo "FAIL: there is no pid.txt in $(pwd)"
  echo "HINT: docker inspect -f '{{.State.Pid}}' web > pid.txt"
  exit 1
fi
want=$(docker inspect -f '{{.State.Pid}}' web 2>/dev/null)
got=$(tr -d ' \n' < pid.txt)
if [ -z "$want" ] || [ "$want" = 0 ]; then
  echo "FAIL: the container web is not running"
  echo "HINT: docker start web"
  exit 1
fi
if [ "$got" != "$want" ]; then
  echo "FAIL: pid.txt holds '$got', but web's process is $want on the guest"
  echo "HINT: the PID inside the container is 1; you need the guest's: docker inspect -f '{{.State.Pid}}' web"
  exit 1
fi
