set -e
mkdir -p image
mount -t overlay overlay -o lowerdir=/root/lab/layers/app:/root/lab/layers/base /root/lab/image
cat image/etc/os-release
