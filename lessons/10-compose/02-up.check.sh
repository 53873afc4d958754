for c in wordpress-db-1 wordpress-wordpress-1; do
  state=$(docker inspect -f '{{.State.Status}}' "$c" 2>/dev/null)
  if [ "$state" != running ]; then
    echo "FAIL: the container $c is ${state:-not there}"
    echo "HINT: run docker compose up -d in /root/wordpress"
    exit 1
  fi
done
page=$(wget -qO- http://localhost:8000/ 2>&1)
case "$page" in
  *"WordPress &rsaquo; Installation"*|*wp-content*) ;;
  *) echo "FAIL: nothing on http://localhost:8000/ looks like WordPress yet"
     echo "HINT: the first start takes a while: check docker compose logs wordpress, then Check again"
     exit 1 ;;
esac
