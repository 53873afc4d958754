line=$(grep '^[^ ]* /root/lab/image overlay ' /proc/mounts)
if [ -z "$line" ]; then
  echo "FAIL: nothing of type overlay is mounted on /root/lab/image"
  echo "HINT: mkdir -p image, then run the mount command with both layers"
  exit 1
fi
case "$line" in
  *lowerdir=/root/lab/layers/app:/root/lab/layers/base[,\ ]*) ;;
  *lowerdir=/root/lab/layers/base:/root/lab/layers/app[,\ ]*)
    echo "FAIL: the layers are upside down: the leftmost lowerdir is the top layer"
    echo "HINT: umount image, then mount with lowerdir=/root/lab/layers/app:/root/lab/layers/base"
    exit 1 ;;
  *) echo "FAIL: the overlay on image does not stack layers/app over layers/base"
     exit 1 ;;
esac
case "$line" in
  *upperdir=*) echo "FAIL: the image mount has an upper folder; an image is read-only"
     echo "HINT: mount with lowerdir only"
     exit 1 ;;
esac
