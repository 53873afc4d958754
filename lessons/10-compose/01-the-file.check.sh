if [ ! -f docker-compose.yml ]; then
  echo "FAIL: there is no docker-compose.yml in $(pwd)"
  echo "HINT: the lesson put it there at the start; Reset the lesson to get it back"
  exit 1
fi
images=$(docker compose config --images 2>&1) || {
  echo "FAIL: Compose cannot read the file: $images"
  echo "HINT: check the indentation around the line you changed"
  exit 1
}
case "$images" in
  *mysql:5.7*) echo "FAIL: the db service still uses mysql:5.7"
    echo "HINT: change it to image: mariadb:10.11 and save"
    exit 1 ;;
esac
case "$images" in
  *mariadb:10.11*) ;;
  *) echo "FAIL: no service uses mariadb:10.11 (the file names: $(echo $images))"
    echo "HINT: the db service's line should read image: mariadb:10.11"
    exit 1 ;;
esac
