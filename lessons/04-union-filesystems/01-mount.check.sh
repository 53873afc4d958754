line=$(grep '^[^ ]* /root/lab/merged overlay ' /proc/mounts)
if [ -z "$line" ]; then
  echo "FAIL: nothing of type overlay is mounted on /root/lab/merged"
  echo "HINT: mkdir -p upper work merged, then run the mount command"
  exit 1
fi
for want in lowerdir=/root/lab/lower upperdir=/root/lab/upper workdir=/root/lab/work; do
  case "$line" in
    *"$want"[,\ ]*) ;;
    *) echo "FAIL: the overlay on merged was mounted without $want"
       echo "HINT: umount merged, then mount again with the options from the step"
       exit 1 ;;
  esac
done
