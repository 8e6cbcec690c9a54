#!/bin/sh
# A throwaway PostgreSQL 15 for tests, in a directory of its own.
#   scripts/peers/pg.sh start DIR   initdb (first time) and start; prints the store URL
#   scripts/peers/pg.sh stop DIR    stop it (fast shutdown)
# Unix socket only (DIR/sock), no TCP; fsync off (functional tests, never crash tests).
# As root, the server runs as the postgres user (it refuses to run as root).
set -eu
bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

as_pg() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

case $cmd in
start)
	mkdir -p "$dir/sock"
	if [ "$(id -u)" -eq 0 ]; then
		chown postgres:postgres "$dir" "$dir/sock"
		[ -d "$dir/pg" ] && chown -R postgres:postgres "$dir/pg"
		# The postgres user must be able to reach DIR (a parent may be 0700, e.g. mktemp -d).
		p=$(dirname "$dir")
		while [ "$p" != / ]; do
			runuser -u postgres -- test -x "$p" || chmod o+x "$p"
			p=$(dirname "$p")
		done
	fi
	if [ ! -f "$dir/pg/PG_VERSION" ]; then
		as_pg "$bin/initdb" -D "$dir/pg" -A trust -U postgres -E UTF8 --no-locale \
			>"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
	fi
	as_pg "$bin/pg_ctl" -D "$dir/pg" -l "$dir/pg.log" -w -t 30 \
		-o "-k $dir/sock -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
		start >/dev/null || { cat "$dir/pg.log" >&2; exit 1; }
	echo "postgresql://postgres@/postgres?host=$dir/sock"
	;;
stop)
	[ -f "$dir/pg/postmaster.pid" ] || exit 0
	as_pg "$bin/pg_ctl" -D "$dir/pg" -m fast -w -t 30 stop >/dev/null
	;;
*)
	echo "usage: $0 start|stop DIR" >&2
	exit 2
	;;
esac
