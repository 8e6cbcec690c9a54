#!/bin/sh
# Standing checks on the sources that the compiler cannot make:
# - every .c under src/ includes base/banned.h last, so banned calls are compile errors;
# - only src/http includes microhttpd.h; only src/db includes sqlite3.h or libpq-fe.h;
# - the route table lives in src/app/routes.c only;
# - every SQL statement given to the store is a literal (scripts/sql-literals.sh).
set -u
cd "$(dirname "$0")/.."
bad=0
for f in $(find src -name '*.c'); do
	last=$(grep -E '^#include .*\.h[">]' "$f" | tail -1)
	[ "$last" = '#include "base/banned.h"' ] || { echo "lint: $f: base/banned.h is not the last include"; bad=1; }
done
hits=$(grep -rl 'microhttpd.h' src | grep -v '^src/http/' || true)
[ -z "$hits" ] || { echo "lint: microhttpd.h outside src/http: $hits"; bad=1; }
hits=$(grep -rlE 'sqlite3.h|libpq-fe.h' src | grep -v '^src/db/' || true)
[ -z "$hits" ] || { echo "lint: a store driver header outside src/db: $hits"; bad=1; }
hits=$(grep -rl 'struct http_route app_routes\[\] = ' src | grep -v '^src/app/routes.c' || true)
[ -z "$hits" ] || { echo "lint: route table outside src/app/routes.c: $hits"; bad=1; }
# ---- SQL statements are literals (scripts/sql-literals.sh, docs/internals/fuzzing.md) ----
scripts/sql-literals.sh --self-test >/dev/null || { scripts/sql-literals.sh --self-test; bad=1; }
scripts/sql-literals.sh || bad=1
# ---- end of the SQL check ----
[ $bad -eq 0 ] && echo "lint: ok"
exit $bad
