cg=/sys/fs/cgroup/lab
if [ ! -d $cg ]; then
  echo "FAIL: there is no cgroup $cg"
  echo "HINT: mkdir $cg"
  exit 1
fi
for c in memory pids cpu; do
  if ! grep -qw $c $cg/cgroup.subtree_control; then
    echo "FAIL: the $c controller is not enabled for lab's children (see $cg/cgroup.subtree_control)"
    echo "HINT: echo \"+memory +pids +cpu\" > $cg/cgroup.subtree_control"
    exit 1
  fi
done
