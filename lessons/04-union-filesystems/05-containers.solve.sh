set -e
for c in c1 c2; do
  mkdir -p $c/upper $c/work $c/root
  mount -t overlay overlay -o lowerdir=/root/lab/layers/app:/root/lab/layers/base,upperdir=/root/lab/$c/upper,workdir=/root/lab/$c/work /root/lab/$c/root
  echo $c > $c/root/name.txt
done
cat c1/root/name.txt c2/root/name.txt
