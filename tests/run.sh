#!/usr/bin/env bash
# The whole test suite, as CI runs it (`make test`):
#   1. build everything with -Werror;
#   2. start the real peers on loopback: PostgreSQL (initdb + pg_ctl in a temp dir) and an SMTP
#      server (aiosmtpd);
#   3. unit tests, fuzz corpora replayed, the time-zone comparison with Python's zoneinfo;
#   4. the API tests on SQLite, then on PostgreSQL;
#   5. unit and API tests (SQLite) again under ASan+UBSan.
# Usage: tests/run.sh [all|unit|api]    Prints one summary line per suite and a total.
set -u
cd "$(dirname "$0")/.."
what=${1:-all}
JOBS=${JOBS:-2}
TMP=$(mktemp -d /tmp/creneau-test-XXXXXX)
chmod 755 "$TMP"
LOG=$TMP/log
mkdir -p "$LOG"
failed=()
passed=0

cleanup() {
	scripts/peers/smtp.sh stop "$TMP/smtp" >/dev/null 2>&1
	scripts/peers/kannel.sh stop "$TMP/kannel" >/dev/null 2>&1
	scripts/peers/pg.sh stop "$TMP/pg" >/dev/null 2>&1
	[ -n "${KEEP_TMP:-}" ] || rm -rf "$TMP"
}
trap cleanup EXIT

say() { printf '%s\n' "$*"; }

# run NAME CMD... : runs one suite, keeps its output, prints one summary line
run() {
	local name=$1; shift
	local out="$LOG/$(echo "$name" | tr '/ ' '__').log"
	local t0=$SECONDS
	"$@" >"$out" 2>&1
	local rc=$?
	local summary
	summary=$(grep -E '^\[  (PASSED|FAILED)  \]' "$out" | tr '\n' ' ')
	if [ $rc -eq 0 ]; then
		passed=$((passed + 1))
		say "PASS  $name  ${summary:-ok}($((SECONDS - t0))s)"
	else
		failed+=("$name")
		say "FAIL  $name  ${summary:-exit $rc}($((SECONDS - t0))s)"
		sed -n '1,200p' "$out" | grep -vE '^\[ (RUN|       OK) ' | tail -60 | sed 's/^/      /'
	fi
}

build() {
	local variant=$1
	say "== build ($variant)"
	if ! make -s -j"$JOBS" VARIANT="$variant" tests-build >"$LOG/build-$variant.log" 2>&1; then
		cat "$LOG/build-$variant.log"
		say "FAIL  build ($variant)"
		exit 1
	fi
}

start_peers() {
	say "== peers"
	if ! CRENEAU_TEST_PG_URL=$(scripts/peers/pg.sh start "$TMP/pg" 2>"$LOG/pg-start.log"); then
		cat "$LOG/pg-start.log"; say "FAIL  could not start PostgreSQL"; exit 1
	fi
	export CRENEAU_TEST_PG_URL CRENEAU_TEST_PG_DIR=$TMP/pg
	if ! CRENEAU_TEST_SMTP=$(scripts/peers/smtp.sh start "$TMP/smtp" 2>"$LOG/smtp-start.log"); then
		cat "$LOG/smtp-start.log"; say "FAIL  could not start the SMTP server"; exit 1
	fi
	export CRENEAU_TEST_SMTP CRENEAU_TEST_MAILDIR=$TMP/smtp/maildir
	say "      postgresql $CRENEAU_TEST_PG_URL"
	say "      smtp       $CRENEAU_TEST_SMTP"
	if ! kannel_out=$(scripts/peers/kannel.sh start "$TMP/kannel" 2>"$LOG/kannel-start.log"); then
		cat "$LOG/kannel-start.log"; say "FAIL  could not start Kannel"; exit 1
	fi
	CRENEAU_TEST_KANNEL_URL=$(echo "$kannel_out" | sed -n 1p)
	CRENEAU_TEST_FAKESMSC_LOG=$(echo "$kannel_out" | sed -n 2p)
	export CRENEAU_TEST_KANNEL_URL CRENEAU_TEST_FAKESMSC_LOG CRENEAU_TEST_KANNEL_DIR=$TMP/kannel
	say "      kannel     $CRENEAU_TEST_KANNEL_URL"
}

unit_suites() {
	local b=$1
	for t in $(find "$b/tests/unit" -type f -perm -u+x 2>/dev/null | sort); do
		run "unit ${t#"$b/tests/unit/"} ($(basename "$b"))" "$t"
	done
}

api_suites() {
	local b=$1 store=$2
	for t in $(find "$b/tests/api" -maxdepth 1 -type f -perm -u+x -name '[0-9]*' | sort); do
		run "api $(basename "$t") ($store, $(basename "$b"))" env CRENEAU_TEST_STORE="$store" "$t"
	done
	if [ "$store" = pg ]; then
		for t in $(find "$b/tests/api" -maxdepth 1 -type f -perm -u+x -name 'pg-*' | sort); do
			run "api $(basename "$t") (pg, $(basename "$b"))" env CRENEAU_TEST_STORE=pg "$t"
		done
	fi
}

# Delivery: real `creneau worker` processes (CRENEAU_BIN) killed with -9 on SQLite, and two of
# them sharing PostgreSQL, sending to the SMTP peer (tests/delivery/, docs/internals/reminders.md).
delivery_suites() {
	local b=$1
	run "delivery crash: kill -9 during 1000 reminders (sqlite, $(basename "$b"))" \
		env CRENEAU_TEST_STORE=sqlite "$b/tests/delivery/crash"
	run "delivery two workers over 1000 messages (pg, $(basename "$b"))" \
		env CRENEAU_TEST_STORE=pg "$b/tests/delivery/two-workers"
}

# Crash safety and backups (tests/crash/, docs/internals/backup.md): SIGKILL of `creneau serve`
# (and of PostgreSQL) under a 16-client booking storm; a backup under load, restored.
crash_suites() {
	run "crash: SIGKILL under a booking storm, ${CRASH_ROUNDS:-4} rounds (sqlite)" python3 tests/crash/storm.py sqlite
	run "crash: SIGKILL of serve and of PostgreSQL under a booking storm (pg)" python3 tests/crash/storm.py pg
	run "backup under load, restore, deletion ledger, prune (sqlite)" python3 tests/crash/backup.py
}

# Several servers (tests/multi/: two serve and two workers on PgBouncer behind haproxy) and
# fault injection over the API scenarios (tests/faults/); docs/internals/faults.md.
multi_suites() {
	local b=$1
	run "several servers behind haproxy, PgBouncer (pg, $(basename "$b"))" \
		env CRENEAU_TEST_STORE=pg "$b/tests/multi/servers"
}
fault_suites() {
	local b=$1 store=$2
	run "faults: every statement of the API scenarios ($store, $(basename "$b"))" \
		env CRENEAU_TEST_STORE="$store" "$b/tests/faults/api-faults"
}

fuzz_replay() {
	local b=$1
	for t in $(find "$b/tests/fuzz" -type f -perm -u+x -name '*-replay' 2>/dev/null | sort); do
		run "fuzz corpus $(basename "$t" -replay)" "$t"
	done
}

t_start=$SECONDS
export CRENEAU_BIN=$PWD/build/debug/creneau
build debug
start_peers
case $what in
unit) unit_suites build/debug ;;
api) api_suites build/debug sqlite; api_suites build/debug pg; delivery_suites build/debug
	multi_suites build/debug; fault_suites build/debug sqlite; fault_suites build/debug pg ;;
all)
	say "== source checks"
	run "format (clang-format)" make -s fmt-check
	run "lint (banned.h, layering, one route table)" scripts/lint.sh
	say "== unit"
	unit_suites build/debug
	fuzz_replay build/debug
	run "slots vs brute-force reference (2000 random schedules)" tests/prop/run.sh 2000 1
	if [ -x scripts/zones-check.py ]; then
		run "time zones vs Python zoneinfo (sample)" /usr/bin/python3 scripts/zones-check.py --build build/debug
	fi
	say "== api on SQLite"
	api_suites build/debug sqlite
	say "== api on PostgreSQL"
	api_suites build/debug pg
	say "== delivery (worker processes)"
	delivery_suites build/debug
	say "== several servers, faults"
	multi_suites build/debug
	fault_suites build/debug sqlite
	fault_suites build/debug pg
	say "== crash safety and backups"
	crash_suites
	say "== hostile clients (a real server)"
	run "hostile HTTP: 10 000 idle, slowloris, huge headers, garbage" /usr/bin/python3 tests/hostile/hostile.py "$CRENEAU_BIN"
	say "== browser (headless Chromium)"
	run "e2e web pages" tests/e2e/run.sh
	say "== ASan + UBSan"
	build asan
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	export CRENEAU_BIN=$PWD/build/asan/creneau
	unit_suites build/asan
	api_suites build/asan sqlite
	fault_suites build/asan sqlite
	;;
esac

say ""
say "== summary: ${passed} suites passed, ${#failed[@]} failed, $((SECONDS - t_start))s"
for f in "${failed[@]}"; do say "   failed: $f"; done
[ ${#failed[@]} -eq 0 ]
