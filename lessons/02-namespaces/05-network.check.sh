# Network namespace "lab": lo up, veth-lab 10.10.0.2 up; reachable from the host.
if ! ip netns list 2>/dev/null | grep -q '^lab\b'; then
  echo "FAIL: there is no network namespace called lab"
  echo "HINT: ip netns add lab"
  exit 1
fi
if ! ip netns exec lab ip link show lo | grep -q '[<,]UP[,>]'; then
  echo "FAIL: lo is down inside the lab namespace"
  echo "HINT: ip netns exec lab ip link set lo up"
  exit 1
fi
if ! ip netns exec lab ip -4 addr show dev veth-lab 2>/dev/null | grep -q 'inet 10\.10\.0\.2/'; then
  echo "FAIL: inside lab there is no veth-lab interface with the address 10.10.0.2"
  echo "HINT: create the veth pair, move veth-lab into lab, and add 10.10.0.2/24 to it there"
  exit 1
fi
if ! ip -4 addr show dev veth-host 2>/dev/null | grep -q 'inet 10\.10\.0\.1/'; then
  echo "FAIL: the host has no veth-host interface with the address 10.10.0.1"
  exit 1
fi
if ! ping -c 1 -W 3 10.10.0.2 >/dev/null 2>&1; then
  echo "FAIL: the host cannot ping 10.10.0.2"
  echo "HINT: are both ends up? ip link set veth-host up; ip netns exec lab ip link set veth-lab up"
  exit 1
fi
