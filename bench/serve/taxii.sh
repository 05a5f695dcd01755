#!/bin/sh
# bench/serve/taxii.sh: TAXII 2.1 get-objects (limit 100) under load with wrk,
# next to the REST figures of bench/serve/run.sh (same store shape: 10,000
# TLP:GREEN indicators; same wrk settings).
#
#   sh bench/serve/taxii.sh                    30 s per run, 64 connections
#   DURATION=10 CONNS=64 THREADS=2 sh bench/serve/taxii.sh
#   NAMES="objects" KEEP=1 QUIET=" "          one request; keep the temporary
#                                            directory; access log on
#
# Three requests, each repeated for DURATION seconds with a bearer token:
#   objects    GET .../objects/?limit=100                 (the first page)
#   objects-mid GET .../objects/?limit=100&added_after=T  (a page in the middle)
#   manifest   GET .../manifest/?limit=100
# Prints req/s, p50 and p99 latency, MB/s and errors per request. Traffic
# goes to 127.0.0.1 only. Needs wrk and python3 (Debian) and ./verbinding.
set -u
VB=${VB:-$(pwd)/verbinding}
DURATION=${DURATION:-30}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
for t in wrk python3; do
	command -v $t >/dev/null 2>&1 || { echo "bench/serve/taxii: needs $t (apt-get install $t)"; exit 2; }
done
[ -x "$VB" ] || { echo "bench/serve/taxii: no $VB (run make)"; exit 2; }

D=$(mktemp -d /tmp/vb-bench-taxii.XXXXXX)
SPID=
cleanup() {
	[ -n "$SPID" ] && kill -TERM "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null
	[ -n "${KEEP:-}" ] && echo "kept $D" || rm -rf "$D"
}
trap cleanup EXIT INT TERM

S=$D/store.db
"$VB" init --store "$S" >/dev/null
"$VB" org add Bench --kind cert --store "$S" >/dev/null
"$VB" user add bench --org Bench --role analyst --no-password --store "$S" >/dev/null
TOK=$("$VB" token create --user bench --store "$S" 2>/dev/null)
COLL=$("$VB" taxii collection add "Bench feed" --tlp-max green --read Bench --store "$S" |
	sed -n 's|.*/collections/\([^/]*\)/$|\1|p')
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

"$VB" serve --store "$S" --listen 127.0.0.1:0 ${QUIET:---quiet} 2>"$D/server.log" &
SPID=$!
PORT=
for _ in $(seq 100); do
	PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$D/server.log")
	[ -n "$PORT" ] && break
	sleep 0.05
done
[ -n "$PORT" ] || { echo "bench/serve/taxii: the server did not start"; cat "$D/server.log"; exit 1; }
BASE="http://127.0.0.1:$PORT/taxii2/verbinding/collections/$COLL"
ACCEPT="Accept: application/taxii+json;version=2.1"
AUTH="Authorization: Bearer $TOK"

# One request by hand: the page must hold 100 objects; its middle date added.
MID=$(python3 - "$BASE" "$TOK" <<'PY'
import json, sys, urllib.request
base, tok = sys.argv[1], sys.argv[2]
h = {"Accept": "application/taxii+json;version=2.1", "Authorization": "Bearer " + tok}
r = urllib.request.urlopen(urllib.request.Request(base + "/objects/?limit=100", headers=h))
env = json.loads(r.read())
assert len(env["objects"]) == 100 and env["more"], "expected a full first page"
m = json.loads(urllib.request.urlopen(urllib.request.Request(
    base + "/manifest/?limit=1000&added_after=2000-01-01T00:00:00Z", headers=h)).read())
print(m["objects"][len(m["objects"]) // 2]["date_added"])
PY
) || { echo "bench/serve/taxii: the first page is wrong"; tail -3 "$D/server.log"; exit 1; }

# wrk_run URL: prints "rps p50_ms p99_ms MB/s errors"
wrk_run() {
	wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency -H "$ACCEPT" -H "$AUTH" "$1" \
		>"$D/wrk.out" 2>&1
	python3 - "$D/wrk.out" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
def ms(s):
    for u, f in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if s.endswith(u):
            return float(s[:-len(u)]) * f
    return float(s)
def mb(s):
    for u, f in (("GB", 1024.0), ("MB", 1.0), ("KB", 1 / 1024.0), ("B", 1 / 1048576.0)):
        if s.endswith(u):
            return float(s[:-len(u)]) * f
    return float(s)
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
p50 = ms(re.search(r"^\s+50%\s+(\S+)", t, re.M).group(1))
p99 = ms(re.search(r"^\s+99%\s+(\S+)", t, re.M).group(1))
tr = mb(re.search(r"Transfer/sec:\s+(\S+)", t).group(1))
err = 0
m = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
if m: err += int(m.group(1))
m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", t)
if m: err += sum(int(x) for x in m.groups())
print("%.0f %.2f %.2f %.1f %d" % (rps, p50, p99, tr, err))
PY
}

echo "bench/serve/taxii: 10,000 indicators, limit 100, bearer token, $CONNS connections, ${DURATION} s, wrk -t$THREADS, $(nproc) cores"
fail=0
for name in ${NAMES:-objects objects-mid manifest}; do
	case $name in
	objects) URL="$BASE/objects/?limit=100" ;;
	objects-mid) URL="$BASE/objects/?limit=100&added_after=$MID" ;;
	manifest) URL="$BASE/manifest/?limit=100" ;;
	esac
	read -r rps p50 p99 mbs err <<EOF
$(wrk_run "$URL")
EOF
	echo "taxii $name: $rps req/s, p50 $p50 ms, p99 $p99 ms, $mbs MB/s, errors $err"
	[ "$err" -eq 0 ] || fail=1
done
exit $fail
