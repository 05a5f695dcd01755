# test_serve_lib.sh: helpers for the tests that drive a real `verbinding
# serve` (test_leak.sh, test_serve.sh). No tests here.

# serve_start [ARGS...]: starts the server on a free loopback port for the
# store $S; sets SPID, PORT, URL; the log is $T/server.log.
serve_start() {
	"$VB" serve --store "$S" --listen 127.0.0.1:0 "$@" 2>"$T/server.log" &
	SPID=$!
	PORT=
	i=0
	while [ $i -lt 100 ]; do
		PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$T/server.log" 2>/dev/null)
		[ -n "$PORT" ] && break
		kill -0 "$SPID" 2>/dev/null || break
		sleep 0.05
		i=$((i + 1))
	done
	if [ -z "$PORT" ]; then
		fail "the server did not start: $(head -c 600 "$T/server.log")"
		return 1
	fi
	URL=http://127.0.0.1:$PORT
	return 0
}

# serve_stop: SIGTERM, then the exit status must be 0.
serve_stop() {
	[ -n "${SPID:-}" ] || return 0
	kill -TERM "$SPID" 2>/dev/null
	wait "$SPID"
	src=$?
	SPID=
	[ "$src" -eq 0 ] || fail "the server exited with status $src after SIGTERM"
	grep -q '"event":"stopped"' "$T/server.log" || fail "no clean stop in the server log"
}

# api METHOD PATH [TOKEN] [BODY]: curl; status in $code, body in $T/body,
# headers in $T/headers.
api() {
	set -- "$1" "$2" "${3:-}" "${4:-}"
	if [ -n "$4" ]; then
		code=$(curl -s -o "$T/body" -D "$T/headers" -w '%{http_code}' -X "$1" \
			${3:+-H "Authorization: Bearer $3"} -H 'Content-Type: application/json' \
			--data-binary "$4" "$URL$2")
	else
		code=$(curl -s -o "$T/body" -D "$T/headers" -w '%{http_code}' -X "$1" \
			${3:+-H "Authorization: Bearer $3"} "$URL$2")
	fi
}

expect_code() { # expected what
	[ "$code" = "$1" ] || fail "$2: status $code, expected $1; body: $(head -c 300 "$T/body")"
}
