# Some process must live in a UTS namespace other than init's, with hostname "lab".
# Builtins only in the loop ([ -ef ] compares namespace identities): a fork per process is slow.
read -r host < /proc/sys/kernel/hostname
if [ "$host" != whalebone ]; then
  echo "FAIL: the machine's own hostname is now \"$host\": it was changed outside a UTS namespace"
  echo "HINT: set it back with: hostname whalebone"
  exit 1
fi
for p in /proc/[0-9]*; do
  [ -e "$p/ns/uts" ] || continue
  [ "$p/ns/uts" -ef /proc/1/ns/uts ] && continue
  [ "$(nsenter -t "${p#/proc/}" -u hostname 2>/dev/null)" = lab ] && exit 0
done
echo "FAIL: no running process is in a UTS namespace named lab"
echo "HINT: unshare --uts sh -c 'hostname lab; exec sleep 100000' &"
exit 1
