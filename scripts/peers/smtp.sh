#!/bin/sh
# The SMTP server of the tests: aiosmtpd storing every message in a maildir.
#   smtp.sh start DIR   starts it on a free loopback port, waits until it answers, prints 127.0.0.1:PORT
#   smtp.sh stop DIR    stops it
# Messages land in DIR/maildir/new/. Recipients whose local part starts with "bounce" are refused
# with 550 5.1.1 at RCPT TO (scripts/peers/smtp_mailbox.py), the tests' hard bounce. Debian's python3-aiosmtpd is installed for /usr/bin/python3,
# which may not be the python3 first on PATH.
set -eu
cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
py=/usr/bin/python3

case $cmd in
start)
	mkdir -p "$dir/maildir/tmp" "$dir/maildir/new" "$dir/maildir/cur"
	if [ -f "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
		cat "$dir/address"
		exit 0
	fi
	port=$($py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
	PYTHONPATH="$(cd "$(dirname "$0")" && pwd)" \
	$py -m aiosmtpd -n -l "127.0.0.1:$port" -c smtp_mailbox.RefusingMailbox "$dir/maildir" \
		>"$dir/smtp.log" 2>&1 &
	echo $! >"$dir/pid"
	i=0
	until $py -c "import socket,sys; s=socket.create_connection(('127.0.0.1', $port), 1); sys.exit(0 if s.recv(64).startswith(b'220') else 1)" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -ge 100 ] || ! kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
			echo "smtp: aiosmtpd did not start on port $port" >&2
			cat "$dir/smtp.log" >&2
			exit 1
		fi
		sleep 0.1
	done
	echo "127.0.0.1:$port" | tee "$dir/address"
	;;
stop)
	[ -f "$dir/pid" ] || exit 0
	pid=$(cat "$dir/pid")
	kill "$pid" 2>/dev/null || true
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	kill -9 "$pid" 2>/dev/null || true
	rm -f "$dir/pid" "$dir/address"
	;;
*)
	echo "usage: $0 start|stop DIR" >&2
	exit 2
	;;
esac
