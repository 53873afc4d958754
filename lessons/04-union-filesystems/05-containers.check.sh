for c in c1 c2; do
  line=$(grep "^[^ ]* /root/lab/$c/root overlay " /proc/mounts)
  if [ -z "$line" ]; then
    echo "FAIL: nothing of type overlay is mounted on /root/lab/$c/root"
    echo "HINT: run the for loop that mounts both containers"
    exit 1
  fi
  case "$line" in
    *lowerdir=/root/lab/layers/app:/root/lab/layers/base,*upperdir=/root/lab/$c/upper,*) ;;
    *) echo "FAIL: $c/root is not mounted with the image's layers below and $c/upper on top"
       exit 1 ;;
  esac
  if [ "$(cat $c/root/name.txt 2>/dev/null)" != $c ]; then
    echo "FAIL: $c/root/name.txt should contain $c"
    echo "HINT: echo $c > $c/root/name.txt"
    exit 1
  fi
  if [ ! -f $c/upper/name.txt ]; then
    echo "FAIL: $c/upper has no name.txt: write it through $c/root"
    exit 1
  fi
done
if [ -e layers/app/name.txt ] || [ -e layers/base/name.txt ]; then
  echo "FAIL: name.txt ended up in an image layer; layers must stay unchanged"
  exit 1
fi
