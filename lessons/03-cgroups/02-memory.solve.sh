mkdir -p /sys/fs/cgroup/lab/mem
echo 16M > /sys/fs/cgroup/lab/mem/memory.max
sh -c 'echo $$ > /sys/fs/cgroup/lab/mem/cgroup.procs; exec dd if=/dev/zero of=/dev/null bs=32M count=1'
echo "exit status: $?"
cat /sys/fs/cgroup/lab/mem/memory.events
