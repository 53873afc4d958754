if [ "$(docker inspect -f '{{.State.Status}}' wordpress-wordpress-1 2>/dev/null)" != running ]; then
  echo "FAIL: the wordpress container is not running"
  echo "HINT: docker compose up -d"
  exit 1
fi
# The containers must be new ones: made after the blog was installed.
installed=$(docker exec wordpress-db-1 mariadb -uwordpress -pwordpress wordpress -N -e "select unix_timestamp(min(user_registered)) from wp_users" 2>/dev/null)
created=$(docker inspect -f '{{.Created}}' wordpress-db-1)
created_s=$(date -d "$(echo "$created" | sed 's/T/ /; s/\..*//; s/Z$//')" +%s 2>/dev/null)
if [ -z "$installed" ] || [ "$installed" = NULL ]; then
  echo "FAIL: the database has no WordPress users: the blog is not installed in this volume"
  echo "HINT: did you use down -v? Install again as in the previous step"
  exit 1
fi
if [ -n "$created_s" ] && [ "$created_s" -le "$installed" ]; then
  echo "FAIL: these are still the containers the blog was installed with"
  echo "HINT: docker compose down, then docker compose up -d"
  exit 1
fi
page=$(wget -qO- http://localhost:8000/ 2>&1)
case "$page" in
  *"WordPress &rsaquo; Installation"*) echo "FAIL: port 8000 shows the installer, not the blog"
    echo "HINT: the volume must be the one from before: docker volume ls"
    exit 1 ;;
  *wp-content*) ;;
  *) echo "FAIL: nothing on http://localhost:8000/ looks like WordPress yet"
    echo "HINT: wait a few seconds after up -d, then Check again"
    exit 1 ;;
esac
