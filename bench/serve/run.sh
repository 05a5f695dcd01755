#!/bin/sh
# bench/serve/run.sh: REST get-by-id under load, against nginx serving a
# static file of the same size in the same run (the ceiling), with wrk.
#
#   sh bench/serve/run.sh                 30 s per run, 64 connections
#   sh bench/serve/run.sh --soak [SECS]   soak: SECS (default 300) of load,
#                                         RSS sampled every 5 s from /proc
#   DURATION=10 CONNS=64 THREADS=2 sh bench/serve/run.sh
#   MODES="pool tpc"                      also thread-per-connection
#
# Needs wrk and nginx (Debian packages) and a built ./verbinding. Traffic
# goes to 127.0.0.1 only. Prints req/s, p50/p99 latency, errors, and the
# ratio to nginx; exits 1 when a target is missed (>= 5000 req/s, p99 <
# 50 ms; soak: 0 errors, RSS growth < 10 %).
set -u
VB=${VB:-$(pwd)/verbinding}
DURATION=${DURATION:-30}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
MODES=${MODES:-pool}
SOAK=0
if [ "${1:-}" = "--soak" ]; then
	SOAK=1
	DURATION=${2:-300}
fi
for t in wrk nginx python3; do
	command -v $t >/dev/null 2>&1 || { echo "bench/serve: needs $t (apt-get install $t)"; exit 2; }
done
[ -x "$VB" ] || { echo "bench/serve: no $VB (run make)"; exit 2; }

D=$(mktemp -d /tmp/vb-bench-serve.XXXXXX)
chmod 755 "$D"
SPID= NPID=
cleanup() {
	[ -n "$SPID" ] && kill -TERM "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null
	[ -n "$NPID" ] && kill -TERM "$NPID" 2>/dev/null && wait "$NPID" 2>/dev/null
	rm -rf "$D"
}
trap cleanup EXIT INT TERM

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# ---- a store with one organisation, a token and 10,000 indicators ----
S=$D/store.db
"$VB" init --store "$S" >/dev/null
"$VB" org add Bench --kind cert --store "$S" >/dev/null
"$VB" user add bench --org Bench --role analyst --no-password --store "$S" >/dev/null
TOK=$("$VB" token create --user bench --store "$S" 2>/dev/null)
python3 - "$D/bundle.json" <<'PY'
import json, sys, uuid
objs = [{"type": "indicator", "spec_version": "2.1", "id": "indicator--%s" % uuid.uuid4(),
         "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
         "name": "bench %d" % i, "pattern_type": "stix",
         "pattern": "[ipv4-addr:value = '10.%d.%d.%d']" % (i >> 16, (i >> 8) & 255, i & 255),
         "valid_from": "2024-01-01T00:00:00Z",
         "object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]}
        for i in range(10000)]
json.dump({"type": "bundle", "id": "bundle--%s" % uuid.uuid4(), "objects": objs},
          open(sys.argv[1], "w"))
PY
"$VB" import --quiet --store "$S" "$D/bundle.json"
ID=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['objects'][5000]['id'])" "$D/bundle.json")

start_server() { # extra serve options
	"$VB" serve --store "$S" --listen 127.0.0.1:0 "$@" 2>"$D/server.log" &
	SPID=$!
	for _ in $(seq 100); do
		PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$D/server.log")
		[ -n "$PORT" ] && return 0
		sleep 0.05
	done
	echo "bench/serve: the server did not start"; cat "$D/server.log"; exit 1
}

stop_server() {
	kill -TERM "$SPID" && wait "$SPID"
	SPID=
}

# wrk_run URL [header]: prints "rps p50_ms p99_ms errors"
wrk_run() {
	if [ -n "${2:-}" ]; then
		wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency -H "$2" "$1" >"$D/wrk.out" 2>&1
	else
		wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency "$1" >"$D/wrk.out" 2>&1
	fi
	python3 - "$D/wrk.out" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
def ms(s):
    v, u = float(s[:-2] if s.endswith(("ms", "us")) else s[:-1]), s[-2:] if s.endswith(("ms", "us")) else s[-1:]
    return v * {"us": 0.001, "ms": 1.0, "s": 1000.0}[u]
m = re.search(r"Requests/sec:\s+([\d.]+)", t)
if not m:
    sys.stderr.write("wrk failed:\n" + t)
    print("0 0 0 1")
    sys.exit(0)
rps = float(m.group(1))
# the distribution's lines only ("89.50%" ends a Thread Stats line too)
p50 = ms(re.search(r"^\s+50%\s+(\S+)", t, re.M).group(1))
p99 = ms(re.search(r"^\s+99%\s+(\S+)", t, re.M).group(1))
err = 0
m = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
if m: err += int(m.group(1))
m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", t)
if m: err += sum(int(x) for x in m.groups())
print("%.0f %.2f %.2f %d" % (rps, p50, p99, err))
PY
}

rss_kb() {
	awk '/^VmRSS:/ {print $2}' "/proc/$1/status"
}

fail=0
echo "bench/serve: GET /api/v1/objects/{id} with a bearer token, $CONNS connections, ${DURATION} s, wrk -t$THREADS, $(nproc) cores"

if [ "$SOAK" = 1 ]; then
	start_server --quiet
	URL="http://127.0.0.1:$PORT/api/v1/objects/$ID"
	curl -sf -H "Authorization: Bearer $TOK" "$URL" >/dev/null || { echo "GET failed"; exit 1; }
	# warm up, then sample RSS every 5 s while wrk runs
	DURATION=10 wrk_run "$URL" "Authorization: Bearer $TOK" >/dev/null
	rss0=$(rss_kb "$SPID")
	wrk_run "$URL" "Authorization: Bearer $TOK" >"$D/soak.res" &
	WPID=$!
	max=$rss0
	while kill -0 "$WPID" 2>/dev/null; do
		sleep 5
		r=$(rss_kb "$SPID")
		[ "$r" -gt "$max" ] && max=$r
	done
	wait "$WPID"
	rss1=$(rss_kb "$SPID")
	read -r rps p50 p99 err <"$D/soak.res"
	growth=$(python3 -c "print('%.1f' % (100.0 * ($rss1 - $rss0) / $rss0))")
	echo "soak ${DURATION} s: $rps req/s, p50 $p50 ms, p99 $p99 ms, errors $err"
	echo "soak RSS: after warm-up ${rss0} kB, peak ${max} kB, end ${rss1} kB, growth ${growth} %"
	stop_server
	[ "$err" -eq 0 ] || { echo "FAIL: $err errors"; fail=1; }
	python3 -c "import sys; sys.exit(0 if $growth < 10 else 1)" || { echo "FAIL: RSS grew ${growth} %"; fail=1; }
	exit $fail
fi

for mode in $MODES; do
	case $mode in
	pool) start_server --quiet ;;
	pool-log) start_server ;;
	tpc) start_server --quiet --thread-per-connection ;;
	*) echo "unknown mode $mode"; exit 2 ;;
	esac
	URL="http://127.0.0.1:$PORT/api/v1/objects/$ID"
	curl -sf -H "Authorization: Bearer $TOK" "$URL" >"$D/www.json" || { echo "GET failed"; exit 1; }
	read -r rps p50 p99 err <<EOF
$(wrk_run "$URL" "Authorization: Bearer $TOK")
EOF
	stop_server
	echo "verbinding ($mode): $rps req/s, p50 $p50 ms, p99 $p99 ms, errors $err"
	eval "rps_$(echo $mode | tr - _)=$rps"
	python3 -c "import sys; sys.exit(0 if $rps >= 5000 and $p99 < 50 and $err == 0 else 1)" ||
		{ echo "  target missed (>= 5000 req/s, p99 < 50 ms, 0 errors)"; fail=1; }
done

# ---- TAXII get objects (limit 100), when TAXII is built ----
if "$VB" taxii --help >/dev/null 2>&1; then
	COLL=$("$VB" taxii collection add bench --tlp-max red --read Bench --store "$S" 2>/dev/null |
		tail -n 1 | sed 's#/*$##; s#.*/##')
	start_server --quiet
	TURL="http://127.0.0.1:$PORT/taxii2/verbinding/collections/$COLL/objects/?limit=100"
	if curl -sf -H "Authorization: Bearer $TOK" -H 'Accept: application/taxii+json;version=2.1' \
		"$TURL" >"$D/taxii.json"; then
		# wrk takes one -H; the bearer goes in the URL-independent header, the
		# Accept header through a tiny Lua script.
		printf 'wrk.headers["Accept"] = "application/taxii+json;version=2.1"\n' >"$D/accept.lua"
		wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency -s "$D/accept.lua" \
			-H "Authorization: Bearer $TOK" "$TURL" >"$D/wrk.out" 2>&1
		python3 - "$D/wrk.out" "$(wc -c <"$D/taxii.json")" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
rps = re.search(r"Requests/sec:\s+([\d.]+)", t).group(1)
p99 = re.search(r"99%\s+(\S+)", t).group(1)
non = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
print("TAXII get objects (limit 100, %s bytes): %.0f req/s, p99 %s, errors %s"
      % (sys.argv[2], float(rps), p99, non.group(1) if non else "0"))
PY
	else
		echo "TAXII get objects: not measured (the request failed)"
	fi
	stop_server
fi

# ---- nginx, the same bytes from a static file ----
SIZE=$(wc -c <"$D/www.json")
mkdir -p "$D/www" "$D/ngx"
cp "$D/www.json" "$D/www/object.json"
chmod -R a+rX "$D/www"
NPORT=$(free_port)
cat >"$D/nginx.conf" <<EOF
worker_processes auto;
daemon off;
pid $D/ngx/nginx.pid;
error_log $D/ngx/error.log;
events { worker_connections 4096; }
http {
	access_log off;
	client_body_temp_path $D/ngx/body;
	proxy_temp_path $D/ngx/proxy;
	fastcgi_temp_path $D/ngx/fastcgi;
	uwsgi_temp_path $D/ngx/uwsgi;
	scgi_temp_path $D/ngx/scgi;
	keepalive_requests 1000000;
	server {
		listen 127.0.0.1:$NPORT;
		root $D/www;
		location / { default_type application/json; }
	}
}
EOF
nginx -c "$D/nginx.conf" -p "$D/ngx" 2>"$D/ngx/stderr" &
NPID=$!
for _ in $(seq 100); do
	curl -sf "http://127.0.0.1:$NPORT/object.json" >/dev/null 2>&1 && break
	sleep 0.05
done
curl -sf "http://127.0.0.1:$NPORT/object.json" >/dev/null ||
	{ echo "nginx did not start"; cat "$D/ngx/stderr" "$D/ngx/error.log"; exit 1; }
read -r nrps np50 np99 nerr <<EOF
$(wrk_run "http://127.0.0.1:$NPORT/object.json")
EOF
kill -TERM "$NPID"
wait "$NPID" 2>/dev/null
NPID=
echo "nginx (static file, $SIZE bytes): $nrps req/s, p50 $np50 ms, p99 $np99 ms, errors $nerr"
first=$(echo "$MODES" | cut -d' ' -f1 | tr - _)
eval "r=\$rps_$first"
echo "ratio verbinding/nginx: $(python3 -c "print('%.2f' % ($r / $nrps))")"
exit $fail
