set -e
docker run -d --name scratch --tmpfs /scratch:size=1m --mount type=tmpfs,destination=/cache,tmpfs-size=4m nginx
docker exec scratch findmnt -t tmpfs
# --mount's tmpfs-size reaches the kernel too
docker exec scratch findmnt -n -o OPTIONS /cache | grep -q 'size=4096k'
# the lesson's claims: the kernel stops writes at the size, and a restart empties the tmpfs
if docker exec scratch dd if=/dev/zero of=/scratch/big bs=64k count=32; then exit 1; fi
docker restart scratch
[ -z "$(docker exec scratch ls /scratch)" ]
