# Some sleep must be PID 1 of a nested PID namespace (NSpid: <outer> ... 1).
for p in /proc/[0-9]*; do
  { read -r comm < "$p/comm"; } 2>/dev/null || continue
  [ "$comm" = sleep ] || continue
  while read -r key ids; do
    [ "$key" = NSpid: ] || continue
    set -- $ids
    [ $# -ge 2 ] && eval "[ \"\${$#}\" = 1 ]" && exit 0
  done < "$p/status"
done
echo "FAIL: no sleep process is PID 1 of its own PID namespace"
echo "HINT: unshare --pid --fork --mount-proc sleep 100000 &"
exit 1
