for f in /proc/$$/ns/*; do readlink $f; done > my-namespaces.txt
cat my-namespaces.txt
