# A sleep that is PID 1 of its own PID namespace, rooted at /root/lab/rootfs, in new
# mount/UTS/IPC/net namespaces, with hostname "tiny".
if [ ! -x rootfs/bin/busybox ]; then
  echo "FAIL: there is no rootfs/bin/busybox in $(pwd)"
  echo "HINT: build the root folder first (the first code block of this step)"
  exit 1
fi
found=""
for p in /proc/[0-9]*; do
  { read -r comm < "$p/comm"; } 2>/dev/null || continue
  [ "$comm" = sleep ] || continue
  # A root in another mount namespace may read with a prefix; match the end of the path.
  case "$(readlink "$p/root" 2>/dev/null)" in */root/lab/rootfs) ;; *) continue ;; esac
  found=${p#/proc/}
  break
done
if [ -z "$found" ]; then
  echo "FAIL: no sleep process runs with /root/lab/rootfs as its root"
  echo "HINT: run the last command of the step, with the & at the end"
  exit 1
fi
for kind in pid mnt uts ipc net; do
  if [ /proc/$found/ns/$kind -ef /proc/1/ns/$kind ]; then
    echo "FAIL: the container's sleep (PID $found) shares the host's $kind namespace"
    echo "HINT: unshare needs --pid --fork --mount --uts --ipc --net"
    exit 1
  fi
done
set -- $(grep '^NSpid:' /proc/$found/status | cut -f2-)
eval "inner=\${$#}"
if [ "$inner" != 1 ]; then
  echo "FAIL: the container's sleep is PID $inner inside its namespace, not PID 1"
  echo "HINT: exec replaces the shell with the next program, so sleep keeps PID 1"
  exit 1
fi
if [ "$(nsenter -t "$found" -u hostname)" != tiny ]; then
  echo "FAIL: the container's hostname is \"$(nsenter -t "$found" -u hostname)\", not tiny"
  exit 1
fi
