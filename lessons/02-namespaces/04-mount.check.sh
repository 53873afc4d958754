# A process must see a tmpfs "lab-tmp" on /root/lab/private that the host does not see.
if grep -q ' /root/lab/private ' /proc/mounts; then
  echo "FAIL: /root/lab/private is mounted on the host itself; it should be only in the new mount namespace"
  echo "HINT: unmount it here with: umount /root/lab/private, then use unshare --mount"
  exit 1
fi
for p in /proc/[0-9]*; do
  if grep -q '^lab-tmp /root/lab/private tmpfs' "$p/mounts" 2>/dev/null; then
    exit 0
  fi
done
echo "FAIL: no running process has a tmpfs called lab-tmp mounted on /root/lab/private"
echo "HINT: mkdir -p private, then run the unshare --mount line from the step"
exit 1
