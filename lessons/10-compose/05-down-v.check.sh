left=$(docker ps -aq --filter label=com.docker.compose.project=wordpress)
if [ -n "$left" ]; then
  echo "FAIL: the project still has containers: $(docker ps -a --filter label=com.docker.compose.project=wordpress --format '{{.Names}}' | tr '\n' ' ')"
  echo "HINT: docker compose down -v"
  exit 1
fi
if docker network inspect wordpress_default >/dev/null 2>&1; then
  echo "FAIL: the network wordpress_default is still there"
  echo "HINT: docker compose down -v"
  exit 1
fi
if docker volume inspect wordpress_db_data >/dev/null 2>&1; then
  echo "FAIL: the volume wordpress_db_data is still there"
  echo "HINT: down alone keeps volumes: docker compose down -v"
  exit 1
fi
