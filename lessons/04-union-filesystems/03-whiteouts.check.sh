if [ ! -f lower/notes.txt ]; then
  echo "FAIL: lower/notes.txt is gone: it was deleted in the lower layer itself"
  echo "HINT: recreate it: echo 'These notes live in the lower layer.' > lower/notes.txt"
  exit 1
fi
if [ -e merged/notes.txt ]; then
  echo "FAIL: merged/notes.txt is still there"
  echo "HINT: rm merged/notes.txt"
  exit 1
fi
if [ ! -c upper/notes.txt ] || [ "$(stat -c '%t %T' upper/notes.txt)" != "0 0" ]; then
  echo "FAIL: upper/ has no whiteout (a character device 0, 0) called notes.txt"
  exit 1
fi
