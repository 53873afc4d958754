set -e
ip netns add lab
ip netns exec lab ip link set lo up
ip link add veth-host type veth peer name veth-lab
ip link set veth-lab netns lab
ip addr add 10.10.0.1/24 dev veth-host
ip link set veth-host up
ip netns exec lab ip addr add 10.10.0.2/24 dev veth-lab
ip netns exec lab ip link set veth-lab up
ping -c 2 10.10.0.2
