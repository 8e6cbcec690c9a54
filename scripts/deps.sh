#!/bin/sh
# Install the Debian packages Créneau needs to build, run and test, when they are missing.
# Usage: scripts/deps.sh [build|test]   (default: test, which includes build)
set -eu
what=${1:-test}

build_pkgs="gcc make pkg-config libmicrohttpd-dev libjansson-dev libsqlite3-dev libpq-dev
libsodium-dev libical-dev libicu-dev libcurl4-openssl-dev zlib1g-dev liboath-dev tzdata ca-certificates"
test_pkgs="libcmocka-dev postgresql python3 python3-aiosmtpd wrk curl clang-format"

pkgs=$build_pkgs
[ "$what" = test ] && pkgs="$pkgs $test_pkgs"

missing=""
for p in $pkgs; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "deps: installing$missing"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing
