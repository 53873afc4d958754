mkdir -p private
unshare --mount sh -c 'mount -t tmpfs lab-tmp /root/lab/private; echo "only in here" > /root/lab/private/note; exec sleep 100000' >/dev/null 2>&1 &
# the background shell writes the note in its own time: wait for it rather than a fixed second
i=0
until nsenter -t $! -m test -e /root/lab/private/note; do
  i=$((i+1)); [ $i -lt 100 ] || { echo "the note never appeared" >&2; exit 1; }
  sleep 0.2
done
nsenter -t $! -m cat /root/lab/private/note
