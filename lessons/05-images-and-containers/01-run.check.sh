state=$(docker inspect -f '{{.State.Status}} {{.Config.Image}}' web 2>/dev/null)
case "$state" in
  "running nginx"*) ;;
  "") echo "FAIL: there is no container named web"
      echo "HINT: docker run -d --name web nginx"
      exit 1 ;;
  *) echo "FAIL: the container web is not a running nginx ($state)"
     echo "HINT: docker rm -f web, then docker run -d --name web nginx"
     exit 1 ;;
esac
