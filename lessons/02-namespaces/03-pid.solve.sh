unshare --pid --fork --mount-proc sleep 100000 >/dev/null 2>&1 &
sleep 1
for p in /proc/[0-9]*; do
  [ "$(cat "$p/comm" 2>/dev/null)" = sleep ] && grep NSpid "$p/status"
done
true
