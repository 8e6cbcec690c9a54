#!/usr/bin/env bash
# `make soak`: the long runs that do not fit in `make test` — thousands of race rounds on both
# stores, a large property run of the slot computation, and the full time-zone sweep against
# Python's zoneinfo. Prints one line per run; takes tens of minutes.
set -u
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-1000}
TMP=$(mktemp -d /tmp/creneau-soak-XXXXXX)
chmod 755 "$TMP"
trap 'scripts/peers/pg.sh stop "$TMP/pg" >/dev/null 2>&1; rm -rf "$TMP"' EXIT
make -s -j2 tests-build || exit 1
export CRENEAU_TEST_PG_URL CRENEAU_TEST_PG_DIR=$TMP/pg CRENEAU_BIN=$PWD/build/debug/creneau
CRENEAU_TEST_PG_URL=$(scripts/peers/pg.sh start "$TMP/pg") || exit 1
status=0
soak() {
	local name=$1; shift
	local t0=$SECONDS
	if "$@" >"$TMP/out" 2>&1; then echo "PASS  $name ($((SECONDS - t0))s)"
	else echo "FAIL  $name ($((SECONDS - t0))s)"; tail -30 "$TMP/out"; status=1; fi
}
soak "races x$ROUNDS (SQLite)" env CRENEAU_TEST_STORE=sqlite CRENEAU_RACE_ROUNDS=$ROUNDS build/debug/tests/api/260-races
soak "races x$ROUNDS (PostgreSQL)" env CRENEAU_TEST_STORE=pg CRENEAU_RACE_ROUNDS=$ROUNDS build/debug/tests/api/260-races
soak "races x$((ROUNDS / 10)), two servers (PostgreSQL)" env CRENEAU_TEST_STORE=pg CRENEAU_RACE_ROUNDS=$((ROUNDS / 10)) build/debug/tests/api/pg-races
soak "slots vs reference, 50000 schedules" tests/prop/run.sh 50000 7
soak "time zones vs zoneinfo, every zone 2020-2037" /usr/bin/python3 scripts/zones-check.py --all --build build/debug
soak "crash storm x${CRASH_ROUNDS:-100}, SIGKILL (SQLite)" env CRASH_ROUNDS=${CRASH_ROUNDS:-100} python3 tests/crash/storm.py sqlite
soak "crash storm x${CRASH_ROUNDS:-100}, SIGKILL of serve and PostgreSQL" env CRASH_ROUNDS=${CRASH_ROUNDS:-100} python3 tests/crash/storm.py pg
soak "sqlmap over public and back-office endpoints (SQLite)" tests/hostile/sqlmap.sh build/debug/creneau
exit $status
