mkdir -p private
unshare --mount sh -c 'mount -t tmpfs lab-tmp /root/lab/private; echo "only in here" > /root/lab/private/note; exec sleep 100000' >/dev/null 2>&1 &
sleep 1
nsenter -t $! -m cat /root/lab/private/note
