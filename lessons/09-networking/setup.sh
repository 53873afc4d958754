# Starting state: no containers or network from an earlier try, and nginx running as web on the
# default bridge, already answering (step 1 looks at its interfaces and fetches its page).
docker rm -f web api client outsider >/dev/null 2>&1
docker network rm lab >/dev/null 2>&1
docker run -d --name web nginx >/dev/null
ip=$(docker inspect -f '{{.NetworkSettings.IPAddress}}' web)
i=0
until wget -qO- "http://$ip/" >/dev/null 2>&1; do
  i=$((i + 1))
  [ $i -lt 60 ] || { echo "nginx in web did not answer on $ip"; exit 1; }
  sleep 1
done
