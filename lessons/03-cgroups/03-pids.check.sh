cg=/sys/fs/cgroup/lab/pids
if [ ! -d $cg ]; then
  echo "FAIL: there is no cgroup $cg"
  echo "HINT: mkdir $cg"
  exit 1
fi
if [ "$(cat $cg/pids.max)" != 20 ]; then
  echo "FAIL: $cg/pids.max is $(cat $cg/pids.max), not 20"
  echo "HINT: echo 20 > $cg/pids.max"
  exit 1
fi
hits=$(awk '$1 == "max" { print $2 }' $cg/pids.events)
if [ "${hits:-0}" -lt 1 ]; then
  echo "FAIL: the pids limit has not stopped any fork yet (pids.events: max ${hits:-0})"
  echo "HINT: run the commands that start processes inside lab/pids"
  exit 1
fi
if [ -n "$(cat $cg/cgroup.procs)" ]; then
  echo "FAIL: lab/pids still holds $(wc -l < $cg/cgroup.procs) processes"
  echo "HINT: echo 1 > $cg/cgroup.kill"
  exit 1
fi
