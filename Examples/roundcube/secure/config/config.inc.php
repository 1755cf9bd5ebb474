<?php

/* Roundcube with implicit TLS to IMAP and SMTP, the users' own logins for SMTP (%u/%p), verified
   certificates (PHP's default), and HTTPS enforced. */

$config = [];
$config['db_dsnw'] = 'pgsql://roundcube@localhost/roundcube';

$config['imap_host'] = 'ssl://imap.example.com:993';
$config['smtp_host'] = 'ssl://smtp.example.com:465';
$config['smtp_user'] = '%u';
$config['smtp_pass'] = '%p';

$config['force_https'] = true;
$config['request_path'] = 'https://webmail.example.com/';

$config['des_key'] = getenv('ROUNDCUBE_DES_KEY');
$config['plugins'] = ['archive', 'managesieve'];
