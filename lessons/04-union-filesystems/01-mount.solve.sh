set -e
mkdir -p upper work merged
mount -t overlay overlay -o lowerdir=/root/lab/lower,upperdir=/root/lab/upper,workdir=/root/lab/work /root/lab/merged
grep overlay /proc/mounts
