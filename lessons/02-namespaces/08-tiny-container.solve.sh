set -e
mkdir -p rootfs/bin rootfs/proc rootfs/tmp
cp /bin/busybox rootfs/bin/
cp -a /lib rootfs/
busybox --install -s rootfs/bin
unshare --pid --fork --mount --uts --ipc --net sh -c 'hostname tiny; exec chroot /root/lab/rootfs /bin/sh -c "mount -t proc proc /proc; exec sleep 100000"' >/dev/null 2>&1 &
sleep 2
echo "container started"
