unshare --user sleep 100000 >/dev/null 2>&1 &
sleep 1
echo '0 1000 1' > /proc/$!/uid_map
cat /proc/$!/uid_map
