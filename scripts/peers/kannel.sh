#!/bin/sh
# The SMS gateway of the tests: Kannel's bearerbox and smsbox with fakesmsc playing the operator.
#   kannel.sh start DIR   starts the three on free loopback ports, waits until sendsms answers,
#                         prints two lines: the sendsms base URL (http://127.0.0.1:PORT/cgi-bin/sendsms)
#                         and the path of the fakesmsc log (every SMS the operator received)
#   kannel.sh stop DIR    stops them
#   kannel.sh pause DIR   stops them (Kannel down), keeping the ports and the log
#   kannel.sh resume DIR  starts them again on the same ports
# Configuration from /work/shared/testdata/kannel.conf.in (or $KANNEL_CONF_IN): user creneau,
# password secret. Logs in DIR.
set -eu
cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop|pause|resume DIR" >&2; exit 2; }
py=/usr/bin/python3
conf_in=${KANNEL_CONF_IN:-/work/shared/testdata/kannel.conf.in}
fakesmsc=/usr/lib/kannel/test/fakesmsc

free_port() {
	$py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

alive() { [ -f "$dir/$1.pid" ] && kill -0 "$(cat "$dir/$1.pid")" 2>/dev/null; }

# wait_port PORT WHAT: until something accepts on PORT (10 s)
wait_port() {
	i=0
	until $py -c "import socket; socket.create_connection(('127.0.0.1', $1), 1).close()" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -ge 100 ]; then
			echo "kannel: $2 does not listen on port $1" >&2
			tail -20 "$dir"/*.log >&2 || true
			return 1
		fi
		sleep 0.1
	done
}

stop_one() {
	[ -f "$dir/$1.pid" ] || return 0
	pid=$(cat "$dir/$1.pid")
	kill "$pid" 2>/dev/null || true
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	kill -9 "$pid" 2>/dev/null || true
	rm -f "$dir/$1.pid"
}

# start_boxes: bearerbox, smsbox, then fakesmsc (which exits whenever the bearerbox goes, so it is
# started again with them); waits until the bearerbox says its SMSC is online
start_boxes() {
	. "$dir/ports"
	/usr/sbin/bearerbox "$dir/kannel.conf" >"$dir/bearerbox.out" 2>&1 &
	echo $! >"$dir/bearerbox.pid"
	wait_port "$SMSBOX_PORT" bearerbox
	/usr/sbin/smsbox "$dir/kannel.conf" >"$dir/smsbox.out" 2>&1 &
	echo $! >"$dir/smsbox.pid"
	wait_port "$SENDSMS_PORT" smsbox
	# -m 0: it sends nothing itself; it logs every message it receives
	touch "$dir/fakesmsc.log"
	$fakesmsc -H 127.0.0.1 -r "$FAKESMSC_PORT" -i 0.01 -m 0 "100 200 text hello" >>"$dir/fakesmsc.log" 2>&1 &
	echo $! >"$dir/fakesmsc.pid"
	i=0
	until curl -s "http://127.0.0.1:$ADMIN_PORT/status.txt?password=test" 2>/dev/null | grep -q "online"; do
		i=$((i + 1))
		if [ $i -ge 100 ]; then
			echo "kannel: the fake SMSC did not come online" >&2
			tail -20 "$dir"/*.log >&2 || true
			return 1
		fi
		sleep 0.1
	done
}

case $cmd in
start)
	mkdir -p "$dir"
	if alive bearerbox && alive smsbox && alive fakesmsc; then
		cat "$dir/address"
		exit 0
	fi
	if [ ! -f "$dir/ports" ]; then
		{
			echo "ADMIN_PORT=$(free_port)"
			echo "SMSBOX_PORT=$(free_port)"
			echo "FAKESMSC_PORT=$(free_port)"
			echo "SENDSMS_PORT=$(free_port)"
		} >"$dir/ports"
	fi
	. "$dir/ports"
	sed -e "s|@DIR@|$dir|g" -e "s|@ADMIN_PORT@|$ADMIN_PORT|g" -e "s|@SMSBOX_PORT@|$SMSBOX_PORT|g" \
		-e "s|@FAKESMSC_PORT@|$FAKESMSC_PORT|g" -e "s|@SENDSMS_PORT@|$SENDSMS_PORT|g" \
		"$conf_in" >"$dir/kannel.conf"
	start_boxes
	printf 'http://127.0.0.1:%s/cgi-bin/sendsms\n%s\n' "$SENDSMS_PORT" "$dir/fakesmsc.log" | tee "$dir/address"
	;;
pause)
	stop_one smsbox
	stop_one bearerbox
	stop_one fakesmsc
	;;
resume)
	alive bearerbox && alive smsbox && alive fakesmsc && exit 0
	stop_one smsbox
	stop_one bearerbox
	stop_one fakesmsc
	start_boxes
	;;
stop)
	stop_one smsbox
	stop_one bearerbox
	stop_one fakesmsc
	rm -f "$dir/address"
	;;
*)
	echo "usage: $0 start|stop|pause|resume DIR" >&2
	exit 2
	;;
esac
