cg=/sys/fs/cgroup/lab/mem
if [ ! -d $cg ]; then
  echo "FAIL: there is no cgroup $cg"
  echo "HINT: mkdir $cg"
  exit 1
fi
if [ "$(cat $cg/memory.max)" != 16777216 ]; then
  echo "FAIL: $cg/memory.max is $(cat $cg/memory.max), not 16 MiB (16777216)"
  echo "HINT: echo 16M > $cg/memory.max"
  exit 1
fi
kills=$(awk '$1 == "oom_kill" { print $2 }' $cg/memory.events)
if [ "${kills:-0}" -lt 1 ]; then
  echo "FAIL: nothing has been OOM-killed in lab/mem yet (memory.events: oom_kill ${kills:-0})"
  echo "HINT: run the dd command: it must start inside the cgroup"
  exit 1
fi
