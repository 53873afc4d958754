# kernel.txt must hold exactly the running kernel's release.
if [ ! -f kernel.txt ]; then
  echo "FAIL: there is no kernel.txt in $(pwd) yet"
  echo "HINT: run: uname -r > kernel.txt"
  exit 1
fi
want=$(uname -r)
got=$(cat kernel.txt)
if [ "$got" != "$want" ]; then
  echo "FAIL: kernel.txt says \"$got\", but the kernel's release is \"$want\""
  echo "HINT: uname -r prints only the release; uname -a prints everything"
  exit 1
fi
