# test_taxii.sh: TAXII 2.1 against real servers: the conformance run
# (tests/e2e/taxii_conformance.py) on one server, and pull / push between
# two servers with two stores.

# taxii_serve STORE LOG: starts `verbinding serve` on a free port; sets
# SRV_PID and SRV_PORT (empty when it did not come up).
taxii_serve() {
	"$VB" serve --listen 127.0.0.1:0 --store "$1" 2>"$2" &
	SRV_PID=$!
	SRV_PORT=
	i=0
	while [ $i -lt 100 ] && [ -z "$SRV_PORT" ]; do
		SRV_PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$2" 2>/dev/null | head -n 1)
		[ -n "$SRV_PORT" ] || sleep 0.1
		i=$((i + 1))
	done
	[ -n "$SRV_PORT" ] || fail "the server did not start: $(head -c 600 "$2")"
}

# taxii_stop PID LOG: SIGTERM; the server must exit 0 with no sanitizer
# report in its log.
taxii_stop() {
	kill -TERM "$1" 2>/dev/null
	wait "$1"
	src=$?
	[ "$src" -eq 0 ] || fail "the server exited with status $src: $(grep -A5 -m1 Sanitizer "$2")"
	grep -q "Sanitizer" "$2" && fail "sanitizer report: $(grep -A8 -m1 Sanitizer "$2")"
	return 0
}

# taxii_get URL TOKEN-FILE: prints the body of a TAXII GET.
taxii_get() {
	python3 - "$1" "$2" <<'PY'
import sys, urllib.request
req = urllib.request.Request(sys.argv[1], headers={
    "Accept": "application/taxii+json;version=2.1",
    "Authorization": "Bearer " + open(sys.argv[2]).read().strip()})
try:
    print(urllib.request.urlopen(req, timeout=30).read().decode())
except Exception as e:
    print(e)
PY
}

# taxii_token USER STORE: prints a new API token of USER.
taxii_token() {
	"$VB" token create --user "$1" --store "$2" 2>/dev/null
}

# taxii_collection STORE ARGS...: adds a collection; prints its id.
taxii_collection() {
	st=$1
	shift
	"$VB" taxii collection add "$@" --store "$st" | sed -n 's|.*/collections/\([^/]*\)/$|\1|p'
}

test_taxii_conformance() {
	vb org add alpha --kind cert --store "$S"
	vb org add beta --kind partner-state --store "$S"
	vb org add gamma --kind business --store "$S"
	vb group add nato --store "$S"
	vb group grant nato alpha --store "$S"
	vb group grant nato beta --store "$S"
	pw=correct-horse-battery-1
	echo "$pw" | "$VB" user add alice --org alpha --role analyst --store "$S" >/dev/null 2>&1 ||
		fail "user add alice"
	vb user add bob --org beta --role analyst --no-password --store "$S"
	vb user add carol --org gamma --role analyst --no-password --store "$S"
	vb user add rita --org alpha --role read-only --no-password --store "$S"
	nato=$(taxii_collection "$S" "NATO feed" --group nato --read alpha,beta,gamma --write alpha,beta)
	green=$(taxii_collection "$S" "Green" --tlp-max green --read alpha,beta --write alpha)
	hidden=$(taxii_collection "$S" "Hidden" --tlp-max red --read gamma)
	dropbox=$(taxii_collection "$S" "Dropbox" --tlp-max red --write alpha)
	[ -n "$nato" ] && [ -n "$green" ] && [ -n "$hidden" ] && [ -n "$dropbox" ] ||
		fail "collections not created"
	vb taxii collection list --store "$S"
	expect_out "NATO feed"
	expect_out "read: alpha,beta,gamma"
	taxii_serve "$S" "$T/serve.log"
	[ -n "$SRV_PORT" ] || return
	cat >"$T/conf.json" <<EOF
{"base": "http://127.0.0.1:$SRV_PORT", "alice_password": "$pw",
 "tokens": {"alice": "$(taxii_token alice "$S")", "bob": "$(taxii_token bob "$S")",
            "carol": "$(taxii_token carol "$S")", "rita": "$(taxii_token rita "$S")"},
 "collections": {"nato": "$nato", "green": "$green", "hidden": "$hidden", "dropbox": "$dropbox"}}
EOF
	python3 tests/e2e/taxii_conformance.py "$T/conf.json" >"$T/out" 2>"$T/err"
	cp "$T/out" "${TAXII_CONFORMANCE_LOG:-$T/conformance.log}"
	rc=$?
	if [ $rc -ne 0 ]; then
		fail "conformance: $(grep -E '^FAIL|Error|Traceback' "$T/out" "$T/err" | head -n 20)"
		tail -n 5 "$T/err" >&2
	fi
	expect_out "^[0-9]+ checks, 0 failed"
	# Credentials never reach the access log.
	for u in alice bob carol rita; do
		tok=$(python3 -c "import json; print(json.load(open('$T/conf.json'))['tokens']['$u'])")
		grep -qF "$tok" "$T/serve.log" && fail "a token appears in the server log"
	done
	grep -qF "$pw" "$T/serve.log" && fail "a password appears in the server log"
	taxii_stop "$SRV_PID" "$T/serve.log"
	# The audit log has the TAXII writes.
	vb audit --store "$S"
	expect_out "taxii.add"
	expect_out "taxii.delete"
	# Collections can be removed; their objects stay.
	vb taxii collection remove Dropbox --store "$S"
	expect_rc 0
	vb taxii collection list --store "$S"
	grep -q Dropbox "$T/out" && fail "Dropbox still listed after remove"
}

test_taxii_cli_errors() {
	vb taxii
	expect_rc 1
	vb taxii --help
	expect_rc 0
	expect_out "taxii pull URL --collection ID"
	vb taxii collection add "No binding" --store "$S"
	expect_rc 1
	expect_err "--group GROUP and/or"
	vb taxii collection add "X" --group nosuch --store "$S"
	expect_rc 5
	vb taxii collection add "X" --tlp-max purple --store "$S"
	expect_rc 1
	vb taxii collection add "X" --tlp-max green --read nosuch --store "$S"
	expect_rc 5
	vb taxii collection add "X" --tlp-max green --store "$S"
	expect_rc 0
	vb taxii collection add "X" --tlp-max green --store "$S"
	expect_rc 2
	expect_err "exists"
	vb taxii collection remove nosuch --store "$S"
	expect_rc 5
	vb taxii pull http://127.0.0.1:1/taxii2/ --store "$S"
	expect_rc 1
	expect_err "--collection ID is required"
	echo "vb_secret_token_value_that_must_not_show_up_anywhere_x" >"$T/tok"
	vb taxii pull http://127.0.0.1:1/taxii2/ --collection c --token-file "$T/tok" --store "$S"
	expect_rc 4
	grep -q "vb_secret" "$T/err" "$T/out" && fail "the token was printed"
	vb taxii pull http://user:pw@127.0.0.1:1/taxii2/ --collection c --store "$S"
	expect_rc 1
	expect_err "not in the URL"
	vb taxii pull ftp://127.0.0.1/ --collection c --store "$S"
	expect_rc 1
	vb taxii push http://127.0.0.1:1/taxii2/ --collection c --store "$S"
	expect_rc 1
	expect_err "name FILEs to push"
}

# pull A -> B, push B -> A, incremental second pull; two servers, two stores.
test_taxii_pull_push_two_servers() {
	A=$S
	B=$T/b.db
	"$VB" init --store "$B" >/dev/null 2>&1 || fail "init B"
	for st in "$A" "$B"; do
		vb org add cert-nl --kind cert --store "$st"
		vb group add isac --store "$st"
		vb group grant isac cert-nl --store "$st"
		vb user add feeder --org cert-nl --role analyst --no-password --store "$st"
	done
	ca=$(taxii_collection "$A" "ISAC A" --group isac --read cert-nl --write cert-nl)
	cb=$(taxii_collection "$B" "ISAC B" --group isac --read cert-nl --write cert-nl)
	taxii_token feeder "$A" >"$T/tok-a"
	taxii_token feeder "$B" >"$T/tok-b"
	# A holds the basic bundle (shared with isac) plus a second version of one object.
	python3 - "$T" <<'PY'
import json, sys
t = sys.argv[1]
b = json.load(open("tests/fixtures/stix/basic-bundle.json"))
objs = b["objects"]
json.dump({"objects": objs}, open(t + "/env1.json", "w"))
v2 = dict(objs[1], modified="2024-02-01T00:00:00.000Z", name="Example Bear v2")
json.dump({"objects": [v2]}, open(t + "/env2.json", "w"))
new = []
for i in range(5):
    new.append({"type": "indicator", "spec_version": "2.1",
                "id": "indicator--00000000-0000-4000-8000-00000000000%d" % i,
                "created": "2025-02-0%dT00:00:00.000Z" % (i + 1),
                "modified": "2025-02-0%dT00:00:00.000Z" % (i + 1),
                "name": "from B %d" % i, "pattern": "[domain-name:value = 'b%d.example']" % i,
                "pattern_type": "stix", "valid_from": "2025-02-01T00:00:00Z"})
json.dump({"type": "bundle", "id": "bundle--11111111-2222-4333-8444-555555555555",
           "objects": new}, open(t + "/fromb.json", "w"))
PY
	taxii_serve "$A" "$T/serve-a.log"
	PA=$SRV_PID
	PORT_A=$SRV_PORT
	taxii_serve "$B" "$T/serve-b.log"
	PB=$SRV_PID
	PORT_B=$SRV_PORT
	[ -n "$PORT_A" ] && [ -n "$PORT_B" ] ||
		{ taxii_stop "$PA" "$T/serve-a.log"; taxii_stop "$PB" "$T/serve-b.log"; return; }
	URL_A=http://127.0.0.1:$PORT_A/taxii2/verbinding/
	URL_B=http://127.0.0.1:$PORT_B/taxii2/verbinding/
	# Fill A through its own TAXII interface, with verbinding's client.
	vb taxii push "$URL_A" --collection "$ca" --token-file "$T/tok-a" "$T/env1.json"
	expect_rc 0
	expect_err "10 accepted, 0 failed"
	vb taxii push "$URL_A" --collection "$ca" --token-file "$T/tok-a" "$T/env2.json"
	expect_rc 0

	# B pulls from A (discovery URL: the default root is found), with Basic user:token.
	vb taxii pull "http://127.0.0.1:$PORT_A/taxii2/" --collection "$ca" --user feeder \
		--password-file "$T/tok-a" --limit 3 --store "$B"
	expect_rc 0
	expect_err "11 object\(s\) in 4 page\(s\)"
	# ids and versions arrived: both versions of the intrusion set.
	"$VB" export --store "$B" --all-versions --type intrusion-set >"$T/out" 2>"$T/err"
	expect_eq "$(grep -c '"type":"intrusion-set"' "$T/out")" 2 "intrusion-set versions in B"
	vb show --store "$B" indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f
	expect_rc 0
	for id in identity--f431f809-377b-45e0-aa1c-6a4751cae5ff report--84e4d88f-44ea-4bcd-bbf3-b2c1c320bcb3 \
		ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd sighting--ee20065d-2555-424f-ad9e-0f8428623c75; do
		vb show --store "$B" "$id"
		expect_rc 0
	done
	# A second pull fetches nothing new.
	vb taxii pull "$URL_A" --collection "$ca" --token-file "$T/tok-a" --store "$B"
	expect_rc 0
	expect_err "^taxii pull: 0 object\(s\)"
	# A third version on A: the next pull fetches exactly it.
	python3 - "$T" <<'PY'
import json, sys
t = sys.argv[1]
o = json.load(open(t + "/env2.json"))["objects"][0]
o = dict(o, modified="2024-03-01T00:00:00.000Z", name="Example Bear v3")
json.dump({"objects": [o]}, open(t + "/env3.json", "w"))
PY
	vb taxii push "$URL_A" --collection "$ca" --token-file "$T/tok-a" "$T/env3.json"
	expect_rc 0
	vb taxii pull "$URL_A" --collection "$ca" --token-file "$T/tok-a" --store "$B"
	expect_rc 0
	expect_err "^taxii pull: 1 object\(s\) in 1 page"
	vb show --store "$B" intrusion-set--0c7e22ad-b099-4dc3-b0df-2ea3f49ae2e6 --json
	expect_out "Example Bear v3"

	# B -> A: B's own objects pushed from B's store into A, in small batches.
	vb import --store "$B" "$T/fromb.json"
	expect_rc 0
	vb taxii push "$URL_A" --collection "$ca" --token-file "$T/tok-a" --type indicator \
		--since 2025-01-01 --store "$B"
	expect_rc 0
	expect_err "5 object\(s\) in 1 envelope\(s\): 5 accepted, 0 failed"
	for i in 0 1 2 3 4; do
		taxii_get "${URL_A}collections/$ca/objects/indicator--00000000-0000-4000-8000-00000000000$i/" \
			"$T/tok-a" >"$T/out"
		expect_out "from B $i"
	done
	# A refused object is reported with its reason; exit status 2.
	python3 - "$T" <<'PY'
import json, sys
t = sys.argv[1]
json.dump({"objects": [{"type": "indicator", "spec_version": "2.1",
                        "id": "indicator--00000000-0000-4000-8000-0000000000ff",
                        "created": "2025-01-01T00:00:00.000Z",
                        "modified": "2025-01-01T00:00:00.000Z",
                        "pattern_type": "stix", "valid_from": "2025-01-01T00:00:00Z"}]},
          open(t + "/bad.json", "w"))
PY
	vb taxii push "$URL_A" --collection "$ca" --token-file "$T/tok-a" "$T/bad.json"
	expect_rc 2
	expect_err "failed: indicator--00000000-0000-4000-8000-0000000000ff"
	expect_err "pattern"
	# Errors name the HTTP status and the TAXII error: a wrong token, an unknown collection.
	echo "vb_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" >"$T/wrong"
	vb taxii pull "$URL_A" --collection "$ca" --token-file "$T/wrong" --store "$B"
	expect_rc 6
	expect_err "HTTP 401: Unauthorized"
	vb taxii pull "$URL_A" --collection nosuch --token-file "$T/tok-a" --store "$B"
	expect_rc 5
	expect_err "HTTP 404: Not Found: no such collection"
	taxii_stop "$PA" "$T/serve-a.log"
	taxii_stop "$PB" "$T/serve-b.log"
}

# The client against a small stand-in TAXII server (python3 stdlib) that
# advertises a tiny max_content_length, answers adds with "pending" statuses,
# and pages without next (by X-TAXII-Date-Added-Last only): batching, status
# polling, the added_after fallback and Basic credentials.
test_taxii_client_against_other_server() {
	cat >"$T/mock.py" <<'PY'
import base64, json, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
T = sys.argv[1]
TAXII = "application/taxii+json;version=2.1"
MAX = 3000
OBJS = [{"type": "indicator", "spec_version": "2.1",
         "id": "indicator--00000000-0000-4000-8000-0000000001%02d" % i,
         "created": "2025-01-01T00:00:00.000Z", "modified": "2025-01-01T00:00:00.000Z",
         "name": "mock %d" % i, "pattern": "[domain-name:value = 'm%d.example']" % i,
         "pattern_type": "stix", "valid_from": "2025-01-01T00:00:00Z"} for i in range(5)]
ADDED = ["2025-01-0%dT00:00:00.000Z" % (i + 1) for i in range(5)]
statuses, log = {}, open(T + "/mock.log", "a")
class H(BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def send(self, code, doc, headers=()):
        b = json.dumps(doc).encode()
        self.send_response(code)
        self.send_header("Content-Type", TAXII)
        self.send_header("Content-Length", str(len(b)))
        for k, v in headers: self.send_header(k, v)
        self.end_headers()
        self.wfile.write(b)
    def auth(self):
        a = self.headers.get("Authorization", "")
        log.write("auth %s\n" % a); log.flush()
        if self.headers.get("Accept") != TAXII:
            self.send(406, {"title": "Not Acceptable"}); return False
        return True
    def do_GET(self):
        if not self.auth(): return
        p, _, q = self.path.partition("?")
        args = dict(x.split("=", 1) for x in q.split("&") if "=" in x)
        if p == "/taxii2/api/":
            return self.send(200, {"title": "mock", "versions": [TAXII], "max_content_length": MAX})
        if p.startswith("/taxii2/api/status/"):
            sid = p.split("/")[4]
            return self.send(200, statuses[sid])
        if p == "/taxii2/api/collections/c1/objects/":
            after = args.get("added_after", "").replace("%3A", ":")
            log.write("get added_after=%s next=%s\n" % (after, args.get("next"))); log.flush()
            idx = [i for i in range(5) if ADDED[i] > after][:2]
            more = bool(idx) and idx[-1] < 4
            if not idx:
                return self.send(200, {})
            return self.send(200, {"more": more, "objects": [OBJS[i] for i in idx]},
                             [("X-TAXII-Date-Added-First", ADDED[idx[0]]),
                              ("X-TAXII-Date-Added-Last", ADDED[idx[-1]])])
        self.send(404, {"title": "Not Found", "description": "mock: no such resource"})
    def do_POST(self):
        if not self.auth(): return
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        if self.headers.get("Content-Type") != TAXII:
            return self.send(415, {"title": "Unsupported Media Type"})
        if n > MAX:
            return self.send(413, {"title": "Payload Too Large"})
        objs = json.loads(body)["objects"]
        log.write("post %d bytes %d objects\n" % (n, len(objs))); log.flush()
        sid = "s-%d" % len(statuses)
        ok = [{"id": o["id"], "version": o["modified"]} for o in objs if not o["id"].endswith("ff")]
        bad = [{"id": o["id"], "version": o["modified"], "message": "mock refuses this one"}
               for o in objs if o["id"].endswith("ff")]
        statuses[sid] = {"id": sid, "status": "complete", "total_count": len(objs),
                         "success_count": len(ok), "successes": ok, "failure_count": len(bad),
                         "failures": bad, "pending_count": 0}
        self.send(202, {"id": sid, "status": "pending", "total_count": len(objs),
                        "success_count": 0, "failure_count": 0, "pending_count": len(objs)})
s = ThreadingHTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
PY
	python3 "$T/mock.py" "$T" >"$T/mock.port" 2>"$T/mock.err" &
	MPID=$!
	i=0
	while [ $i -lt 50 ] && ! [ -s "$T/mock.port" ]; do sleep 0.1; i=$((i + 1)); done
	MPORT=$(cat "$T/mock.port")
	[ -n "$MPORT" ] || { fail "mock server did not start"; kill "$MPID"; return; }
	URL=http://127.0.0.1:$MPORT/taxii2/api/
	python3 - "$T" <<'PY'
import json, sys
objs = [{"type": "indicator", "spec_version": "2.1",
         "id": "indicator--00000000-0000-4000-8000-0000000002%s" % ("%02d" % i if i < 19 else "ff"),
         "created": "2025-01-01T00:00:00.000Z", "modified": "2025-01-01T00:00:00.000Z",
         "name": "push %d" % i, "pattern": "[domain-name:value = 'p%d.example']" % i,
         "pattern_type": "stix", "valid_from": "2025-01-01T00:00:00Z"} for i in range(20)]
json.dump({"type": "bundle", "id": "bundle--11111111-2222-4333-8444-555555555555",
           "objects": objs}, open(sys.argv[1] + "/push.json", "w"))
PY
	echo "vb_mocktoken_mocktoken_mocktoken_mocktoken_moc" >"$T/tok"
	vb taxii push "$URL" --collection c1 --token-file "$T/tok" "$T/push.json"
	expect_rc 2
	expect_err "20 object\(s\) in [2-9] envelope\(s\): 19 accepted, 1 failed"
	expect_err "failed: indicator--00000000-0000-4000-8000-0000000002ff .*mock refuses this one"
	grep -q "vb_mocktoken" "$T/err" && fail "the token was printed"
	awk '/^post/ { if ($2 > 3000) bad = 1; n++ } END { exit bad || n < 2 }' "$T/mock.log" ||
		fail "envelopes not batched to max_content_length: $(grep post "$T/mock.log")"
	grep -q "^auth Bearer vb_mocktoken" "$T/mock.log" || fail "no bearer token sent"
	# Pull with Basic user:password, paged by X-TAXII-Date-Added-Last (no next).
	echo "s3cret-password-value" >"$T/pw"
	vb taxii pull "$URL" --collection c1 --user feeder --password-file "$T/pw" --store "$S"
	expect_rc 0
	expect_err "^taxii pull: 5 object\(s\) in 3 page\(s\)"
	expect_err "starts after 2025-01-05T00:00:00.000Z"
	grep -q "s3cret" "$T/err" "$T/out" && fail "the password was printed"
	grep -q "^auth Basic $(printf 'feeder:s3cret-password-value' | base64)" "$T/mock.log" ||
		fail "no Basic credentials sent"
	grep -q "^get added_after=2025-01-02T00:00:00.000Z" "$T/mock.log" ||
		fail "the pull did not page on by added_after"
	vb show --store "$S" indicator--00000000-0000-4000-8000-000000000104
	expect_rc 0
	vb taxii pull "$URL" --collection c1 --user feeder --password-file "$T/pw" --store "$S"
	expect_rc 0
	expect_err "^taxii pull: 0 object\(s\)"
	grep -q "^get added_after=2025-01-05T00:00:00.000Z" "$T/mock.log" ||
		fail "the second pull did not start after the last date added"
	# --full starts from the beginning again; re-imports are unchanged.
	vb taxii pull "$URL" --collection c1 --user feeder --password-file "$T/pw" --full --store "$S"
	expect_rc 0
	expect_err "^taxii pull: 5 object\(s\)"
	vb taxii pull "${URL}nope/" --collection c1 --token-file "$T/tok" --store "$S"
	expect_rc 5
	expect_err "HTTP 404: Not Found: mock: no such resource"
	kill "$MPID" 2>/dev/null
	wait "$MPID" 2>/dev/null
	return 0
}
