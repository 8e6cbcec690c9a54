#!/bin/sh
# PgBouncer in transaction mode on loopback, in front of the test PostgreSQL (scripts/peers/pg.sh).
#   scripts/peers/pgbouncer.sh start DIR PG_URL   start it; prints the URL to use instead of PG_URL
#                                                 (same database, user and query part)
#   scripts/peers/pgbouncer.sh stop DIR           stop it
# Every database name is routed to the same PostgreSQL (the "*" fallback), so the fresh
# databases the tests create are reachable through it. The configuration is the one
# docs/operations.md ("Several servers") shows, with auth_type = any because the test
# PostgreSQL trusts its socket (production: auth_type = scram-sha-256 and an auth_file).
# As root, it runs as the postgres user (PgBouncer refuses to run as root).
set -eu
cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start DIR PG_URL | stop DIR" >&2; exit 2; }
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
	url=${3:-}
	[ -n "$url" ] || { echo "usage: $0 start DIR PG_URL" >&2; exit 2; }
	# postgresql://USER@/DB?host=SOCKDIR (the pg.sh form) or postgresql://USER@HOST:PORT/DB
	user=$(echo "$url" | sed -E 's|^postgres(ql)?://([^@:/]*).*|\2|')
	[ -n "$user" ] || user=postgres
	sock=$(echo "$url" | sed -nE 's|.*[?&]host=([^&]*).*|\1|p')
	if [ -n "$sock" ]; then
		backend="host=$sock"
	else
		hp=$(echo "$url" | sed -E 's|^postgres(ql)?://([^@]*@)?([^/?]*).*|\3|')
		backend="host=${hp%%:*} port=$(echo "$hp" | sed -nE 's|.*:([0-9]+)$|\1|p')"
		[ "${backend% port=}" = "$backend" ] || backend="${backend% port=}"
	fi
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	cat >"$dir/pgbouncer.ini" <<INI
[databases]
* = $backend user=$user

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = any
pool_mode = transaction
max_client_conn = 400
default_pool_size = 20
reserve_pool_size = 5
server_reset_query =
ignore_startup_parameters = extra_float_digits
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
INI
	[ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$dir"
	as_pg /usr/sbin/pgbouncer -d -q "$dir/pgbouncer.ini" || { cat "$dir/pgbouncer.log" >&2; exit 1; }
	for _ in $(seq 50); do
		python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null && break
		sleep 0.1
	done
	# the same URL, through PgBouncer over TCP
	db=$(echo "$url" | sed -E 's|^postgres(ql)?://[^/]*/([^?]*).*|\2|')
	echo "postgresql://$user@127.0.0.1:$port/${db:-postgres}?connect_timeout=3"
	;;
stop)
	[ -f "$dir/pgbouncer.pid" ] || exit 0
	pid=$(cat "$dir/pgbouncer.pid")
	kill "$pid" 2>/dev/null || true
	for _ in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || exit 0
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null || true
	;;
*)
	echo "usage: $0 start DIR PG_URL | stop DIR" >&2
	exit 2
	;;
esac
