pid=$(docker inspect -f '{{.State.Pid}}' scratch 2>/dev/null)
if [ -z "$pid" ] || [ "$pid" = 0 ]; then
  echo "FAIL: there is no running container named scratch"
  echo "HINT: docker run -d --name scratch --tmpfs /scratch:size=1m nginx"
  exit 1
fi
# The kernel's own record of the container's mounts: mount point is field 5, the type follows " - ".
line=$(awk '$5 == "/scratch"' /proc/$pid/mountinfo)
case "$line" in
  *" - tmpfs "*) ;;
  "") echo "FAIL: nothing is mounted at /scratch in scratch"
      echo "HINT: docker rm -f scratch, then run it again with --tmpfs /scratch:size=1m"
      exit 1 ;;
  *) echo "FAIL: /scratch in scratch is not a tmpfs: $line"
     echo "HINT: --tmpfs /scratch:size=1m makes a tmpfs there"
     exit 1 ;;
esac
size=$(echo "$line" | sed -n 's/.*size=\([0-9]*\)k.*/\1/p')
if [ -z "$size" ] || [ "$size" -gt 1024 ]; then
  echo "FAIL: the tmpfs at /scratch has no size limit of 1 MiB or less (${size:-no size}${size:+k})"
  echo "HINT: docker rm -f scratch, then docker run -d --name scratch --tmpfs /scratch:size=1m nginx"
  exit 1
fi
