set -e
docker compose up -d
# The database initialises itself on its first start: wait as a learner would reload.
i=0
until wget -qO- http://localhost:8000/ 2>/dev/null | grep -q 'WordPress'; do
  i=$((i + 1))
  [ $i -lt 300 ] || { docker compose logs; exit 1; }
  sleep 1
done
docker compose ps
