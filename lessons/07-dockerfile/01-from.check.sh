if [ ! -f Dockerfile ]; then
  echo "FAIL: there is no Dockerfile in $(pwd)"
  echo "HINT: Reset the lesson to get the start files back"
  exit 1
fi
from=$(grep -i -m1 '^[[:space:]]*FROM' Dockerfile | awk '{print $2}')
if [ "$from" != "debian:bookworm-slim" ]; then
  echo "FAIL: the Dockerfile starts FROM ${from:-nothing}, not debian:bookworm-slim"
  echo "HINT: change the first line to FROM debian:bookworm-slim and save"
  exit 1
fi
if ! grep -q 'apt-get install -y python3' Dockerfile; then
  echo "FAIL: the Dockerfile no longer installs python3"
  echo "HINT: keep the line RUN apt-get install -y python3"
  exit 1
fi
