cg=/sys/fs/cgroup/lab/cpu
if [ ! -d $cg ]; then
  echo "FAIL: there is no cgroup $cg"
  echo "HINT: mkdir $cg"
  exit 1
fi
if [ "$(cat $cg/cpu.max)" != "20000 100000" ]; then
  echo "FAIL: $cg/cpu.max is \"$(cat $cg/cpu.max)\", not \"20000 100000\""
  echo "HINT: echo \"20000 100000\" > $cg/cpu.max"
  exit 1
fi
throttled=$(awk '$1 == "nr_throttled" { print $2 }' $cg/cpu.stat)
if [ "${throttled:-0}" -lt 1 ]; then
  echo "FAIL: lab/cpu has never been throttled (cpu.stat: nr_throttled ${throttled:-0})"
  echo "HINT: run yes inside the cgroup for a few seconds"
  exit 1
fi
if [ -n "$(cat $cg/cgroup.procs)" ]; then
  echo "FAIL: lab/cpu still holds processes: is yes still running?"
  echo "HINT: echo 1 > $cg/cgroup.kill"
  exit 1
fi
