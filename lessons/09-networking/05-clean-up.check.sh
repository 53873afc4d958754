if docker network inspect lab >/dev/null 2>&1; then
  users=$(docker network inspect -f '{{json .Containers}}' lab | grep -o '"Name":"[^"]*"' | cut -d'"' -f4 | tr '\n' ' ')
  echo "FAIL: the network lab is still there${users:+ (containers on it: $users)}"
  echo "HINT: docker rm -f api client outsider, then docker network rm lab"
  exit 1
fi
left=$(ip -o link | grep -o ' br-[0-9a-f]*' | tr '\n' ' ')
if [ -n "$left" ]; then
  echo "FAIL: a network bridge is left on the guest:$left"
  echo "HINT: docker network ls lists the networks; docker network rm NAME removes one"
  exit 1
fi
