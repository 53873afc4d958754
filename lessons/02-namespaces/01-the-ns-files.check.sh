# my-namespaces.txt must list the initial namespaces (those of PID 1), one per line.
if [ ! -s my-namespaces.txt ]; then
  echo "FAIL: my-namespaces.txt does not exist or is empty"
  echo "HINT: for f in /proc/\$\$/ns/*; do readlink \$f; done > my-namespaces.txt"
  exit 1
fi
for kind in ipc mnt net pid user uts; do
  want=$(readlink /proc/1/ns/$kind)
  if ! grep -qFx "$want" my-namespaces.txt; then
    echo "FAIL: my-namespaces.txt has no line \"$want\" (the $kind namespace)"
    echo "HINT: run the readlink command from your login shell, not inside unshare"
    exit 1
  fi
done
