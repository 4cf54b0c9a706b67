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

log "starting app instance of cluster $CLUSTER on port $APP_PORT, advertised as $ADVERTISE_HOST"

# exec so the JVM replaces this shell and is the instance's service process.
exec java -jar "${CHAT_JAR:-/opt/chat/chat.jar}" \
  --role=app \
  --instance-id="$INSTANCE_ID" \
  --broker-url="$BROKER_URL" \
  --store-url="$STORE_URL" \
  --capacity="$CAPACITY" \
  --host 0.0.0.0 \
  --port "$APP_PORT" \
  --advertise-host "$ADVERTISE_HOST" \
  ${tls_flags[@]+"${tls_flags[@]}"}
