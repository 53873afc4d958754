rm merged/notes.txt
rm -r merged/config
mkdir merged/config
ls -l upper
