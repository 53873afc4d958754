# Some sleep must be PID 1 of a nested PID namespace.
for p in /proc/[0-9]*; do
  [ "$(cat "$p/comm" 2>/dev/null)" = sleep ] || continue
  nspid=$(grep '^NSpid:' "$p/status" 2>/dev/null | cut -f2-)
  set -- $nspid
  [ $# -ge 2 ] || continue
  eval "inner=\${$#}"
  [ "$inner" = 1 ] && exit 0
done
echo "FAIL: no sleep process is PID 1 of its own PID namespace"
echo "HINT: unshare --pid --fork --mount-proc sleep 100000 &"
exit 1
