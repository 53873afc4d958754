cg=/sys/fs/cgroup/lab/cpu
mkdir -p $cg
echo "20000 100000" > $cg/cpu.max
sh -c 'echo $$ > /sys/fs/cgroup/lab/cpu/cgroup.procs; exec yes > /dev/null' >/dev/null 2>&1 &
a=$(awk '/^usage_usec/ { print $2 }' $cg/cpu.stat)
sleep 3
b=$(awk '/^usage_usec/ { print $2 }' $cg/cpu.stat)
echo "yes used $(( (b - a) / 30000 ))% of the CPU"
echo 1 > $cg/cgroup.kill
i=0
while [ -n "$(cat $cg/cgroup.procs)" ] && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
cat $cg/cpu.stat
