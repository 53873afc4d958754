# my-namespaces.txt must list the initial namespaces (those of PID 1), one per line.
if [ ! -s my-namespaces.txt ]; then
  echo "FAIL: my-namespaces.txt does not exist or is empty"
  echo "HINT: for f in /proc/\$\$/ns/*; do readlink \$f; done > my-namespaces.txt"
  exit 1
fi
nl='
'
saved="$nl$(cat my-namespaces.txt)$nl"
for kind in ipc mnt net pid user uts; do
  want=$(readlink /proc/1/ns/$kind)
  case "$saved" in
    *"$nl$want$nl"*) ;;
    *) echo "FAIL: my-namespaces.txt has no line \"$want\" (the $kind namespace)"
       echo "HINT: run the readlink loop from your login shell, not inside unshare"
       exit 1 ;;
  esac
done
