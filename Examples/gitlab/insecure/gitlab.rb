## GitLab for the workshop (Omnibus, /etc/gitlab/gitlab.rb)
external_url 'http://git.werkstatt.example'

gitlab_rails['time_zone'] = 'Europe/Berlin'
gitlab_rails['gitlab_email_from'] = 'git@werkstatt.example'

### Outgoing mail through the hosting provider's relay
gitlab_rails['smtp_enable'] = true
gitlab_rails['smtp_address'] = "mail.provider.example.net"
gitlab_rails['smtp_port'] = 25
gitlab_rails['smtp_user_name'] = "git@werkstatt.example"
gitlab_rails['smtp_password'] = "Hobelbank-2019"
gitlab_rails['smtp_domain'] = "werkstatt.example"
gitlab_rails['smtp_authentication'] = "login"
gitlab_rails['smtp_enable_starttls_auto'] = true
# The relay's certificate is self-signed: "it did not work with peer".
gitlab_rails['smtp_openssl_verify_mode'] = 'none'

### Reply by email
gitlab_rails['incoming_email_enabled'] = true
gitlab_rails['incoming_email_address'] = "git+%{key}@werkstatt.example"
gitlab_rails['incoming_email_email'] = "git@werkstatt.example"
gitlab_rails['incoming_email_password'] = "Hobelbank-2019"
gitlab_rails['incoming_email_host'] = "mail.provider.example.net"
gitlab_rails['incoming_email_port'] = 143
gitlab_rails['incoming_email_ssl'] = false
gitlab_rails['incoming_email_start_tls'] = false
