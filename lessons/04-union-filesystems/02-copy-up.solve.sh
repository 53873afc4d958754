echo "Changed in the container." >> merged/greeting.txt
echo "I am new" > merged/new.txt
ls -l lower upper
