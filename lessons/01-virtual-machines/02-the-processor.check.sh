# cpu.txt must hold the model name line of /proc/cpuinfo.
if [ ! -s cpu.txt ]; then
  echo "FAIL: cpu.txt does not exist or is empty"
  echo "HINT: grep -m1 'model name' /proc/cpuinfo > cpu.txt"
  exit 1
fi
want=$(grep -m1 'model name' /proc/cpuinfo)
if [ "$(head -n1 cpu.txt)" != "$want" ]; then
  echo "FAIL: cpu.txt does not hold the 'model name' line of /proc/cpuinfo"
  echo "HINT: the line should read: $want"
  exit 1
fi
