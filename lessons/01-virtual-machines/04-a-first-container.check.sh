# inside.txt must show the new hostname, the same kernel and PID 1; the real hostname is unchanged.
if [ ! -s inside.txt ]; then
  echo "FAIL: inside.txt does not exist or is empty"
  echo "HINT: run the one-line unshare command from the task"
  exit 1
fi
want="box $(uname -r) pid=1"
if [ "$(cat inside.txt)" != "$want" ]; then
  echo "FAIL: inside.txt says \"$(cat inside.txt)\"; expected \"$want\""
  echo "HINT: the sh -c part must run inside unshare --uts --pid --fork --mount-proc"
  exit 1
fi
if [ "$(hostname)" != whalebone ]; then
  echo "FAIL: the machine's own hostname is now \"$(hostname)\": it was changed outside a UTS namespace"
  echo "HINT: set it back with: hostname whalebone"
  exit 1
fi
