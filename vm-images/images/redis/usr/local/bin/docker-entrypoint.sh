#!/bin/sh
# Entrypoint of the whalebone redis image (Debian's redis-server; written for Whalebone after the
# documented behaviour of Docker's official image):
#   - `docker run redis --appendonly yes`: options alone are options for redis-server;
#   - without a config file, protected mode is off, so other containers can connect without a
#     password (Docker's image builds redis with that default; Debian's keeps it on);
#   - the server runs as the redis user, owning /data (the volume), as PID 1 (exec).
set -e

if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
	set -- redis-server "$@"
fi

if [ "$1" = redis-server ]; then
	protected=no
	case "${2:-}" in
	'' | -*) ;;
	*) protected=config ;; # a config file decides
	esac
	for a in "$@"; do
		[ "$a" = --protected-mode ] && protected=given
	done
	if [ "$protected" = no ]; then
		set -- "$@" --protected-mode no
	fi
	if [ "$(id -u)" = 0 ]; then
		find . \! -user redis -exec chown redis:redis '{}' +
		exec setpriv --reuid=redis --regid=redis --init-groups "$@"
	fi
fi

exec "$@"
