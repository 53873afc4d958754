# A process must see a tmpfs "lab-tmp" on /root/lab/private that the host does not see.
while read -r src dst type rest; do
  if [ "$dst" = /root/lab/private ]; then
    echo "FAIL: /root/lab/private is mounted on the host itself; it should be only in the new mount namespace"
    echo "HINT: unmount it here with: umount /root/lab/private, then use unshare --mount"
    exit 1
  fi
done < /proc/mounts
for p in /proc/[0-9]*; do
  [ -e "$p/ns/mnt" ] || continue
  [ "$p/ns/mnt" -ef /proc/1/ns/mnt ] && continue
  { while read -r src dst type rest; do
      [ "$src $dst $type" = "lab-tmp /root/lab/private tmpfs" ] && exit 0
    done < "$p/mounts"; } 2>/dev/null
done
echo "FAIL: no running process has a tmpfs called lab-tmp mounted on /root/lab/private"
echo "HINT: mkdir -p private, then run the unshare --mount line from the step"
exit 1
