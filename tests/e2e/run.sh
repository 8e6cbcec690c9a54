#!/usr/bin/env bash
# The browser tests: node:test + playwright-core driving Debian's chromium against the real
# server (tests/e2e/lib/server.mjs starts it). Installs nothing: scripts/deps.sh does.
# Uses CRENEAU_BIN (default build/debug/creneau) and CRENEAU_TEST_SMTP; when the latter is
# unset (run by hand), starts the test SMTP server itself. Exits with node's status.
set -u
cd "$(dirname "$0")/../.."
export CRENEAU_BIN=${CRENEAU_BIN:-build/debug/creneau}

fail() { echo "e2e: $*" >&2; echo "FAIL  e2e (setup)"; exit 1; }
[ -x "$CRENEAU_BIN" ] || fail "$CRENEAU_BIN is missing: run make first"
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || fail "chromium is missing: run scripts/deps.sh"
[ -d node_modules/playwright-core ] && [ -d node_modules/axe-core ] || fail "node_modules is missing: run scripts/deps.sh"

own_smtp=""
if [ -z "${CRENEAU_TEST_SMTP:-}" ]; then
	own_smtp=$(mktemp -d /tmp/creneau-e2e-smtp-XXXXXX)
	CRENEAU_TEST_SMTP=$(scripts/peers/smtp.sh start "$own_smtp") || fail "could not start the SMTP server"
	export CRENEAU_TEST_SMTP CRENEAU_TEST_MAILDIR=$own_smtp/maildir
fi
cleanup() {
	if [ -n "$own_smtp" ]; then
		scripts/peers/smtp.sh stop "$own_smtp" >/dev/null 2>&1
		rm -rf "$own_smtp"
	fi
}
trap cleanup EXIT

t0=$SECONDS
out=$(mktemp /tmp/creneau-e2e-out-XXXXXX)
node --test --test-reporter=spec tests/e2e/ 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
pass=$(grep -E '^ℹ pass ' "$out" | awk '{print $3}')
failn=$(grep -E '^ℹ fail ' "$out" | awk '{print $3}')
rm -f "$out"
if [ "$rc" -eq 0 ]; then
	echo "PASS  e2e  ${pass:-?} passed ($((SECONDS - t0))s)"
else
	echo "FAIL  e2e  ${pass:-?} passed, ${failn:-?} failed ($((SECONDS - t0))s)"
fi
exit "$rc"
