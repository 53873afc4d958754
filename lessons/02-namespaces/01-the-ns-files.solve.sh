readlink /proc/$$/ns/* > my-namespaces.txt
cat my-namespaces.txt
