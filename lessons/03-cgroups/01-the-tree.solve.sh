set -e
mkdir -p /sys/fs/cgroup/lab
echo "+memory +pids +cpu" > /sys/fs/cgroup/lab/cgroup.subtree_control
cat /sys/fs/cgroup/lab/cgroup.subtree_control
