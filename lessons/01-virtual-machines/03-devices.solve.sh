grep -l 0x1af4 /sys/bus/pci/devices/*/vendor > virtio.txt
cat virtio.txt
