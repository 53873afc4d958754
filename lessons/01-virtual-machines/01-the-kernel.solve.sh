uname -r > kernel.txt
cat kernel.txt
