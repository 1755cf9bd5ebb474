#!/usr/bin/env bash
# Real mail servers on 127.0.0.1 for the probe tests and the probe benchmark.
#
#   Tests/probe/servers.sh start DIR [EXTRA]   generate certificates and configs in DIR, start Dovecot
#                                              and Postfix on free high ports, wait for their greetings,
#                                              write DIR/ports.env (NAME=PORT lines, PIDs)
#   Tests/probe/servers.sh stop DIR            stop both by PID
#
# EXTRA (default 0) adds that many more Dovecot listeners for the benchmark, cycling through
# IMAP+STARTTLS, IMAPS, POP3+STLS and POP3S; their ports are listed in DIR/extra-targets.txt.
#
# Listeners (NAME in ports.env):
#   Dovecot  IMAP_STARTTLS  IMAP, STARTTLS offered, LOGINDISABLED before TLS (143-style)
#            IMAPS          IMAP over implicit TLS (993-style)
#            POP3_STLS      POP3, STLS offered, no USER before TLS (110-style)
#            POP3S          POP3 over implicit TLS (995-style)
#            IMAP_BROKEN    plaintext IMAP on the port the test config calls implicit TLS
#   Postfix  SMTP_STARTTLS          SMTP, STARTTLS offered, no AUTH (25-style)
#            SUBMISSION             submission, STARTTLS required, AUTH only after TLS (587-style)
#            SUBMISSIONS            submissions over implicit TLS, AUTH inside (465-style)
#            SMTP_AUTH_PLAINTEXT    SMTP offering AUTH PLAIN LOGIN before TLS
#            SUBMISSIONS_EXPIRED    implicit TLS with an expired certificate
#            SUBMISSIONS_WRONGNAME  implicit TLS with a certificate for mail.invalid
#            SUBMISSIONS_TLS10      implicit TLS, TLS 1.0 only
# Certificates: DIR/ca.pem signs them all (pass it as --ca-file); the good one names localhost and 127.0.0.1.
# Nothing is ever delivered: Postfix's transports are error:disabled.
set -euo pipefail

cmd=${1:?usage: servers.sh start|stop DIR [EXTRA]}
dir=${2:?usage: servers.sh start|stop DIR [EXTRA]}
extra=${3:-0}

stop() {
  [ -f "$dir/ports.env" ] || return 0
  # shellcheck disable=SC1091
  . "$dir/ports.env"
  for pid in ${DOVECOT_PID:-} ${POSTFIX_PID:-}; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 50); do
    alive=0
    for pid in ${DOVECOT_PID:-} ${POSTFIX_PID:-}; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && return 0
    sleep 0.1
  done
  for pid in ${DOVECOT_PID:-} ${POSTFIX_PID:-}; do kill -KILL "$pid" 2>/dev/null || true; done
}

if [ "$cmd" = stop ]; then stop; exit 0; fi
[ "$cmd" = start ] || { echo "usage: servers.sh start|stop DIR [EXTRA]" >&2; exit 64; }

for tool in dovecot openssl /usr/lib/postfix/sbin/master postfix; do
  command -v "$tool" >/dev/null || { echo "servers.sh: $tool is not installed (scripts/apt-packages.txt)" >&2; exit 3; }
done

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
chmod 755 "$dir"

# --- certificates: a CA and three server certificates -------------------------------------------
cd "$dir"
openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 30 -subj "/CN=mailaudit test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -keyout ca.key -out ca.pem 2>/dev/null
mkdir -p ca/newcerts && : > ca/index.txt && echo 1000 > ca/serial
cat > ca/ca.cnf <<EOF
[ ca ]
default_ca = test
[ test ]
dir = $dir/ca
database = \$dir/index.txt
new_certs_dir = \$dir/newcerts
serial = \$dir/serial
certificate = $dir/ca.pem
private_key = $dir/ca.key
default_md = sha256
policy = any
unique_subject = no
copy_extensions = copy
[ any ]
commonName = supplied
EOF
issue() {  # NAME CN SAN START END
  openssl req -new -newkey rsa:2048 -nodes -subj "/CN=$2" -addext "subjectAltName=$3" \
    -keyout "$1.key" -out "$1.csr" 2>/dev/null
  openssl ca -batch -config ca/ca.cnf -notext -startdate "$4" -enddate "$5" -in "$1.csr" -out "$1.pem" 2>/dev/null
}
now_start=$(date -u -d '-1 day' +%Y%m%d%H%M%SZ)
now_end=$(date -u -d '+30 days' +%Y%m%d%H%M%SZ)
issue good localhost "DNS:localhost,IP:127.0.0.1" "$now_start" "$now_end"
issue wrongname mail.invalid "DNS:mail.invalid" "$now_start" "$now_end"
issue expired localhost "DNS:localhost,IP:127.0.0.1" 20200101000000Z 20200201000000Z
chmod 644 ./*.pem ./*.key

# --- ports: a free block of 100 ------------------------------------------------------------------
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
need=$((100 + extra))
for _ in $(seq 1 50); do
  base=$(( (RANDOM * 32768 + RANDOM) % 30000 + 20000 ))
  ok=1
  for off in 10 25 26 43 65 66 67 68 87 93 94 95; do port_free $((base + off)) || { ok=0; break; }; done
  if [ $ok = 1 ] && [ "$extra" -gt 0 ]; then
    for i in $(seq 0 $((extra - 1))); do port_free $((base + 100 + i)) || { ok=0; break; }; done
  fi
  [ $ok = 1 ] && break
done
[ $ok = 1 ] || { echo "servers.sh: no free port block found" >&2; exit 3; }
: "$need"

IMAP_STARTTLS=$((base + 43)); IMAPS=$((base + 93)); POP3_STLS=$((base + 10)); POP3S=$((base + 95))
IMAP_BROKEN=$((base + 94))
SMTP_STARTTLS=$((base + 25)); SMTP_AUTH_PLAINTEXT=$((base + 26)); SUBMISSION=$((base + 87))
SUBMISSIONS=$((base + 65)); SUBMISSIONS_EXPIRED=$((base + 66)); SUBMISSIONS_WRONGNAME=$((base + 67))
SUBMISSIONS_TLS10=$((base + 68))

# --- Dovecot -------------------------------------------------------------------------------------
mkdir -p "$dir/dovecot/base" "$dir/dovecot/state" "$dir/mail"
chmod 755 "$dir/dovecot" "$dir/dovecot/base"
chmod 777 "$dir/mail"
extra_imap=""
extra_pop3=""
: > "$dir/extra-targets.txt"
listener() {  # NAME PORT SSL
  printf '  inet_listener %s {\n    port = %s\n    ssl = %s\n  }\n' "$1" "$2" "$3"
}
for i in $(seq 0 $((extra - 1))); do
  p=$((base + 100 + i))
  case $((i % 4)) in
    0) extra_imap+=$(listener "x$i" "$p" no)$'\n'; echo "127.0.0.1:$p/imap" >> "$dir/extra-targets.txt" ;;
    1) extra_imap+=$(listener "x$i" "$p" yes)$'\n'; echo "127.0.0.1:$p/imaps" >> "$dir/extra-targets.txt" ;;
    2) extra_pop3+=$(listener "x$i" "$p" no)$'\n'; echo "127.0.0.1:$p/pop3" >> "$dir/extra-targets.txt" ;;
    3) extra_pop3+=$(listener "x$i" "$p" yes)$'\n'; echo "127.0.0.1:$p/pop3s" >> "$dir/extra-targets.txt" ;;
  esac
done
cat > "$dir/dovecot/dovecot.conf" <<EOF
# Generated by Tests/probe/servers.sh
base_dir = $dir/dovecot/base
state_dir = $dir/dovecot/state
log_path = $dir/dovecot/dovecot.log
instance_name = mailaudit-probe-$base
listen = 127.0.0.1
protocols = imap pop3
ssl = yes
ssl_cert = <$dir/good.pem
ssl_key = <$dir/good.key
ssl_dh = </usr/share/dovecot/dh.pem
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = yes
auth_mechanisms = plain login
login_greeting = mailaudit test IMAP/POP3 ready.
mail_location = maildir:$dir/mail/%u
passdb {
  driver = static
  args = password=not-used-by-probes
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$dir/mail/%u
}
service imap-login {
  service_count = 0
  process_min_avail = 1
  client_limit = 1000
  inet_listener imap {
    port = $IMAP_STARTTLS
  }
  inet_listener imaps {
    port = $IMAPS
    ssl = yes
  }
  # Deliberately broken: the test config calls this port implicit TLS, but it speaks plaintext.
  inet_listener imap_broken {
    port = $IMAP_BROKEN
    ssl = no
  }
$extra_imap}
service pop3-login {
  service_count = 0
  process_min_avail = 1
  client_limit = 1000
  inet_listener pop3 {
    port = $POP3_STLS
  }
  inet_listener pop3s {
    port = $POP3S
    ssl = yes
  }
$extra_pop3}
service auth {
  unix_listener $dir/dovecot/auth-postfix {
    mode = 0666
  }
}
service anvil {
  chroot =
}
service stats {
  chroot =
}
EOF
doveconf -n -c "$dir/dovecot/dovecot.conf" >/dev/null
dovecot -F -c "$dir/dovecot/dovecot.conf" >"$dir/dovecot/stdout.log" 2>&1 &
DOVECOT_PID=$!

# --- Postfix -------------------------------------------------------------------------------------
pf="$dir/postfix"
mkdir -p "$pf/queue" "$pf/data"
chown postfix "$pf/data"  # master creates its lock file there after dropping privileges
cat > "$pf/main.cf" <<EOF
# Generated by Tests/probe/servers.sh
compatibility_level = 3.6
queue_directory = $pf/queue
data_directory = $pf/data
inet_interfaces = loopback-only
inet_protocols = ipv4
myhostname = localhost
mydestination =
alias_maps =
alias_database =
default_transport = error:disabled
relay_transport = error:disabled
local_transport = error:disabled
maillog_file = $pf/maillog
maillog_file_prefixes = /var, /dev/stdout, $pf
smtpd_banner = \$myhostname ESMTP mailaudit test
smtpd_tls_cert_file = $dir/good.pem
smtpd_tls_key_file = $dir/good.key
smtpd_tls_security_level = may
smtpd_sasl_type = dovecot
smtpd_sasl_path = $dir/dovecot/auth-postfix
smtpd_sasl_auth_enable = no
smtpd_relay_restrictions = permit_sasl_authenticated, reject
EOF
cat > "$pf/master.cf" <<EOF
# Generated by Tests/probe/servers.sh
127.0.0.1:$SMTP_STARTTLS inet n - n - - smtpd
127.0.0.1:$SMTP_AUTH_PLAINTEXT inet n - n - - smtpd
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_tls_auth_only=no
127.0.0.1:$SUBMISSION inet n - n - - smtpd
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_tls_auth_only=yes
127.0.0.1:$SUBMISSIONS inet n - n - - smtpd
  -o smtpd_tls_wrappermode=yes
  -o smtpd_sasl_auth_enable=yes
127.0.0.1:$SUBMISSIONS_EXPIRED inet n - n - - smtpd
  -o smtpd_tls_wrappermode=yes
  -o smtpd_tls_cert_file=$dir/expired.pem
  -o smtpd_tls_key_file=$dir/expired.key
127.0.0.1:$SUBMISSIONS_WRONGNAME inet n - n - - smtpd
  -o smtpd_tls_wrappermode=yes
  -o smtpd_tls_cert_file=$dir/wrongname.pem
  -o smtpd_tls_key_file=$dir/wrongname.key
127.0.0.1:$SUBMISSIONS_TLS10 inet n - n - - smtpd
  -o smtpd_tls_wrappermode=yes
  -o smtpd_tls_protocols=TLSv1
  -o smtpd_tls_mandatory_protocols=TLSv1
  -o smtpd_tls_ciphers=low
  -o smtpd_tls_mandatory_ciphers=low
  -o tls_low_cipherlist=DEFAULT:@SECLEVEL=0
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
if ! script -qc "postfix -c $pf check" /dev/null > "$pf/check.log" 2>&1; then
  echo "servers.sh: postfix check failed:" >&2; cat "$pf/check.log" >&2
  kill -TERM "$DOVECOT_PID" 2>/dev/null || true
  exit 3
fi
/usr/lib/postfix/sbin/master -c "$pf" -s >"$pf/stdout.log" 2>&1 &
POSTFIX_PID=$!

cat > "$dir/ports.env" <<EOF
DOVECOT_PID=$DOVECOT_PID
POSTFIX_PID=$POSTFIX_PID
IMAP_STARTTLS=$IMAP_STARTTLS
IMAPS=$IMAPS
POP3_STLS=$POP3_STLS
POP3S=$POP3S
IMAP_BROKEN=$IMAP_BROKEN
SMTP_STARTTLS=$SMTP_STARTTLS
SMTP_AUTH_PLAINTEXT=$SMTP_AUTH_PLAINTEXT
SUBMISSION=$SUBMISSION
SUBMISSIONS=$SUBMISSIONS
SUBMISSIONS_EXPIRED=$SUBMISSIONS_EXPIRED
SUBMISSIONS_WRONGNAME=$SUBMISSIONS_WRONGNAME
SUBMISSIONS_TLS10=$SUBMISSIONS_TLS10
CA_FILE=$dir/ca.pem
EOF

# --- ready: a greeting on the plaintext ports, a listening socket on the TLS ones ----------------
greets() {  # PORT PREFIX (in a subshell: a failed `exec` redirection ends a non-interactive shell)
  (
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    IFS= read -r -t 2 line <&3 || exit 1
    [[ $line == "$2"* ]]
  ) 2>/dev/null
}
listens() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for _ in $(seq 1 100); do
  if greets "$IMAP_STARTTLS" "* OK" && greets "$POP3_STLS" "+OK" && greets "$SMTP_STARTTLS" "220" \
     && greets "$SMTP_AUTH_PLAINTEXT" "220" && listens "$IMAPS" && listens "$SUBMISSIONS"; then
    echo "servers.sh: Dovecot (pid $DOVECOT_PID) and Postfix (pid $POSTFIX_PID) ready in $dir"
    exit 0
  fi
  kill -0 "$DOVECOT_PID" 2>/dev/null || { echo "servers.sh: dovecot exited:" >&2; cat "$dir/dovecot/stdout.log" "$dir/dovecot/dovecot.log" >&2 2>/dev/null; stop; exit 3; }
  kill -0 "$POSTFIX_PID" 2>/dev/null || { echo "servers.sh: postfix exited:" >&2; cat "$pf/stdout.log" "$pf/maillog" >&2 2>/dev/null; stop; exit 3; }
  sleep 0.1
done
echo "servers.sh: servers did not greet within 10 s" >&2
cat "$dir/dovecot/dovecot.log" "$pf/maillog" >&2 2>/dev/null || true
stop
exit 3
