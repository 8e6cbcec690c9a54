#!/bin/sh
# Property tests of schedule/slots against the minute-by-minute reference in slots_ref.py.
# Usage: tests/prop/run.sh [CASES [SEED]]   (default 2000 cases, seed 1; VARIANT=asan works too)
# Builds the driver against build/$VARIANT/libcreneau.a with the Makefile's own flags.
set -eu
cd "$(dirname "$0")/../.."
N=${1:-2000}
SEED=${2:-1}
V=${VARIANT:-debug}
B=build/$V
make -s VARIANT="$V" "$B/libcreneau.a"
var() { make -s --no-print-directory VARIANT="$V" --eval 'print-%: ; @echo $($*)' "print-$1"; }
mkdir -p "$B/tests/prop"
# shellcheck disable=SC2046
${CC:-cc} $(var ALL_CFLAGS) -o "$B/tests/prop/slots_prop" tests/prop/slots_prop.c "$B/libcreneau.a" \
	$(var LDFLAGS_ALL) $(var LDLIBS_ALL)
OUT=$(mktemp /tmp/slots-prop-XXXXXX)
trap 'rm -f "$OUT"' EXIT
timeout 300 "$B/tests/prop/slots_prop" "$N" "$SEED" >"$OUT"
/usr/bin/python3 tests/prop/slots_ref.py "$OUT"
