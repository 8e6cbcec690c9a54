#!/bin/sh
# sql-literals — a build-time guarantee that every statement the product gives the store is
# written in the source, never built from input (docs/internals/fuzzing.md, "SQL statements are
# literals"). With clang-query over src/ (src/db/, the store layer itself, excepted), every call
# of db_exec, db_query, db_query_int and db_exec_script must pass as its statement:
#   - a string literal (adjacent literals and macros expanding to them are one literal), or a
#     conditional between literals;
#   - a variable whose initializer is one of those and that is const, or local and only ever
#     assigned such values in its function;
#   - an element of a const array initialized with literals only.
# The few functions that compose statements from literal parts, or forward a statement they
# are given, are listed with their reason in scripts/sql-literals.allow; calls to a forwarder
# are checked like store calls. Prints each offending call and exits 1; run by scripts/lint.sh.
set -u
cd "$(dirname "$0")/.."
CQ=$(command -v clang-query || command -v clang-query-14 || true)
if [ -z "$CQ" ]; then
	echo "sql-literals: clang-query not found (Debian package clang-tools; scripts/deps.sh installs it)"
	exit 1
fi
ALLOW=scripts/sql-literals.allow
ENTRIES='"db_exec","db_query","db_query_int","db_exec_script"'
q=$(mktemp)
out=$(mktemp)
trap 'rm -f "$q" "$out"' EXIT

# the exceptions: (file, function) pairs, and the forwarders with their argument
excl=""
fwd=""
while read -r file fn kind _; do
	case "$file" in '' | '#'*) continue ;; esac
	[ -f "$file" ] || { echo "sql-literals: $ALLOW names a missing file $file"; exit 1; }
	re=$(printf '%s' "$file" | sed 's/[.]/\\\\./g')
	excl="$excl${excl:+, }allOf(isExpansionInFileMatching(\"$re\$\"), forFunction(functionDecl(hasName(\"$fn\"))))"
	case "$kind" in
	forward:[0-9]*) fwd="$fwd $fn:${kind#forward:}" ;;
	composed | schema) ;;
	*) echo "sql-literals: $ALLOW: unknown kind '$kind' for $fn"; exit 1 ;;
	esac
done <"$ALLOW"

{
	echo 'set output diag'
	echo 'let LIT stringLiteral()'
	echo 'let COND1 conditionalOperator(hasTrueExpression(ignoringParenImpCasts(LIT)), hasFalseExpression(ignoringParenImpCasts(LIT)))'
	echo 'let LITC anyOf(LIT, COND1, conditionalOperator(hasTrueExpression(ignoringParenImpCasts(anyOf(LIT, COND1))), hasFalseExpression(ignoringParenImpCasts(anyOf(LIT, COND1)))))'
	echo 'let CONSTVAR varDecl(anyOf(hasType(isConstQualified()), hasType(arrayType(hasElementType(isConstQualified())))), hasInitializer(ignoringParenImpCasts(LITC)))'
	echo 'let LOCALVAR varDecl(hasLocalStorage(), unless(parmVarDecl()), hasInitializer(ignoringParenImpCasts(LITC)))'
	echo 'let ARRLIT varDecl(hasType(arrayType(hasElementType(isConstQualified()))), hasInitializer(initListExpr(unless(has(expr(unless(anyOf(ignoringParenImpCasts(LITC), designatedInitExpr(has(expr(ignoringParenImpCasts(LITC))))))))))))'
	echo 'let VAL anyOf(LITC, declRefExpr(to(anyOf(CONSTVAR, LOCALVAR))), arraySubscriptExpr(hasBase(ignoringParenImpCasts(declRefExpr(to(ARRLIT))))))'
	echo 'let SAFE ignoringParenImpCasts(anyOf(VAL, conditionalOperator(hasTrueExpression(ignoringParenImpCasts(VAL)), hasFalseExpression(ignoringParenImpCasts(VAL)))))'
	# store calls whose statement is not safe, outside the listed functions
	echo "match callExpr(callee(functionDecl(hasAnyName($ENTRIES))), unless(hasArgument(1, SAFE))${excl:+, unless(anyOf($excl))})"
	# a local variable used as a statement and assigned something else than a literal
	echo "match binaryOperator(isAssignmentOperator(), hasLHS(ignoringParenImpCasts(declRefExpr(to(varDecl(hasLocalStorage()).bind(\"v\"))))), unless(hasRHS(ignoringParenImpCasts(LITC))), hasAncestor(functionDecl(hasDescendant(callExpr(callee(functionDecl(hasAnyName($ENTRIES))), hasArgument(1, ignoringParenImpCasts(declRefExpr(to(varDecl(equalsBoundNode(\"v\")))))))))))"
	# calls of the forwarders, checked like store calls
	for f in $fwd; do
		echo "match callExpr(callee(functionDecl(hasName(\"${f%%:*}\"))), unless(hasArgument(${f#*:}, SAFE))${excl:+, unless(anyOf($excl))})"
	done
} >"$q"

if [ "${1:-}" = --self-test ]; then
	# every line of the cases marked BAD is reported, and no other
	files=tests/lint/sql-literals-cases.c
	# shellcheck disable=SC2046
	"$CQ" -f "$q" "$files" -- -std=c11 -D_GNU_SOURCE -Isrc $(pkg-config --cflags jansson) >"$out" 2>&1 ||
		{ echo "sql-literals self-test: clang-query failed"; head -20 "$out"; exit 1; }
	got=$(grep '"root" binds here' "$out" | sed 's/^[^:]*:\([0-9]*\):.*/\1/' | sort -n | uniq | tr '\n' ' ')
	want=$(grep -n '/\* BAD \*/' "$files" | cut -d: -f1 | tr '\n' ' ')
	[ -n "$want" ] && [ "$got" = "$want" ] && { echo "sql-literals self-test: ok (lines $want)"; exit 0; }
	echo "sql-literals self-test: reported lines '$got', expected '$want'"
	head -40 "$out"
	exit 1
fi

names=$(printf '%s' "db_exec|db_query|db_query_int|db_exec_script"; for f in $fwd; do printf '|%s' "${f%%:*}"; done)
files=$(grep -rlE "\\b($names)\\b" src --include='*.c' | grep -v '^src/db/' | sort)
pkgs="libmicrohttpd jansson sqlite3 libpq libsodium libical icu-i18n icu-uc libcurl zlib liboath libzip libxml-2.0 xlsxwriter"
# shellcheck disable=SC2046,SC2086
"$CQ" -f "$q" $files -- -std=c11 -D_GNU_SOURCE -Isrc -Ibuild/debug/gen $(pkg-config --cflags $pkgs 2>/dev/null) >"$out" 2>&1
rc=$?
# clang-query answers each match (over all the files) with "N match(es)."; a silent run fails
nq=$(grep -c '^match ' "$q")
nans=$(grep -cE '^[0-9]+ match(es)?\.$' "$out")
if [ $rc -ne 0 ] || grep -q ' error: ' "$out" || [ "$nans" -ne "$nq" ]; then
	echo "sql-literals: clang-query could not parse the sources:"
	grep ' error: ' "$out" | head -5
	exit 1
fi
bad=$(grep -c '"root" binds here' "$out")
if [ "$bad" -ne 0 ]; then
	echo "sql-literals: statements not written as literals (make them literals, or add a justified line to $ALLOW):"
	grep -A1 '"root" binds here' "$out" | grep -v '^--' | paste - - | sed 's|^'"$PWD"'/||; s/: note: "root" binds here//; s/[[:space:]]\{1,\}/ /g'
	exit 1
fi
echo "sql-literals: ok ($(echo "$files" | wc -w) files)"
