#!/bin/bash
# Entrypoint of the whalebone mariadb image (written for Whalebone; it follows the documented
# behaviour of Docker's official mariadb image, not its code):
#
#   MARIADB_ROOT_PASSWORD / MYSQL_ROOT_PASSWORD           root's password (root@localhost and root@%)
#   MARIADB_ALLOW_EMPTY_ROOT_PASSWORD / MYSQL_ALLOW_EMPTY_PASSWORD   allow no root password
#   MARIADB_RANDOM_ROOT_PASSWORD / MYSQL_RANDOM_ROOT_PASSWORD        generate one and print it
#   MARIADB_DATABASE / MYSQL_DATABASE                     a database to create
#   MARIADB_USER / MYSQL_USER, MARIADB_PASSWORD / MYSQL_PASSWORD      a user with all rights on it
#   MARIADB_ROOT_HOST / MYSQL_ROOT_HOST                   where root may connect from (default %)
#   every variable also as <NAME>_FILE: read the value from that file (Docker secrets)
#
# On the first start (no mysql/ folder in the data directory) it creates the system tables,
# applies the variables, runs /docker-entrypoint-initdb.d/*.sql, *.sql.gz and *.sh, then replaces
# itself with the server (exec), which is PID 1 and stops cleanly on docker stop's SIGTERM.
# Later starts find the data and start the server at once.
set -eo pipefail
shopt -s nullglob

log() {
	local level=$1
	shift
	printf '%s [%s] [Entrypoint]: %s\n' "$(date --rfc-3339=seconds)" "$level" "$*"
}
note() { log Note "$@"; }
warn() { log Warn "$@" >&2; }
die() {
	log ERROR "$@" >&2
	exit 1
}

# env_value NAME: the value of MARIADB_NAME, else MYSQL_NAME, also from a *_FILE variable.
env_value() {
	local name v f
	for name in "MARIADB_$1" "MYSQL_$1"; do
		f="${name}_FILE"
		if [ -n "${!name:-}" ] && [ -n "${!f:-}" ]; then
			die "both $name and $f are set (but they are exclusive)"
		fi
		if [ -n "${!f:-}" ]; then
			[ -r "${!f}" ] || die "$f names ${!f}, which cannot be read"
			v=$(<"${!f}")
			printf '%s' "$v"
			return
		fi
		if [ -n "${!name:-}" ]; then
			printf '%s' "${!name}"
			return
		fi
	done
}

# sql_string TEXT: TEXT as a quoted SQL string literal.
sql_string() {
	local s=${1//\\/\\\\}
	s=${s//\'/\\\'}
	printf "'%s'" "$s"
}

# sql_name TEXT: TEXT as a quoted SQL identifier.
sql_name() {
	printf '`%s`' "${1//\`/\`\`}"
}

# A leading option means options for the server: `docker run mariadb --port=3307`.
if [ "${1:0:1}" = '-' ]; then
	set -- mariadbd "$@"
fi

case "$1" in
mariadbd | mysqld) ;;
*) exec "$@" ;;
esac

note "Entrypoint script for MariaDB Server $(dpkg-query -W -f '${Version}' mariadb-server-core) started."

# server_option NAME ARGS...: the value the server will use for --NAME (config files, then the
# command line): my_print_defaults is a small C program, where `mariadbd --help` would start the server.
server_option() {
	local name=$1 value
	shift
	value=$(my_print_defaults --mysqld | sed -n "s/^--$name=//p" | tail -n 1)
	for a in "$@"; do
		case "$a" in
		--"$name"=*) value=${a#--"$name"=} ;;
		--"${name//_/-}"=*) value=${a#--"${name//_/-}"=} ;;
		esac
	done
	printf '%s' "$value"
}
DATADIR=$(server_option datadir "${@:2}")
DATADIR=${DATADIR:-/var/lib/mysql}
SOCKET=$(server_option socket "${@:2}")
SOCKET=${SOCKET:-/run/mysqld/mysqld.sock}

if [ "$(id -u)" = 0 ]; then
	# The volume may come from the host or another image: the server's user must own it.
	mkdir -p "$DATADIR" "$(dirname "$SOCKET")"
	find "$DATADIR" "$(dirname "$SOCKET")" \! -user mysql -exec chown mysql:mysql '{}' +
	note "Switching to dedicated user 'mysql'"
	exec setpriv --reuid=mysql --regid=mysql --init-groups "$BASH_SOURCE" "$@"
fi

if [ ! -d "$DATADIR/mysql" ]; then
	ROOT_PASSWORD=$(env_value ROOT_PASSWORD)
	ALLOW_EMPTY=$(env_value ALLOW_EMPTY_ROOT_PASSWORD)
	[ -n "$ALLOW_EMPTY" ] || ALLOW_EMPTY=${MYSQL_ALLOW_EMPTY_PASSWORD:-}
	RANDOM_ROOT=$(env_value RANDOM_ROOT_PASSWORD)
	ROOT_HOST=$(env_value ROOT_HOST)
	ROOT_HOST=${ROOT_HOST:-%}
	DATABASE=$(env_value DATABASE)
	USER_NAME=$(env_value USER)
	USER_PASSWORD=$(env_value PASSWORD)

	if [ -z "$ROOT_PASSWORD" ] && [ -z "$ALLOW_EMPTY" ] && [ -z "$RANDOM_ROOT" ]; then
		die "Database is uninitialized and password option is not specified
	You need to specify one of MARIADB_ROOT_PASSWORD, MARIADB_ALLOW_EMPTY_ROOT_PASSWORD and MARIADB_RANDOM_ROOT_PASSWORD"
	fi
	if [ "$USER_NAME" = root ]; then
		die "MARIADB_USER=root: root is created anyway; set MARIADB_ROOT_PASSWORD (or MYSQL_ROOT_PASSWORD) for its password instead"
	fi
	if [ -n "$USER_NAME" ] && [ -z "$USER_PASSWORD" ]; then
		warn "MARIADB_USER $USER_NAME is created without a password (MARIADB_PASSWORD is empty)"
	fi
	if [ -n "$USER_PASSWORD" ] && [ -z "$USER_NAME" ]; then
		warn "MARIADB_PASSWORD is set but MARIADB_USER is not: no user is created"
	fi

	note "Initializing database files"
	# --skip-test-db: no anonymous test database; the server checks passwords as usual.
	mariadb-install-db --datadir="$DATADIR" --rpm --auth-root-authentication-method=normal \
		--skip-test-db --skip-name-resolve --skip-log-bin "${@:2}" >/dev/null
	note "Database files initialized"

	if [ -n "$RANDOM_ROOT" ]; then
		ROOT_PASSWORD=$(tr -dc 'A-Za-z0-9,._+:@%-' </dev/urandom | head -c 32 || true)
		note "GENERATED ROOT PASSWORD: $ROOT_PASSWORD"
	fi

	# What the variables ask for, applied by the server in bootstrap mode (no network, no
	# temporary server to wait for: in the emulator each server start costs seconds).
	[ -n "$DATABASE" ] && note "Creating database $DATABASE"
	[ -n "$USER_NAME" ] && note "Creating user $USER_NAME"
	[ -n "$USER_NAME" ] && [ -n "$DATABASE" ] && note "Giving user $USER_NAME access to schema $DATABASE"
	note "Securing system users (root only at localhost and $ROOT_HOST)"
	if ! out=$({
		echo "SET @@SESSION.SQL_LOG_BIN=0;"
		# Bootstrap mode starts without the grant tables; loading them allows ALTER/CREATE USER.
		echo "FLUSH PRIVILEGES;"
		# Only root at localhost (and the system accounts) stay; mariadb-install-db's others go.
		echo "DROP USER IF EXISTS 'root'@'127.0.0.1', 'root'@'::1', ''@'localhost', ''@'$(hostname)';"
		if [ -n "$ROOT_PASSWORD" ]; then
			echo "ALTER USER 'root'@'localhost' IDENTIFIED BY $(sql_string "$ROOT_PASSWORD");"
		fi
		if [ "$ROOT_HOST" != localhost ]; then
			echo "CREATE USER 'root'@$(sql_string "$ROOT_HOST") IDENTIFIED BY $(sql_string "$ROOT_PASSWORD");"
			echo "GRANT ALL ON *.* TO 'root'@$(sql_string "$ROOT_HOST") WITH GRANT OPTION;"
			echo "GRANT PROXY ON ''@'%' TO 'root'@$(sql_string "$ROOT_HOST") WITH GRANT OPTION;"
		fi
		if [ -n "$DATABASE" ]; then
			echo "CREATE DATABASE IF NOT EXISTS $(sql_name "$DATABASE");"
		fi
		if [ -n "$USER_NAME" ]; then
			echo "CREATE USER $(sql_string "$USER_NAME")@'%' IDENTIFIED BY $(sql_string "$USER_PASSWORD");"
			if [ -n "$DATABASE" ]; then
				echo "GRANT ALL ON $(sql_name "${DATABASE//_/\\_}").* TO $(sql_string "$USER_NAME")@'%';"
			fi
		fi
	} | mariadbd --bootstrap --datadir="$DATADIR" --skip-networking --skip-log-bin "${@:2}" 2>&1); then
		printf '%s\n' "$out" >&2
		die "applying the MARIADB_* settings failed (the server's messages are above)"
	fi

	initdb=(/docker-entrypoint-initdb.d/*)
	if [ ${#initdb[@]} -gt 0 ]; then
		# Scripts may connect: they get a server on the socket only (no network), as in Docker's image.
		note "Starting temporary server"
		mariadbd --skip-networking --skip-log-bin --socket="$SOCKET" "${@:2}" &
		pid=$!
		for i in $(seq 120); do
			if mariadb --protocol=socket --socket="$SOCKET" -uroot ${ROOT_PASSWORD:+"-p$ROOT_PASSWORD"} -e 'SELECT 1' >/dev/null 2>&1; then
				break
			fi
			kill -0 "$pid" 2>/dev/null || die "the temporary server exited"
			sleep 1
		done
		note "Temporary server started."
		client=(mariadb --protocol=socket --socket="$SOCKET" -uroot ${ROOT_PASSWORD:+"-p$ROOT_PASSWORD"} ${DATABASE:+"$DATABASE"})
		for f in "${initdb[@]}"; do
			case "$f" in
			*.sh)
				note "$0: running $f"
				if [ -x "$f" ]; then "$f"; else . "$f"; fi
				;;
			*.sql)
				note "$0: running $f"
				"${client[@]}" <"$f"
				;;
			*.sql.gz)
				note "$0: running $f"
				gunzip -c "$f" | "${client[@]}"
				;;
			*) warn "$0: ignoring $f" ;;
			esac
		done
		note "Stopping temporary server"
		"${client[@]}" -e 'SHUTDOWN' || kill "$pid"
		wait "$pid" || true
		note "Temporary server stopped"
	fi
	note "MariaDB init process done. Ready for start up."
fi

exec "$@"
