#!/bin/bash
# Boots one chat application instance on a fresh EC2 machine whose image already holds the jar.
#
# The login role renders this template by replacing each placeholder (a name in double braces)
# with one single-quoted shell word, so values need no quoting here and cannot break out.
# Nothing secret belongs in this file: user data is readable by any process on the machine
# through the instance metadata service. The instance's secrets (store and broker credentials,
# its own secret) wait in an SSM Parameter Store SecureString named by SECRETS_PARAMETER; the
# jar reads it at start-up with the instance profile's credentials and never logs the values.
#
# Optional environment (e.g. from the image or a test harness):
#   CHAT_JAR             jar to run (default /opt/chat/chat.jar)
#   CHAT_ADVERTISE_HOST  address other servers and clients use to reach this instance
#   CHAT_SSM_ENDPOINT    SSM endpoint to read the secrets from (default: the region's own)
#   CHAT_TLS_CERT        with TLS on, the login role's certificate (default /opt/chat/tls/server.crt)
#   CHAT_TLS_KEY         with TLS on, its key (default /opt/chat/tls/server.key); the image holds
#                        both, never the user data
#   CHAT_ADMIN_PORT      port of the instance's metrics and health listener, on loopback
#                        (default APP_PORT + 1)
#   CHAT_READY_SECONDS   how long to wait for the instance to be ready (default 120)
#
# On a machine run by systemd the instance becomes the unit chat-app.service: started once it
# answers GET /health/ready with 200 (ExecStartPost waits for that), restarted when it fails.
# Elsewhere (a container, the end-to-end test) the JVM replaces this shell, and a watcher logs
# when it is ready.
set -euo pipefail

INSTANCE_ID={{INSTANCE_ID}}
# the broker's AMQP URL, or both of a pair's separated by commas: the instance tries them in turn
BROKER_URL={{BROKER_URL}}
STORE_URL={{STORE_URL}}
CAPACITY={{CAPACITY}}
CLUSTER={{CLUSTER}}
APP_PORT={{APP_PORT}}
SECRETS_PARAMETER={{SECRETS_PARAMETER}}
REGION={{AWS_REGION}}
TLS={{TLS}}
# private: clients reach instances inside the VPC; public: over the internet
ADVERTISE_ADDRESS={{ADVERTISE_ADDRESS}}

# stderr lands in cloud-init's log and the journal, stdout may not.
log() {
  printf 'chat-user-data[%s]: %s\n' "$INSTANCE_ID" "$*" >&2
}

# IMDSv2 needs a session token before any metadata read; short timeouts keep a boot outside
# EC2 (or with the metadata service disabled) from hanging here. $1: local-ipv4 or public-ipv4.
imds_ipv4() {
  local imds='http://169.254.169.254' item="$1" token ip
  command -v curl >/dev/null 2>&1 || return 1
  token=$(curl -fsS --connect-timeout 1 --max-time 2 -X PUT \
    -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' "$imds/latest/api/token") || return 1
  [ -n "$token" ] || return 1
  ip=$(curl -fsS --connect-timeout 1 --max-time 2 \
    -H "X-aws-ec2-metadata-token: $token" "$imds/latest/meta-data/$item") || return 1
  # An HTML error page from a proxy must not become the advertised address.
  [[ "$ip" =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ ]] || return 1
  printf '%s\n' "$ip"
}

first_host_address() {
  local addresses first
  addresses=$(hostname -I 2>/dev/null) || return 1
  read -r first _ <<<"$addresses" || true
  [ -n "${first:-}" ] || return 1
  printf '%s\n' "$first"
}

ADVERTISE_HOST="${CHAT_ADVERTISE_HOST:-}"
if [ -z "$ADVERTISE_HOST" ] && [ "$ADVERTISE_ADDRESS" = public ]; then
  # no fallback to a private address: clients on the internet could not use it
  ADVERTISE_HOST=$(imds_ipv4 public-ipv4 || true)
  if [ -z "$ADVERTISE_HOST" ]; then
    log "no public IPv4 address: launch into a subnet that assigns one, or set advertiseAddress=private"
    exit 1
  fi
fi
if [ -z "$ADVERTISE_HOST" ]; then
  ADVERTISE_HOST=$(imds_ipv4 local-ipv4 || true)
fi
if [ -z "$ADVERTISE_HOST" ]; then
  ADVERTISE_HOST=$(first_host_address || true)
fi
if [ -z "$ADVERTISE_HOST" ]; then
  log "no address to advertise: set CHAT_ADVERTISE_HOST"
  exit 1
fi

if [ ! -r "${CHAT_JAR:-/opt/chat/chat.jar}" ]; then
  log "jar not found: ${CHAT_JAR:-/opt/chat/chat.jar}"
  exit 1
fi
if ! command -v java >/dev/null 2>&1; then
  log "java not found on PATH"
  exit 1
fi

# The parameter's name, not its value: passed in the environment, like everything the jar
# reads before its flags, and empty means the instance needs no secrets.
if [ -n "$SECRETS_PARAMETER" ]; then
  export CHAT_SECRETS_PARAMETER="$SECRETS_PARAMETER"
fi
# The region the parameter lives in; without it the SDK asks the metadata service.
if [ -n "$REGION" ]; then
  export AWS_REGION="$REGION"
fi
# The login role trusts its own certificate only: an instance serves that same pair.
tls_flags=()
if [ "$TLS" = true ]; then
  tls_flags=(--tls --tls-cert "${CHAT_TLS_CERT:-/opt/chat/tls/server.crt}" \
    --tls-key "${CHAT_TLS_KEY:-/opt/chat/tls/server.key}")
fi

ADMIN_PORT="${CHAT_ADMIN_PORT:-$((APP_PORT + 1))}"
READY_SECONDS="${CHAT_READY_SECONDS:-120}"

# Waits until the instance on loopback port $1 answers GET /health/ready with 200, at most $2
# seconds, while process $3 (when given) lives. A listener that wants a bearer token (the image
# configured admin.token) answers 401: it is up, and readiness cannot be read from here.
wait_ready() {
  local port=$1 seconds=$2 pid=${3:-} code deadline
  deadline=$((SECONDS + seconds))
  command -v curl >/dev/null 2>&1 || { echo "curl not found: readiness not checked" >&2; return 0; }
  while [ "$SECONDS" -lt "$deadline" ]; do
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      return 1
    fi
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$port/health/ready" || true)
    case "$code" in
      200) echo "ready: http://127.0.0.1:$port/health/ready" >&2; return 0 ;;
      401) echo "the admin listener wants a bearer token: readiness not checked" >&2; return 0 ;;
    esac
    sleep 1
  done
  echo "not ready within $seconds s: http://127.0.0.1:$port/health/ready" >&2
  return 1
}

args=(-jar "${CHAT_JAR:-/opt/chat/chat.jar}"
  --role=app
  --instance-id="$INSTANCE_ID"
  --broker-url="$BROKER_URL"
  --store-url="$STORE_URL"
  --capacity="$CAPACITY"
  --host 0.0.0.0
  --port "$APP_PORT"
  --advertise-host "$ADVERTISE_HOST"
  --set "app.adminPort=$ADMIN_PORT"
  ${tls_flags[@]+"${tls_flags[@]}"})

log "starting app instance of cluster $CLUSTER on port $APP_PORT, advertised as $ADVERTISE_HOST, health on 127.0.0.1:$ADMIN_PORT"

# One word of a systemd unit line: quoted, with what systemd would expand ($, %) escaped.
unit_word() {
  local w=${1//\\/\\\\}
  w=${w//\"/\\\"}
  w=${w//\$/\$\$}
  w=${w//%/%%}
  printf '"%s"' "$w"
}

if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  ready_check=/usr/local/sbin/chat-app-ready
  {
    echo '#!/bin/bash'
    declare -f wait_ready
    echo 'wait_ready "$@"'
  } > "$ready_check"
  chmod 0755 "$ready_check"
  exec_start="$(unit_word "$(command -v java)")"
  for a in "${args[@]}" --data-dir /var/lib/chat-app; do
    exec_start+=" $(unit_word "$a")"
  done
  environment=""
  # names and a region, never secrets: the JVM reads its secrets from the parameter
  for v in CHAT_SECRETS_PARAMETER AWS_REGION CHAT_SSM_ENDPOINT; do
    if [ -n "${!v:-}" ]; then
      environment+="Environment=$(unit_word "$v=${!v}")"$'\n'
    fi
  done
  cat > /etc/systemd/system/chat-app.service <<UNIT
[Unit]
Description=chat application instance $(unit_word "$INSTANCE_ID")
Wants=network-online.target
After=network-online.target

[Service]
Type=exec
${environment}ExecStart=$exec_start
# started (and systemctl start returns) only once the instance is ready
ExecStartPost=$ready_check $ADMIN_PORT $READY_SECONDS
TimeoutStartSec=$((READY_SECONDS + 30))
Restart=on-failure
RestartSec=5
StateDirectory=chat-app
StateDirectoryMode=0700
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes

[Install]
WantedBy=multi-user.target
UNIT
  systemctl daemon-reload
  if systemctl enable --now chat-app.service; then
    log "chat-app.service is ready"
  else
    log "chat-app.service did not become ready: journalctl -u chat-app.service"
    exit 1
  fi
  exit 0
fi

# No systemd: exec so the JVM replaces this shell and is the instance's service process; a
# watcher (a child of that same process) logs when it is ready and ends with it.
( if wait_ready "$ADMIN_PORT" "$READY_SECONDS" $$; then log "ready"; else log "not ready"; fi ) &
exec java "${args[@]}"
