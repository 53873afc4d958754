# The host keeps a queue named lab-queue; ipc-count.txt records 0 queues in a new IPC namespace.
if [ ! -e /dev/mqueue/lab-queue ]; then
  echo "FAIL: there is no POSIX message queue /dev/mqueue/lab-queue on the host"
  echo "HINT: touch /dev/mqueue/lab-queue"
  exit 1
fi
if [ ! -s ipc-count.txt ]; then
  echo "FAIL: ipc-count.txt does not exist or is empty"
  exit 1
fi
if [ "$(tr -d ' \n' < ipc-count.txt)" != 0 ]; then
  echo "FAIL: ipc-count.txt says $(cat ipc-count.txt), but a new IPC namespace has no queues"
  echo "HINT: did the command run with both --ipc and --mount, and mount a fresh mqueue?"
  exit 1
fi
