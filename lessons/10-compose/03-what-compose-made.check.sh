if [ "$(docker inspect -f '{{.State.Status}}' wordpress-db-1 2>/dev/null)" != running ]; then
  echo "FAIL: the db container is not running"
  echo "HINT: docker compose up -d"
  exit 1
fi
title=$(docker exec wordpress-db-1 mariadb -uwordpress -pwordpress wordpress -N -e "select option_value from wp_options where option_name='blogname'" 2>/dev/null)
if [ -z "$title" ]; then
  echo "FAIL: WordPress is not installed yet: its database has no blog title"
  echo "HINT: fill in the install form on port 8000, or run the wget --post-data command"
  exit 1
fi
echo "blog title: $title"
