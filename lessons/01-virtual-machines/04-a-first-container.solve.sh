unshare --uts --pid --fork --mount-proc sh -c 'hostname box; echo "$(hostname) $(uname -r) pid=$$" > inside.txt'
cat inside.txt
