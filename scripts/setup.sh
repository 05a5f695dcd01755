#!/bin/sh
# setup.sh: install what the build and the tests need on Debian 12.
# As root it runs apt-get; otherwise it prints the exact command to run.
set -u
PKGS="gcc make pkg-config clang libclang-rt-14-dev libsqlite3-dev libcjson-dev zlib1g-dev
 libsodium-dev libssl-dev libpcre2-dev libxxhash-dev libmicrohttpd-dev libcurl4-openssl-dev sqlite3 python3
 clang-format openssl curl gzip tar"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
	echo "setup: installing:$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null && apt-get install -y -qq $missing >/dev/null ||
		{ echo "setup: apt-get install failed" >&2; exit 1; }
else
	echo "setup: missing packages:$missing" >&2
	echo "setup: run: sudo apt-get install -y$missing" >&2
	exit 1
fi
