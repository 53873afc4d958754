<?php
/*
 * WordPress's configuration in a whalebone wordpress container, written into /var/www/html as
 * wp-config.php by docker-entrypoint.sh. It reads the container's environment on every request,
 * so `docker run -e WORDPRESS_DB_HOST=...` (or a compose file's environment:) decides:
 *
 *   WORDPRESS_DB_HOST (mysql), WORDPRESS_DB_USER, WORDPRESS_DB_PASSWORD, WORDPRESS_DB_NAME
 *   (wordpress), WORDPRESS_TABLE_PREFIX (wp_), WORDPRESS_DEBUG (non-empty: on),
 *   WORDPRESS_AUTH_KEY ... WORDPRESS_NONCE_SALT (else the random ones written below),
 *   WORDPRESS_CONFIG_EXTRA (PHP code run here, for anything else),
 *   and any of them as <NAME>_FILE: read from that file (Docker secrets).
 */

function whalebone_env($name, $default = '') {
	$file = getenv($name . '_FILE');
	if ($file !== false && $file !== '' && is_readable($file)) {
		return rtrim(file_get_contents($file), "\r\n");
	}
	$value = getenv($name);
	return ($value === false || $value === '') ? $default : $value;
}

define('DB_NAME', whalebone_env('WORDPRESS_DB_NAME', 'wordpress'));
define('DB_USER', whalebone_env('WORDPRESS_DB_USER', 'example username'));
define('DB_PASSWORD', whalebone_env('WORDPRESS_DB_PASSWORD', 'example password'));
define('DB_HOST', whalebone_env('WORDPRESS_DB_HOST', 'mysql'));
define('DB_CHARSET', whalebone_env('WORDPRESS_DB_CHARSET', 'utf8mb4'));
define('DB_COLLATE', whalebone_env('WORDPRESS_DB_COLLATE', ''));

define('AUTH_KEY',         whalebone_env('WORDPRESS_AUTH_KEY',         'put your unique phrase here'));
define('SECURE_AUTH_KEY',  whalebone_env('WORDPRESS_SECURE_AUTH_KEY',  'put your unique phrase here'));
define('LOGGED_IN_KEY',    whalebone_env('WORDPRESS_LOGGED_IN_KEY',    'put your unique phrase here'));
define('NONCE_KEY',        whalebone_env('WORDPRESS_NONCE_KEY',        'put your unique phrase here'));
define('AUTH_SALT',        whalebone_env('WORDPRESS_AUTH_SALT',        'put your unique phrase here'));
define('SECURE_AUTH_SALT', whalebone_env('WORDPRESS_SECURE_AUTH_SALT', 'put your unique phrase here'));
define('LOGGED_IN_SALT',   whalebone_env('WORDPRESS_LOGGED_IN_SALT',   'put your unique phrase here'));
define('NONCE_SALT',       whalebone_env('WORDPRESS_NONCE_SALT',       'put your unique phrase here'));

$table_prefix = whalebone_env('WORDPRESS_TABLE_PREFIX', 'wp_');

define('WP_DEBUG', whalebone_env('WORDPRESS_DEBUG') !== '');

// Behind a proxy that terminates HTTPS (the port preview, a load balancer).
if (isset($_SERVER['HTTP_X_FORWARDED_PROTO']) && strpos($_SERVER['HTTP_X_FORWARDED_PROTO'], 'https') !== false) {
	$_SERVER['HTTPS'] = 'on';
}

$whalebone_extra = whalebone_env('WORDPRESS_CONFIG_EXTRA');
if ($whalebone_extra !== '') {
	eval($whalebone_extra);
}

if (!defined('ABSPATH')) {
	define('ABSPATH', __DIR__ . '/');
}

require_once ABSPATH . 'wp-settings.php';
