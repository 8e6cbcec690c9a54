#!/usr/bin/env bash
# `make fuzz`: builds each tests/fuzz/<target>.c with libFuzzer (clang) and AddressSanitizer and
# fuzzes it for FUZZ_SECONDS (default 60) starting from its corpus; new inputs that add coverage
# go to build/fuzz/corpus/<target>/ (copy the interesting ones into tests/fuzz/corpus/).
set -eu
cd "$(dirname "$0")/../.."
SECONDS_EACH=${FUZZ_SECONDS:-60}
B=build/fuzz
make -s -j2 VARIANT=fuzz CC=clang CXX=clang++ CFLAGS="-fsanitize=fuzzer-no-link" build/fuzz/libcreneau.a
for src in tests/fuzz/*.c; do
	t=$(basename "$src" .c)
	[ "$t" = replay ] && continue
	mkdir -p "$B/corpus/$t"
	clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -Isrc -Itests \
		$(pkg-config --cflags jansson libmicrohttpd) -o "$B/$t" "$src" "$B/libcreneau.a" \
		$(pkg-config --libs libmicrohttpd jansson sqlite3 libpq libsodium libical icu-i18n icu-uc libcurl zlib liboath) \
		-lphonenumber -lstdc++ -lm -lpthread
	echo "== fuzzing $t for ${SECONDS_EACH}s"
	"$B/$t" -max_total_time="$SECONDS_EACH" -print_final_stats=1 "$B/corpus/$t" "tests/fuzz/corpus/$t" 2>&1 | tail -12
done
