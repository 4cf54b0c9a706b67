#!/bin/bash
# Makes the machine it runs on into the chat image: Java 17, the jar at /opt/chat/chat.jar, the
# login role's systemd unit (enabled only by the login machine's user data) and the chat user.
# Run as root on a fresh Debian 12 builder instance, from a directory holding chat.jar and
# chat-login.service; then make an AMI of the instance (deploy/aws/README.md, "The image").
# Nothing secret goes into the image: the login role generates its secrets on its first start,
# application instances read theirs from Parameter Store.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
jar=${1:-$here/chat.jar}
[ -r "$jar" ] || { echo "install.sh: jar not found: $jar" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "install.sh: run as root" >&2; exit 1; }

export DEBIAN_FRONTEND=noninteractive
apt-get update
# curl: user data reads the instance's addresses from the metadata service
apt-get install -y --no-install-recommends openjdk-17-jre-headless curl ca-certificates

if ! id chat >/dev/null 2>&1; then
  useradd --system --home-dir /var/lib/chat --no-create-home --shell /usr/sbin/nologin chat
fi
install -d -m 0755 /opt/chat
install -m 0644 "$jar" /opt/chat/chat.jar
install -m 0644 "$here/chat-login.service" /etc/systemd/system/chat-login.service
systemctl daemon-reload

# Instances made from the image must run their own user data at first boot, not this machine's.
cloud-init clean --logs
echo "install.sh: $(java -version 2>&1 | head -1); /opt/chat/chat.jar $(sha256sum /opt/chat/chat.jar | cut -c1-16)"
