#!/bin/sh
# Install the Debian packages Créneau needs to build, run and test, when they are missing.
# Usage: scripts/deps.sh [build|test]   (default: test, which includes build)
# For "test" it then installs the npm packages of the browser tests (package.json) when
# node_modules is missing or older than package.json / package-lock.json.
set -eu
what=${1:-test}

build_pkgs="gcc make pkg-config libmicrohttpd-dev libjansson-dev libsqlite3-dev libpq-dev
libsodium-dev libical-dev libicu-dev libcurl4-openssl-dev zlib1g-dev liboath-dev libphonenumber-dev libhpdf-dev fonts-dejavu-core libxlsxwriter-dev libcsv-dev libzip-dev libxml2-dev g++ tzdata
ca-certificates"
test_pkgs="libcmocka-dev postgresql python3 python3-aiosmtpd python3-icalendar wrk curl clang-format
chromium nodejs npm kannel kannel-extras poppler-utils python3-openpyxl python3-vobject unzip
libxml2-utils clang clang-tools haproxy pgbouncer sqlmap"

pkgs=$build_pkgs
[ "$what" = test ] && pkgs="$pkgs $test_pkgs"

missing=""
for p in $pkgs; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] && continue
	# a nodejs build that bundles npm (e.g. NodeSource's) conflicts with Debian's npm package
	[ "$p" = npm ] && command -v npm >/dev/null 2>&1 && continue
	missing="$missing $p"
done

if [ -n "$missing" ]; then
	echo "deps: installing$missing"
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq
	# shellcheck disable=SC2086
	$sudo apt-get install -y -qq --no-install-recommends $missing
fi

# npm packages (browser tests): from the lock file when there is one.
[ "$what" = test ] || exit 0
cd "$(dirname "$0")/.."
[ -f package.json ] || exit 0
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package.json -nt "$stamp" ] ||
	{ [ -f package-lock.json ] && [ package-lock.json -nt "$stamp" ]; }; then
	if [ -f package-lock.json ]; then
		echo "deps: npm ci"
		npm ci --no-audit --no-fund
	else
		echo "deps: npm install"
		npm install --no-audit --no-fund
	fi
fi
