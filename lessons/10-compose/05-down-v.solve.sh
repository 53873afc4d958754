set -e
docker compose down -v
