unshare --uts sh -c 'hostname lab; exec sleep 100000' >/dev/null 2>&1 &
sleep 1
nsenter -t $! -u hostname
