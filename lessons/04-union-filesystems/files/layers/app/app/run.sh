#!/bin/sh
echo "the app is running on $(. /etc/os-release; echo $NAME $VERSION)"
