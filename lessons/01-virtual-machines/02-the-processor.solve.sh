grep -m1 'model name' /proc/cpuinfo > cpu.txt
cat cpu.txt
