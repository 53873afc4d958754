cg=/sys/fs/cgroup/lab/pids
mkdir -p $cg
echo 20 > $cg/pids.max
sh -c 'echo $$ > /sys/fs/cgroup/lab/pids/cgroup.procs; bomb() { bomb | bomb & }; bomb' >/dev/null 2>&1 &
sleep 5
cat $cg/pids.current $cg/pids.events
echo 1 > $cg/cgroup.kill
i=0
while [ -n "$(cat $cg/cgroup.procs)" ] && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
echo "processes left: $(cat $cg/pids.current)"
