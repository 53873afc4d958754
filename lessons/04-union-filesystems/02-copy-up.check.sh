orig="Hello from the lower layer."
if [ "$(cat lower/greeting.txt)" != "$orig" ]; then
  echo "FAIL: lower/greeting.txt was changed directly; a lower layer must stay as it was"
  echo "HINT: restore it: echo \"$orig\" > lower/greeting.txt, then write through merged/"
  exit 1
fi
if [ ! -f upper/greeting.txt ]; then
  echo "FAIL: upper/ has no greeting.txt: the file has not been changed through merged/ yet"
  echo "HINT: echo 'Changed in the container.' >> merged/greeting.txt"
  exit 1
fi
if [ "$(head -n1 upper/greeting.txt)" != "$orig" ] || [ "$(wc -l < upper/greeting.txt)" -lt 2 ]; then
  echo "FAIL: upper/greeting.txt should start with the original line and have your added line after it"
  echo "HINT: use >> (append), not > (replace)"
  exit 1
fi
