<?php

/* Roundcube for the office, set up in a hurry: plain IMAP, SMTP with a shared mailbox password,
   certificate checks off "because the certificate did not match". */

$config = [];
$config['db_dsnw'] = 'sqlite:////var/lib/roundcube/roundcube.db?mode=0640';

// IMAP without any TLS: every login crosses the network in clear text.
$config['imap_host'] = 'mail.example.com:143';

// STARTTLS for SMTP, but the certificate is never checked.
$config['smtp_host'] = 'tls://mail.example.com:587';
$config['smtp_user'] = 'webmail@example.com';
$config['smtp_pass'] = 'Winter2024!';
$config['smtp_conn_options'] = [
    'ssl' => [
        'verify_peer'      => false,
        'verify_peer_name' => false,
    ],
];

// Served over plain HTTP, no redirect to HTTPS.
$config['force_https'] = false;
$config['request_path'] = 'http://webmail.example.com/';

$config['des_key'] = 'rcmail-!24ByteDESkey*Str';
$config['plugins'] = ['archive', 'zipdownload'];
