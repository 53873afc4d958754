# Starting state: no containers or volumes from an earlier try, and a container whose own layer
# holds a file (step 1 shows it is lost with the container).
docker rm -f diary site scratch reader anon >/dev/null 2>&1
docker volume rm -f data >/dev/null 2>&1
docker run -d --name diary busybox sh -c 'date > /diary.txt; echo "dear diary, today I was written into my upper layer" >> /diary.txt; exec sleep 100000' >/dev/null
i=0
until docker exec diary test -s /diary.txt 2>/dev/null; do
  i=$((i + 1))
  [ $i -lt 60 ] || { echo "the diary container did not start"; exit 1; }
  sleep 1
done
