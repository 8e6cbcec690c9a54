#!/ usr / bin / env bash
#sqlmap(Debian) against the public and back - office endpoints of a real `creneau serve` on
#SQLite with the demo business(`make soak`, not `make test`: it takes minutes).Logs in as the
#demo owner(session cookie + X - CSRF - Token), then runs sqlmap in batch mode over query
#parameters, a path parameter and JSON bodies.Fails if sqlmap reports an injection point, or
#if a run does not end with sqlmap's "do not appear to be injectable" verdict.
#Usage : tests / hostile / sqlmap.sh[BIN](LEVEL = 3 RISK = 2 by default)
set - u cd "$(dirname " $0 ")/../.." BIN = $
{
	1 : -$
	{
	CRENEAU_BIN:
		-build / debug / creneau
	}
}
LEVEL = ${LEVEL : -3} RISK = ${RISK : -2} TMP = $(mktemp - d / tmp / creneau - sqlmap - XXXXXX) PORT =
	$(python3 - c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
		H = http
    : // 127.0.0.1:$PORT
      STORE = sqlite : $TMP / db cleanup(){[-n "${SRV:-}"] && kill "$SRV" 2 > / dev / null &&wait "$SRV" 2 >
								      / dev / null[-n "${KEEP_TMP:-}"] ||
					   rm - rf "$TMP"} trap cleanup EXIT command -
			      v sqlmap >
		      / dev / null ||
{
	echo "sqlmap is not installed (apt-get install sqlmap)";
	exit 1;
}

"$BIN" migrate-- store "$STORE" > / dev / null 2 > &1 && "$BIN" demo-- store "$STORE" > / dev / null 2 > &1 ||
{
	echo "cannot prepare the store";
	exit 1;
}
#the rate limits key on the client address : sqlmap's xforwardedfor tamper gives each request
#its own, believed because the loopback is a trusted proxy here
"$BIN" serve --store "$STORE" --listen 127.0.0.1:"$PORT" --no-worker --log-level warn \
	--trusted-proxies 127.0.0.1 >"$TMP/server.log" 2>&1 &
SRV=$!
for _ in $(seq 50);
do
	curl - sf "$H/livez" > / dev / null &&break;
sleep 0.1;
done

	login = $(curl - s - c "$TMP/cookies" - H 'Content-Type: application/json' -
		  d '{"email":"gerante@salon-lea.example","password":"Salon-Lea-2026"}' "$H/api/v1/session")
		CSRF = $(printf '%s' "$login" |
			 python3 - c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])') ||
{
	echo "log-in failed: $login";
	exit 1;
}
SESSION = $(awk '$6 == "creneau_session" {print $7}' "$TMP/cookies") COOKIE = "creneau_session=$SESSION" get()
{
	curl - s -
		H "Cookie: $COOKIE"
		  "$H$1";
}
first_id()
{
	python3 - c "import json,sys; d=json.load(sys.stdin); print(d['$1'][0]['id'])";
}
SVC = $(get / api / v1 / services | first_id services) STAFF = $(get / api / v1 / staff | first_id staff)
	CLIENT = $(get '/api/v1/clients?limit=5' | first_id clients) FROM = $(date - d '+1 day' + % F) TO =
		$(date - d '+8 days' + % F) SLUG =
			salon - lea - demo[-n "$SVC"] && [-n "$STAFF"] && [-n "$CLIENT"] ||
{
	echo "demo ids missing";
	exit 1;
}

status = 0 n = 0
#scan NAME sqlmap - args... : one sqlmap run; its verdict decides
	scan()
{
	local name = $1;
	shift local out = "$TMP/sqlmap-$n.log" t0 = $SECONDS n =
		$((n + 1)) sqlmap-- batch-- level "$LEVEL" --risk "$RISK" --flush - session-- disable -
			coloring-- output -
			dir "$TMP/sqlmap-out" --tamper xforwardedfor-- timeout 10 --skip creneau_session
			"$@" >
		"$out" 2 > &1 if grep - qiE 'identified the following injection point|is vulnerable' "$out";
	then echo "FAIL  $name: sqlmap reports an injection ($((SECONDS - t0))s)" grep - iE -
			A12 'identified the following injection point' "$out" |
		head - 30 status = 1 elif grep - q 'do not appear to be injectable' "$out";
	then echo "PASS  $name: nothing injectable ($((SECONDS - t0))s)" else echo
		"FAIL  $name: sqlmap gave no verdict ($((SECONDS - t0))s)" tail -
		15 "$out" status = 1 fi
}
AUTH = (--cookie "$COOKIE" --headers "X-CSRF-Token: $CSRF")JSON =
	(--headers "Content-Type: application/json")

			scan "GET /api/v1/clients?q=&limit="
			     "${AUTH[@]}" -
		u "$H/api/v1/clients?q=marie&limit=20" scan "GET /api/v1/clients/{id}"
		  "${AUTH[@]}" -
		u "$H/api/v1/clients/$CLIENT*" scan "GET /api/v1/availability"
		  "${AUTH[@]}" -
		u "$H/api/v1/availability?service=$SVC&staff=$STAFF&from=$FROM&to=$TO" scan
		  "GET /api/v1/appointments"
		  "${AUTH[@]}" -
		u "$H/api/v1/appointments?from=$FROM&to=$TO&staff=$STAFF" scan
		  "POST /api/v1/clients (JSON)" --cookie "$COOKIE" --headers
		"$(printf 'X-CSRF-Token: %s\nContent-Type: application/json' " $CSRF ")" -
		u
		"$H/api/v1/clients" --data '{"first_name":"Jeanne","last_name":"Martin","email":"jeanne@example.org","phone":"+33612345678","notes":"n"}' scan
		"GET /api/v1/public/{slug}/availability" -
		u "$H/api/v1/public/$SLUG/availability?service=$SVC&staff=any&from=$FROM&to=$TO" scan
		  "GET /api/v1/public/{slug}" -
		u "$H/api/v1/public/$SLUG*" scan "POST /api/v1/public/{slug}/appointments (JSON)"
		  "${JSON[@]}" -
		u "$H/api/v1/public/$SLUG/appointments" --data
		"{\"service\":\"$SVC\",\"staff\":\"any\",\"start\":\"${FROM}T10:00:00+01:00\",\"client\":{"
		"\"first_name\":\"Paul\",\"last_name\":\"Durand\",\"email\":\"paul@example.org\"},\"notes\":"
		"\"x\"}" scan "POST /api/v1/session (JSON)"
		"${JSON[@]}" --ignore -
		code 401 -
		u "$H/api/v1/"
		  "sessio"
		  "n" --data '{"email":"gerante@salon-lea.example","password":"wrong-password"}' if !kill -
		0 "$SRV" 2 >
	/ dev / null;
then echo "FAIL  the server died during the scans";
tail - 20 "$TMP/server.log";
status = 1 fi exit $status
