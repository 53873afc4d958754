if [ ! -f nginx-id.txt ]; then
  echo "FAIL: there is no nginx-id.txt in $(pwd)"
  echo "HINT: docker image inspect -f '{{.Id}}' nginx > nginx-id.txt"
  exit 1
fi
want=$(docker image inspect -f '{{.Id}}' nginx)
got=$(tr -d ' \n' < nginx-id.txt)
if [ "$got" != "$want" ]; then
  echo "FAIL: nginx-id.txt holds '$got', not nginx's image ID"
  echo "HINT: the ID starts with sha256: and has 64 hex digits; docker image inspect -f '{{.Id}}' nginx"
  exit 1
fi
