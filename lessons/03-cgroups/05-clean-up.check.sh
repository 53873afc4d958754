if [ -d /sys/fs/cgroup/lab ]; then
  left=$(ls -d /sys/fs/cgroup/lab/*/ 2>/dev/null | wc -l)
  echo "FAIL: /sys/fs/cgroup/lab still exists ($left child cgroups)"
  echo "HINT: rmdir the children (mem, pids, cpu) first, then lab"
  exit 1
fi
