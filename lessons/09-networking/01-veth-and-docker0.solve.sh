set -e
idx=$(docker exec web cat /sys/class/net/eth0/iflink)
ip -o link | grep "^$idx:" | sed 's/^[0-9]*: \([^@:]*\).*/\1/' > veth.txt
cat veth.txt
bridge link | grep -q "^$idx: $(cat veth.txt)@.* master docker0"
