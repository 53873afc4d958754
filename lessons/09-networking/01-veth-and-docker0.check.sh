if [ "$(docker inspect -f '{{.State.Status}}' web 2>/dev/null)" != running ]; then
  echo "FAIL: the container web is not running"
  echo "HINT: docker start web (or docker run -d --name web nginx)"
  exit 1
fi
if [ ! -s veth.txt ]; then
  echo "FAIL: there is no veth.txt in $(pwd) yet"
  echo "HINT: docker exec web cat /sys/class/net/eth0/iflink gives the index of the guest's end; ip -o link shows its name"
  exit 1
fi
idx=$(docker exec web cat /sys/class/net/eth0/iflink 2>/dev/null)
want=""
for d in /sys/class/net/*; do
  [ "$(cat "$d/ifindex")" = "$idx" ] && want=${d##*/}
done
got=$(tr -d ' \n' < veth.txt)
got=${got%%@*}
if [ "$got" != "$want" ]; then
  echo "FAIL: veth.txt says '$got', but that is not the other end of web's eth0"
  echo "HINT: web's eth0 is paired with the guest's interface number $idx: ip -o link | grep '^$idx:'"
  exit 1
fi
