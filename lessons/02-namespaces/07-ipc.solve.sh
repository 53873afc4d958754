touch /dev/mqueue/lab-queue
unshare --ipc --mount sh -c 'mount -t mqueue none /dev/mqueue; ls -A /dev/mqueue | wc -l' > ipc-count.txt
cat ipc-count.txt
