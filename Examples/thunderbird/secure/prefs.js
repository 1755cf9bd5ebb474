// Mozilla User Preferences
// One IMAP account over implicit TLS, submission over implicit TLS, OAuth2, OpenPGP required.

user_pref("mail.accountmanager.accounts", "account1,account2");
user_pref("mail.accountmanager.defaultaccount", "account1");
user_pref("mail.accountmanager.localfoldersserver", "server2");
user_pref("mail.account.account1.identities", "id1");
user_pref("mail.account.account1.server", "server1");
user_pref("mail.account.account2.server", "server2");
user_pref("mail.identity.id1.fullName", "Ann Example");
user_pref("mail.identity.id1.useremail", "ann@example.com");
user_pref("mail.identity.id1.smtpServer", "smtp1");
user_pref("mail.identity.id1.openpgp_key_id", "8A1F3C5E7B9D2046");
user_pref("mail.identity.id1.e2etechpref", 2);
user_pref("mail.identity.id1.encryptionpolicy", 2);
user_pref("mail.identity.id1.sign_mail", true);
user_pref("mail.identity.id1.protectSubject", true);
user_pref("mail.server.server1.type", "imap");
user_pref("mail.server.server1.name", "ann@example.com");
user_pref("mail.server.server1.hostname", "imap.example.com");
user_pref("mail.server.server1.userName", "ann@example.com");
user_pref("mail.server.server1.port", 993);
user_pref("mail.server.server1.socketType", 3);
user_pref("mail.server.server1.authMethod", 10);
user_pref("mail.server.server2.type", "none");
user_pref("mail.server.server2.hostname", "Local Folders");
user_pref("mail.server.server2.name", "Local Folders");
user_pref("mail.server.server2.userName", "nobody");
user_pref("mail.smtpservers", "smtp1");
user_pref("mail.smtpserver.smtp1.hostname", "smtp.example.com");
user_pref("mail.smtpserver.smtp1.username", "ann@example.com");
user_pref("mail.smtpserver.smtp1.port", 465);
user_pref("mail.smtpserver.smtp1.try_ssl", 3);
user_pref("mail.smtpserver.smtp1.authMethod", 10);
user_pref("security.tls.version.min", 3);
