set -e
docker compose down
docker compose up -d
i=0
until wget -qO- http://localhost:8000/ 2>/dev/null | grep -q 'wp-content'; do
  i=$((i + 1))
  [ $i -lt 300 ] || { docker compose logs; exit 1; }
  sleep 1
done
