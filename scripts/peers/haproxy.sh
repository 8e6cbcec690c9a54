#!/bin/sh
# haproxy on loopback in front of several `creneau serve`: round robin, health checks on
# /healthz, the client's address passed on in X-Forwarded-For.
#   scripts/peers/haproxy.sh start DIR HOST:PORT...   start it; prints its base URL
#   scripts/peers/haproxy.sh stop DIR                 stop it
# The configuration is the one docs/operations.md ("Several servers") shows, without TLS.
set -eu
cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start DIR HOST:PORT... | stop DIR" >&2; exit 2; }
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

case $cmd in
start)
	shift 2
	[ $# -gt 0 ] || { echo "usage: $0 start DIR HOST:PORT..." >&2; exit 2; }
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	{
		cat <<CFG
global
	maxconn 4000
	pidfile $dir/haproxy.pid

defaults
	mode http
	timeout connect 2s
	timeout client 30s
	timeout server 30s
	timeout http-request 10s
	option http-server-close
	option forwardfor
	retries 2
	option redispatch

frontend www
	bind 127.0.0.1:$port
	default_backend creneau

backend creneau
	balance roundrobin
	option httpchk GET /healthz
	http-check expect status 200
	default-server inter 500ms fall 2 rise 1 maxconn 200
CFG
		n=0
		for s in "$@"; do
			n=$((n + 1))
			printf '\tserver s%d %s check\n' "$n" "$s"
		done
	} >"$dir/haproxy.cfg"
	/usr/sbin/haproxy -c -q -f "$dir/haproxy.cfg" >"$dir/check.log" 2>&1 || { cat "$dir/check.log" >&2; exit 1; }
	/usr/sbin/haproxy -D -f "$dir/haproxy.cfg" >"$dir/haproxy.log" 2>&1 || { cat "$dir/haproxy.log" >&2; exit 1; }
	for _ in $(seq 50); do
		python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null && break
		sleep 0.1
	done
	echo "http://127.0.0.1:$port"
	;;
stop)
	[ -f "$dir/haproxy.pid" ] || exit 0
	for pid in $(cat "$dir/haproxy.pid"); do
		kill "$pid" 2>/dev/null || true
	done
	rm -f "$dir/haproxy.pid"
	;;
*)
	echo "usage: $0 start DIR HOST:PORT... | stop DIR" >&2
	exit 2
	;;
esac
