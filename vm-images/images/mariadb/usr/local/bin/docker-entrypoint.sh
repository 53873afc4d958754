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
# On the first start (no mysql/ folder in the data directory) it creates the system tables and
# the accounts and database the variables ask for in one bootstrap run of the server, runs
# /docker-entrypoint-initdb.d/*.sql, *.sql.gz and *.sh against a temporary server, then replaces
# itself with the server (exec), which is PID 1 and stops cleanly on docker stop's SIGTERM.
# Later starts find the data and start the server at once.
#
# Unlike mariadb-install-db, the bootstrap leaves out the HELP command's contents
# (fill_help_tables.sql, 2 MB) and the sys schema (620 KB): in the emulator they cost about
# 90 seconds of the first start, and a tutorial's database uses neither. Every process costs
# a fraction of a second there too, so this script starts as few as it can.
set -eo pipefail
shopt -s nullglob

# Timestamps with bash's printf (no date process per line); the offset as +00:00.
TZ_OFFSET=$(printf '%(%z)T' -1)
TZ_OFFSET=${TZ_OFFSET:0:3}:${TZ_OFFSET:3}
log() {
	local level=$1
	shift
	printf '%(%F %T)T%s [%s] [Entrypoint]: %s\n' -1 "$TZ_OFFSET" "$level" "$*"
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

if [ "$(id -u)" = 0 ]; then
	note "Entrypoint script for MariaDB Server $(dpkg-query -W -f '${Version}' mariadb-server-core) started."
fi

# The data folder and socket the server will use: config files (one my_print_defaults run, a
# small C program; `mariadbd --help` would start the server), then the command line.
DATADIR=/var/lib/mysql
SOCKET=/run/mysqld/mysqld.sock
while IFS= read -r opt; do
	case "$opt" in
	--datadir=*) DATADIR=${opt#--datadir=} ;;
	--socket=*) SOCKET=${opt#--socket=} ;;
	esac
done < <(my_print_defaults --mysqld; printf '%s\n' "${@:2}")

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
	[ -n "$DATABASE" ] && note "Creating database $DATABASE"
	[ -n "$USER_NAME" ] && note "Creating user $USER_NAME"
	[ -n "$USER_NAME" ] && [ -n "$DATABASE" ] && note "Giving user $USER_NAME access to schema $DATABASE"
	note "Securing system users (root only at localhost and $ROOT_HOST)"
	if [ -n "$RANDOM_ROOT" ]; then
		ROOT_PASSWORD=$(tr -dc 'A-Za-z0-9,._+:@%-' </dev/urandom | head -c 32 || true)
		note "GENERATED ROOT PASSWORD: $ROOT_PASSWORD"
	fi

	# Bootstrap mode runs without the grant system (no CREATE USER or GRANT): accounts are rows in
	# mysql.global_priv and mysql.db, as mariadb-install-db's own SQL writes them.
	account() { # host user password access
		printf "REPLACE INTO global_priv VALUES (%s, %s, json_object('access', %s, 'plugin', 'mysql_native_password', 'authentication_string', IF(%s = '', '', PASSWORD(%s)), 'password_last_changed', UNIX_TIMESTAMP()));\n" \
			"$(sql_string "$1")" "$(sql_string "$2")" "$4" "$(sql_string "$3")" "$(sql_string "$3")"
	}
	share=/usr/share/mysql
	mkdir -p "$DATADIR"
	if ! out=$({
		echo "CREATE DATABASE IF NOT EXISTS mysql;"
		echo "USE mysql;"
		echo "SET @auth_root_socket=NULL;"
		cat "$share/mysql_system_tables.sql" "$share/mysql_performance_tables.sql" "$share/mysql_system_tables_data.sql" "$share/maria_add_gis_sp_bootstrap.sql"
		echo "USE mysql;"
		# mariadb-install-db made root@localhost, root@<hostname>, root@127.0.0.1 and root@::1;
		# only localhost stays, then root@ROOT_HOST as asked.
		echo "DELETE FROM global_priv WHERE User = 'root' AND Host != 'localhost';"
		echo "DELETE FROM proxies_priv WHERE Host != 'localhost';"
		account localhost root "$ROOT_PASSWORD" 18446744073709551615
		if [ "$ROOT_HOST" != localhost ]; then
			account "$ROOT_HOST" root "$ROOT_PASSWORD" 18446744073709551615
			echo "REPLACE INTO proxies_priv VALUES ($(sql_string "$ROOT_HOST"), 'root', '', '', TRUE, '', now());"
		fi
		if [ -n "$DATABASE" ]; then
			echo "CREATE DATABASE IF NOT EXISTS $(sql_name "$DATABASE");"
		fi
		if [ -n "$USER_NAME" ]; then
			account % "$USER_NAME" "$USER_PASSWORD" 0
			if [ -n "$DATABASE" ]; then
				# GRANT ALL ON db.* (everything but the grant option); _ and % are wildcards in mysql.db.
				db_pattern=${DATABASE//\\/\\\\}
				db_pattern=${db_pattern//_/\\_}
				db_pattern=${db_pattern//%/\\%}
				echo "INSERT INTO db (Host, Db, User, Select_priv, Insert_priv, Update_priv, Delete_priv, Create_priv, Drop_priv, References_priv, Index_priv, Alter_priv, Create_tmp_table_priv, Lock_tables_priv, Create_view_priv, Show_view_priv, Create_routine_priv, Alter_routine_priv, Execute_priv, Event_priv, Trigger_priv, Delete_history_priv) VALUES ('%', $(sql_string "$db_pattern"), $(sql_string "$USER_NAME"), 'Y', 'Y', 'Y', 'Y', 'Y', 'Y', 'Y', 'Y', 'Y', 'Y', 'Y', 'Y', 'Y', 'Y', 'Y', 'Y', 'Y', 'Y', 'Y');"
			fi
		fi
	} | mariadbd --bootstrap --datadir="$DATADIR" --log-warnings=0 --enforce-storage-engine="" \
		--skip-networking --skip-log-bin --max_allowed_packet=8M --net_buffer_length=16K "${@:2}" 2>&1); then
		printf '%s\n' "$out" >&2
		rm -rf "${DATADIR:?}/mysql"
		die "initializing the data folder failed (the server's messages are above)"
	fi
	note "Database files initialized"

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
