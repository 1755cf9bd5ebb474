## GitLab for the workshop (Omnibus, /etc/gitlab/gitlab.rb)
external_url 'https://git.werkstatt.example'
letsencrypt['enable'] = true

gitlab_rails['time_zone'] = 'Europe/Berlin'
gitlab_rails['gitlab_email_from'] = 'git@werkstatt.example'

### Outgoing mail: implicit TLS on 465, certificate verified. The user name and password are in
### GitLab's encrypted SMTP credentials (gitlab-rake gitlab:smtp:secret:edit), not in this file.
gitlab_rails['smtp_enable'] = true
gitlab_rails['smtp_address'] = "mail.provider.example.net"
gitlab_rails['smtp_port'] = 465
gitlab_rails['smtp_user_name'] = "git@werkstatt.example"
gitlab_rails['smtp_domain'] = "werkstatt.example"
gitlab_rails['smtp_authentication'] = "login"
gitlab_rails['smtp_tls'] = true
gitlab_rails['smtp_enable_starttls_auto'] = false
gitlab_rails['smtp_openssl_verify_mode'] = 'peer'

### Reply by email over IMAPS; the password is read from a file only root can read.
gitlab_rails['incoming_email_enabled'] = true
gitlab_rails['incoming_email_address'] = "git+%{key}@werkstatt.example"
gitlab_rails['incoming_email_email'] = "git@werkstatt.example"
gitlab_rails['incoming_email_password'] = File.read('/etc/gitlab/incoming_email_password').strip
gitlab_rails['incoming_email_host'] = "mail.provider.example.net"
gitlab_rails['incoming_email_port'] = 993
gitlab_rails['incoming_email_ssl'] = true
gitlab_rails['incoming_email_start_tls'] = false
