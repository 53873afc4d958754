# virtio.txt must list the vendor files of all virtio PCI devices, and only those.
if [ ! -s virtio.txt ]; then
  echo "FAIL: virtio.txt does not exist or is empty"
  echo "HINT: grep -l 0x1af4 /sys/bus/pci/devices/*/vendor > virtio.txt"
  exit 1
fi
want=$(grep -l 0x1af4 /sys/bus/pci/devices/*/vendor | wc -l)
got=0
while read -r f; do
  if [ "$(cat "$f" 2>/dev/null)" != 0x1af4 ]; then
    echo "FAIL: virtio.txt lists $f, which is not a virtio vendor file"
    exit 1
  fi
  got=$((got + 1))
done < virtio.txt
if [ "$got" != "$want" ]; then
  echo "FAIL: virtio.txt lists $got devices, but the guest has $want virtio devices"
  exit 1
fi
