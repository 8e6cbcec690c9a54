#!/usr/bin/env bash
# `make fuzz`: builds each tests/fuzz/<target>.c with libFuzzer (clang) and AddressSanitizer +
# UndefinedBehaviorSanitizer (VARIANT=fuzz) and fuzzes it for FUZZ_SECONDS (default 10) starting
# from its corpus; prints the executions of each target. New inputs that add coverage go to
# build/fuzz/corpus/<target>/ (copy the interesting ones, small, into tests/fuzz/corpus/); a
# crash leaves its input in build/fuzz/ and makes the run fail. FUZZ_TARGETS="a b" picks targets.
# docs/internals/fuzzing.md.
set -eu
cd "$(dirname "$0")/../.."
SECONDS_EACH=${FUZZ_SECONDS:-10}
B=build/fuzz
targets=${FUZZ_TARGETS:-$(for s in tests/fuzz/*.c; do t=$(basename "$s" .c); [ "$t" = replay ] || echo "$t"; done)}
bins=$(for t in $targets; do echo "$B/tests/fuzz/$t-fuzz"; done)
make -s -j2 VARIANT=fuzz CC=clang CXX=clang++ CFLAGS="-fsanitize=fuzzer-no-link" $bins
status=0
summary=""
for t in $targets; do
	mkdir -p "$B/corpus/$t"
	echo "== fuzzing $t for ${SECONDS_EACH}s"
	log="$B/$t.log"
	if "$B/tests/fuzz/$t-fuzz" -max_total_time="$SECONDS_EACH" -print_final_stats=1 -artifact_prefix="$B/$t-" \
		"$B/corpus/$t" "tests/fuzz/corpus/$t" >"$log" 2>&1; then
		verdict="no finding"
	else
		verdict="FINDING (see $log)"
		status=1
		tail -30 "$log"
	fi
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	summary="$summary$(printf '%-14s %12s executions in %ss: %s' "$t" "${runs:-?}" "$SECONDS_EACH" "$verdict")
"
done
printf '\n== fuzz summary\n%s' "$summary"
exit $status
