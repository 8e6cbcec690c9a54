#!/bin/sh
# `make bench`: runs every benchmark in bench/ against the release build. Each prints its
# figures; none fails on a slow machine.
set -eu
cd "$(dirname "$0")/.."
B=${1:-build/release}
for b in bench/*; do
	case $b in bench/run.sh | *.c | *.md) continue ;; esac
	[ -x "$b" ] || continue
	echo "== $b"
	"$b" "$B"
done
