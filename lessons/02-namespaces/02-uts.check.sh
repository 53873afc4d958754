# Some process must live in a UTS namespace other than init's, with hostname "lab".
host=$(readlink /proc/1/ns/uts)
for p in /proc/[0-9]*; do
  ns=$(readlink "$p/ns/uts" 2>/dev/null) || continue
  [ "$ns" = "$host" ] && continue
  if [ "$(nsenter -t "${p#/proc/}" -u hostname 2>/dev/null)" = lab ]; then
    if [ "$(hostname)" != whalebone ]; then
      echo "FAIL: the machine's own hostname is now \"$(hostname)\""
      echo "HINT: set it back with: hostname whalebone"
      exit 1
    fi
    exit 0
  fi
done
echo "FAIL: no running process is in a UTS namespace named lab"
echo "HINT: unshare --uts sh -c 'hostname lab; exec sleep 100000' &"
exit 1
