<?php
$CONFIG = array (
  'instanceid' => 'oc9k2m4n6p8r',
  'trusted_domains' =>
  array (
    0 => 'cloud.example.com',
  ),
  'datadirectory' => '/var/www/nextcloud/data',
  'dbtype' => 'pgsql',
  'version' => '31.0.4.1',
  'overwrite.cli.url' => 'https://cloud.example.com',
  'overwriteprotocol' => 'https',
  'installed' => true,
  'mail_smtpmode' => 'smtp',
  'mail_from_address' => 'cloud',
  'mail_domain' => 'example.com',
  'mail_smtphost' => 'smtp.example.com',
  'mail_smtpport' => 465,
  'mail_smtpsecure' => 'ssl',
  'mail_smtpauth' => true,
  'mail_smtpname' => 'cloud@example.com',
  'mail_smtppassword' => getenv('SMTP_PASSWORD'),
);
