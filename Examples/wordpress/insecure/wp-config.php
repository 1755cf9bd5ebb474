<?php
/** The base configuration for WordPress, with WP Mail SMTP set up through constants. */

define( 'DB_NAME', 'wordpress' );
define( 'DB_USER', 'wordpress' );
define( 'DB_PASSWORD', getenv( 'WORDPRESS_DB_PASSWORD' ) );
define( 'DB_HOST', 'localhost' );

// WP Mail SMTP: the shop's notifications through the provider, on port 25 without encryption.
define( 'WPMS_ON', true );
define( 'WPMS_MAILER', 'smtp' );
define( 'WPMS_SMTP_HOST', 'smtp.example.com' );
define( 'WPMS_SMTP_PORT', 25 );
define( 'WPMS_SSL', '' );
define( 'WPMS_SMTP_AUTOTLS', false );
define( 'WPMS_SMTP_AUTH', true );
define( 'WPMS_SMTP_USER', 'shop@example.com' );
define( 'WPMS_SMTP_PASS', 'Sh0pMail2024' );

$table_prefix = 'wp_';

if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}
require_once ABSPATH . 'wp-settings.php';
