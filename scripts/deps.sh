#!/bin/sh
# Install the Debian packages cnm builds and tests with, if any are missing.
set -e
pkgs="build-essential pkg-config libnftables-dev libjansson-dev libsqlite3-dev
libcmocka-dev libldns-dev bats iproute2 iputils-ping nftables sqlite3 util-linux procps jq socat
graphviz containernetworking-plugins podman crun busybox-static
dnsutils dnsmasq-base strace clang libclang-rt-14-dev clang-tidy cppcheck"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
