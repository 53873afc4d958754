#!/bin/bash
# Entrypoint of the whalebone wordpress image: Debian's WordPress on Apache with mod_php, set up
# the way Docker's official image documents it (this script is our own):
#
#   - /var/www/html (a volume) without WordPress in it gets a copy of /usr/share/wordpress, owned
#     by www-data, with WordPress's .htaccess rules; an existing site is left as it is;
#   - without a wp-config.php, one is written that reads WORDPRESS_DB_HOST, WORDPRESS_DB_USER,
#     WORDPRESS_DB_PASSWORD, WORDPRESS_DB_NAME, WORDPRESS_TABLE_PREFIX, WORDPRESS_DEBUG and
#     WORDPRESS_CONFIG_EXTRA on every request, with unique keys and salts;
#   - it waits (WORDPRESS_DB_WAIT seconds, default 60) until the database at WORDPRESS_DB_HOST
#     answers, so the first page is not "Error establishing a database connection" while a
#     database started at the same moment initialises;
#   - then it replaces itself with the command (apache2-foreground: Apache as PID 1).
set -euo pipefail
shopt -s dotglob

note() { printf '%s\n' "$*" >&2; }

case "${1:-}" in
apache2* | php-fpm) ;;
*) exec "$@" ;;
esac

SRC=/usr/share/wordpress
if [ ! -e index.php ] && [ ! -e wp-includes/version.php ]; then
	note "WordPress not found in $PWD - copying now..."
	if [ -n "$(ls -A)" ]; then
		note "WARNING: $PWD is not empty! (copying anyway)"
	fi
	# Debian links a few bundled libraries (getID3, underscore.js, the CA bundle) to their own
	# packages with relative links that would point nowhere from here: copy what they point to.
	# Debian's .htaccess only has comments; WordPress's own rules are written below. One tar
	# pass that also sets the owner: in the emulator every pass over 2,800 files costs seconds.
	owner=()
	[ "$(id -u)" != 0 ] || owner=(--owner=www-data --group=www-data)
	tar --create --file=- --directory="$SRC" --dereference --exclude=./.htaccess "${owner[@]}" . |
		tar --extract --file=- ${owner:+--same-owner}
	if [ ! -e .htaccess ]; then
		cat >.htaccess <<-'EOF'
			# BEGIN WordPress
			<IfModule mod_rewrite.c>
			RewriteEngine On
			RewriteRule .* - [E=HTTP_AUTHORIZATION:%{HTTP:Authorization}]
			RewriteBase /
			RewriteRule ^index\.php$ - [L]
			RewriteCond %{REQUEST_FILENAME} !-f
			RewriteCond %{REQUEST_FILENAME} !-d
			RewriteRule . /index.php [L]
			</IfModule>
			# END WordPress
		EOF
		[ "$(id -u)" != 0 ] || chown www-data:www-data .htaccess
	fi
	# Debian's wp-config.php looks for /etc/wordpress/config-<host>.php: this site has its own.
	rm -f wp-config.php
	note "Complete! WordPress has been successfully copied to $PWD"
fi

if [ ! -s wp-config.php ]; then
	note "No 'wp-config.php' found in $PWD, writing one that reads the WORDPRESS_* variables"
	# Eight different random keys and salts, one for each placeholder, from one read of urandom.
	keys=$(head -c 384 /dev/urandom | base64 -w 0 | tr '/+' '_-')
	awk -v keys="$keys" '
		/put your unique phrase here/ { sub(/put your unique phrase here/, substr(keys, 64 * n++ + 1, 64)) }
		{ print }
	' /usr/local/share/wordpress/wp-config-docker.php >wp-config.php
	[ "$(id -u)" != 0 ] || chown www-data:www-data wp-config.php
fi

# The database's address: host[:port] (a socket path after the colon is not waited for).
db=${WORDPRESS_DB_HOST:-mysql}
host=${db%%:*}
port=3306
case "$db" in
*:*) port=${db#*:} ;;
esac
wait_s=${WORDPRESS_DB_WAIT:-60}
if [[ "$port" =~ ^[0-9]+$ ]] && [ "$wait_s" -gt 0 ]; then
	# A MySQL or MariaDB server greets every new connection first: one byte of it is an answer.
	answers() {
		timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2" && IFS= read -r -t 2 -n 1 -d "" _ <&3' answers "$host" "$port" 2>/dev/null
	}
	start=$SECONDS
	if ! answers; then
		note "Waiting for the database at $host:$port (up to ${wait_s} s)..."
		until answers; do
			if [ $((SECONDS - start)) -ge "$wait_s" ]; then
				note "WARNING: the database at $host:$port did not answer within ${wait_s} s; starting anyway (WordPress will say it cannot connect until it does)"
				start=
				break
			fi
			sleep 1
		done
	fi
	[ -z "$start" ] || note "The database at $host:$port answers (after $((SECONDS - start)) s)"
fi

exec "$@"
