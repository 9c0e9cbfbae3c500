#!/usr/bin/env bash
# The local stack, all on loopback, state under .local/stack:
#   Kafka protocol: Tansu (memory storage)            127.0.0.1:$FB_KAFKA_PORT (19092)
#   PostgreSQL 15, wal_level=logical, 4 source DBs + reporting   127.0.0.1:$FB_PG_PORT (15432)
#   OpenSSH SFTP server, key-only, inbox folder       127.0.0.1:$FB_SFTP_PORT (12222)
# Usage: scripts/stack.sh start|stop|status|env|reset
# `start` on a running stack is a no-op; a port held by another program is a clear error.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

STACK="$FB_STATE/stack"
FB_KAFKA_PORT="${FB_KAFKA_PORT:-19092}"
FB_PG_PORT="${FB_PG_PORT:-15432}"
FB_SFTP_PORT="${FB_SFTP_PORT:-12222}"
PG_BIN=/usr/lib/postgresql/15/bin
SOURCE_DATABASES=(warehouse donations agency fulfillment)

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
as_postgres() { runuser -u postgres -- "$@"; }

wait_for_port() {
  local port=$1 what=$2 i
  for i in $(seq 1 100); do port_open "$port" && return 0; sleep 0.2; done
  die "$what did not open port $port; see $STACK/logs"
}

# Refuses to start a component whose port another program holds.
claim_port() {
  local port=$1 what=$2 variable=$3
  port_open "$port" && die "port $port ($what) is in use by another program: stop it or set $variable to a free port"
  return 0
}

start_kafka() {
  local pidfile="$STACK/kafka.pid"
  if pid_alive "$pidfile"; then log "kafka (tansu) already running on $FB_KAFKA_PORT"; return; fi
  claim_port "$FB_KAFKA_PORT" kafka FB_KAFKA_PORT
  local bin; bin=$(tansu_bin); [ -x "$bin" ] || die "tansu is not installed: run scripts/setup.sh"
  mkdir -p "$STACK/logs"
  setsid "$bin" broker --listener-url "tcp://127.0.0.1:$FB_KAFKA_PORT" \
    --advertised-listener-url "tcp://127.0.0.1:$FB_KAFKA_PORT" --storage-engine memory://tansu/ \
    >"$STACK/logs/kafka.log" 2>&1 < /dev/null &
  echo $! > "$pidfile"
  wait_for_port "$FB_KAFKA_PORT" tansu
  log "kafka (tansu) listening on 127.0.0.1:$FB_KAFKA_PORT"
}

pg_password() {
  [ -f "$STACK/secrets/pg_password" ] || { mkdir -p "$STACK/secrets"; chmod 700 "$STACK/secrets";
    head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$STACK/secrets/pg_password"; chmod 600 "$STACK/secrets/pg_password"; }
  cat "$STACK/secrets/pg_password"
}

# A local certificate authority and a server certificate for 127.0.0.1 and localhost, so that clients
# can connect with sslmode=verify-full (FOODBANK_PG_CA_FILE names the CA). Made once, kept.
make_pg_certificates() {
  local tls="$STACK/tls"
  [ -f "$tls/server.crt" ] && return 0
  mkdir -p "$tls"; chmod 700 "$tls"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 -subj "/CN=foodbank local CA" \
    -keyout "$tls/ca.key" -out "$tls/ca.crt" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=127.0.0.1" \
    -keyout "$tls/server.key" -out "$tls/server.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > "$tls/server.ext"
  openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.crt" -CAkey "$tls/ca.key" -CAcreateserial -days 3650 \
    -extfile "$tls/server.ext" -out "$tls/server.crt" 2>/dev/null
  chmod 644 "$tls/ca.crt"
}

start_postgres() {
  local data="$STACK/pg/data" sock="$STACK/pg/run"
  if [ -f "$data/postmaster.pid" ] && as_postgres "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    log "postgres already running on $FB_PG_PORT"; create_consumer_logins; return
  fi
  claim_port "$FB_PG_PORT" postgres FB_PG_PORT
  mkdir -p "$STACK/pg" "$STACK/logs"
  chown postgres "$STACK/pg"
  local fresh=0
  if [ ! -f "$data/PG_VERSION" ]; then
    fresh=1
    local pwfile; pwfile=$(mktemp); pg_password > "$pwfile"; chown postgres "$pwfile"
    as_postgres "$PG_BIN/initdb" -D "$data" -U foodbank --pwfile="$pwfile" --auth-local=scram-sha-256 \
      --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
    rm -f "$pwfile"
    cat >> "$data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $FB_PG_PORT
unix_socket_directories = '$sock'
wal_level = logical
max_replication_slots = 16
max_wal_senders = 16
max_connections = 200
shared_buffers = 256MB
fsync = on
timezone = 'UTC'
EOF
    echo "host replication foodbank 127.0.0.1/32 scram-sha-256" >> "$data/pg_hba.conf"
  fi
  # TLS on every start (an older data folder gains it too): the server's key readable by postgres only.
  make_pg_certificates
  install -o postgres -m 600 "$STACK/tls/server.key" "$data/server.key"
  install -o postgres -m 644 "$STACK/tls/server.crt" "$data/server.crt"
  printf "ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n" > "$data/tls.conf"; chown postgres "$data/tls.conf"
  grep -q "include_if_exists = 'tls.conf'" "$data/postgresql.conf" || echo "include_if_exists = 'tls.conf'" >> "$data/postgresql.conf"
  mkdir -p "$sock"; chown postgres "$sock"
  touch "$STACK/logs/postgres.log"; chown postgres "$STACK/logs/postgres.log"
  as_postgres "$PG_BIN/pg_ctl" -D "$data" -l "$STACK/logs/postgres.log" -w start >/dev/null
  log "postgres listening on 127.0.0.1:$FB_PG_PORT"
  [ $fresh -eq 1 ] && create_databases
  create_consumer_logins
  return 0
}

psql_as() { PGPASSWORD="$(pg_password)" psql -h 127.0.0.1 -p "$FB_PG_PORT" -U foodbank -v ON_ERROR_STOP=1 -q "$@"; }

# The consumers' database roles (foodbank_<stage>) with a login and a password each, kept in
# $STACK/secrets. The reporting schema's migrations grant them what their stages own; a role made
# here first is only given its login there. The password goes through psql's standard input, never
# its command line.
CONSUMER_ROLES=(cdc sftp_watcher normalize reconcile dq nightly)
role_password() {
  local file="$STACK/secrets/pg_$1_password"
  [ -f "$file" ] || { pg_password >/dev/null; head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$file"; chmod 600 "$file"; }
  cat "$file"
}
create_consumer_logins() {
  local role
  for role in "${CONSUMER_ROLES[@]}"; do
    psql_as -d postgres >/dev/null <<SQL
SELECT format('CREATE ROLE %I', 'foodbank_$role') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'foodbank_$role') \\gexec
ALTER ROLE foodbank_$role LOGIN PASSWORD '$(role_password "$role")';
SQL
  done
}

# The four source systems from the project's copy of the contract schemas, plus the reporting DB.
create_databases() {
  local db
  for db in "${SOURCE_DATABASES[@]}" reporting; do
    psql_as -d postgres -c "CREATE DATABASE $db" >/dev/null
  done
  for db in "${SOURCE_DATABASES[@]}"; do
    psql_as -d "$db" -f "$FB_ROOT/contract/sources/$db.sql" >/dev/null
  done
  log "created databases ${SOURCE_DATABASES[*]} reporting"
}

# The feed account sees nothing but the inbox: sshd chroots it (ChrootDirectory) to a folder holding
# only the inbox, away from the server's keys. sshd requires the chroot and every folder above it to be
# owned by root and writable by nobody else, so this needs a root sshd (the user running the stack is
# root on these machines); as any other user the stack refuses to start the SFTP server. A checkout
# below a folder that breaks the rule (a clone under /tmp, which anyone may write) gets its chroot
# in /var/lib/foodbank-local-sftp instead; $STACK/sftp/jail names the one in use.
chroot_allowed() {
  local folder="$1"
  while [ "$folder" != "/" ]; do
    [ "$(stat -c %u "$folder")" -eq 0 ] && [ $(( 0$(stat -c %a "$folder") & 022 )) -eq 0 ] || return 1
    folder=$(dirname "$folder")
  done
}

sftp_jail() {
  if [ -f "$STACK/sftp/jail" ]; then cat "$STACK/sftp/jail"; return; fi
  local jail="$STACK/sftp/chroot"
  mkdir -p "$jail"; chown root:root "$jail"; chmod 755 "$jail"
  if ! chroot_allowed "$jail"; then
    rmdir "$jail"
    jail="/var/lib/foodbank-local-sftp/$(printf '%s' "$STACK" | sha256sum | cut -c1-16)/chroot"
    mkdir -p "$jail"; chown root:root "$jail" "$(dirname "$jail")" /var/lib/foodbank-local-sftp; chmod 755 "$jail" "$(dirname "$jail")" /var/lib/foodbank-local-sftp
    chroot_allowed "$jail" || die "sftp: no folder for the chroot: $jail and the folders above it must be owned by root and writable by nobody else"
  fi
  echo "$jail" > "$STACK/sftp/jail"
  echo "$jail"
}

start_sftp() {
  local dir="$STACK/sftp" pidfile="$STACK/sftp/sshd.pid" jail
  if pid_alive "$pidfile"; then log "sftp already running on $FB_SFTP_PORT"; return; fi
  claim_port "$FB_SFTP_PORT" sftp FB_SFTP_PORT
  [ "$(id -u)" -eq 0 ] || die "sftp: confining the feed account to the inbox (ChrootDirectory) needs a root sshd; run the stack as root"
  jail=$(sftp_jail)
  mkdir -p "$jail/inbox/legacy_wms" "$jail/inbox/adjustments" "$STACK/logs"
  [ -f "$dir/host_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -f "$dir/host_ed25519"
  [ -f "$dir/client_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -f "$dir/client_ed25519"
  install -m 600 "$dir/client_ed25519.pub" "$dir/authorized_keys"
  # The feed account may only speak SFTP, chrooted to the jail and starting in its inbox.
  cat > "$dir/sshd_config" <<EOF
ListenAddress 127.0.0.1
Port $FB_SFTP_PORT
HostKey $dir/host_ed25519
PidFile $pidfile
AuthorizedKeysFile $dir/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
AllowUsers $(id -un)
UsePAM no
StrictModes no
AllowTcpForwarding no
X11Forwarding no
PermitTunnel no
Subsystem sftp internal-sftp -d /inbox
ChrootDirectory $jail
ForceCommand internal-sftp -d /inbox
EOF
  mkdir -p /run/sshd
  /usr/sbin/sshd -f "$dir/sshd_config" -E "$STACK/logs/sftp.log"
  wait_for_port "$FB_SFTP_PORT" sshd
  log "sftp listening on 127.0.0.1:$FB_SFTP_PORT, inbox $jail/inbox (the feed account is chrooted to $jail)"
}

write_env() {
  cat > "$STACK/env" <<EOF
KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$FB_KAFKA_PORT
FOODBANK_DATABASE_URL=postgresql://foodbank:$(pg_password)@127.0.0.1:$FB_PG_PORT/reporting
FOODBANK_SOURCE_DATABASE_URL_TEMPLATE=postgresql://foodbank:$(pg_password)@127.0.0.1:$FB_PG_PORT/{db}
FOODBANK_SFTP_HOST=127.0.0.1
FOODBANK_SFTP_PORT=$FB_SFTP_PORT
FOODBANK_SFTP_USER=$(id -un)
FOODBANK_SFTP_KEY_FILE=$STACK/sftp/client_ed25519
FOODBANK_SFTP_HOST_KEY_SHA256=$(ssh-keygen -lf "$STACK/sftp/host_ed25519.pub" | awk '{print $2}')
FOODBANK_SFTP_INBOX=$(cat "$STACK/sftp/jail" 2>/dev/null || echo "$STACK/sftp/chroot")/inbox
FOODBANK_TANSU_BIN=$(tansu_bin)
FOODBANK_KAFKA_PID_FILE=$STACK/kafka.pid
FOODBANK_PG_DATA=$STACK/pg/data
FOODBANK_PG_CA_FILE=$STACK/tls/ca.crt
EOF
  # Each consumer's own role (scripts/run.sh gives each stage its URL as FOODBANK_DATABASE_URL).
  local role
  for role in "${CONSUMER_ROLES[@]}"; do
    echo "FOODBANK_${role^^}_DATABASE_URL=postgresql://foodbank_$role:$(role_password "$role")@127.0.0.1:$FB_PG_PORT/reporting" >> "$STACK/env"
  done
  chmod 600 "$STACK/env"
}

stop_all() {
  if pid_alive "$STACK/sftp/sshd.pid"; then kill "$(cat "$STACK/sftp/sshd.pid")"; log "sftp stopped"; fi
  if [ -f "$STACK/pg/data/postmaster.pid" ]; then
    as_postgres "$PG_BIN/pg_ctl" -D "$STACK/pg/data" -m fast -w stop >/dev/null 2>&1 && log "postgres stopped" || true
  fi
  if pid_alive "$STACK/kafka.pid"; then
    local pid; pid=$(cat "$STACK/kafka.pid"); kill -CONT "$pid" 2>/dev/null || true; kill "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true; rm -f "$STACK/kafka.pid"; log "kafka stopped"
  fi
}

status() {
  pid_alive "$STACK/kafka.pid" && echo "kafka     up   127.0.0.1:$FB_KAFKA_PORT" || echo "kafka     down"
  [ -f "$STACK/pg/data/postmaster.pid" ] && echo "postgres  up   127.0.0.1:$FB_PG_PORT" || echo "postgres  down"
  pid_alive "$STACK/sftp/sshd.pid" && echo "sftp      up   127.0.0.1:$FB_SFTP_PORT" || echo "sftp      down"
}

case "${1:-}" in
  start)
    mkdir -p "$STACK"
    start_kafka; start_postgres; start_sftp; write_env
    log "stack up; its settings are in $STACK/env (export them with: set -a; . $STACK/env; set +a)" ;;
  stop) stop_all ;;
  status) status ;;
  env) write_env; cat "$STACK/env" ;;
  reset) stop_all; [ -f "$STACK/sftp/jail" ] && rm -rf "$(cat "$STACK/sftp/jail")"; rm -rf "$STACK"; log "stack state removed" ;;
  *) echo "usage: $0 start|stop|status|env|reset" >&2; exit 2 ;;
esac
