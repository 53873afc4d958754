set -e
for c in /sys/fs/cgroup/lab/*/; do
  echo 1 > "$c/cgroup.kill"
  while [ -n "$(cat "$c/cgroup.procs")" ]; do sleep 0.2; done
  rmdir "$c"
done
rmdir /sys/fs/cgroup/lab
ls /sys/fs/cgroup
