set -e
docker run -d --name scratch --tmpfs /scratch:size=1m --mount type=tmpfs,destination=/cache nginx
docker exec scratch findmnt -t tmpfs
# the lesson's claims: the kernel stops writes at the size, and a restart empties the tmpfs
if docker exec scratch dd if=/dev/zero of=/scratch/big bs=64k count=32; then exit 1; fi
docker restart scratch
[ -z "$(docker exec scratch ls /scratch)" ]
