if ! runc state handmade >state.json 2>/dev/null; then
  echo "FAIL: runc does not know a container named handmade"
  echo "HINT: cd bundle && runc run -d handmade"
  exit 1
fi
if ! grep -q '"status": "running"' state.json; then
  echo "FAIL: handmade is not running: $(grep '"status"' state.json)"
  echo "HINT: runc delete handmade, then runc run -d handmade again"
  exit 1
fi
if ! grep -q "$(pwd)/bundle" state.json; then
  echo "FAIL: handmade was not started from $(pwd)/bundle"
  exit 1
fi
