set -e
docker inspect -f '{{.State.Pid}}' web > pid.txt
cat pid.txt
