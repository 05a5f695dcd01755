# test_serve.sh: `verbinding serve` and the identity commands, driven
# through the real binary and a real server on a free loopback port.
. tests/e2e/test_serve_lib.sh

BASIC=tests/fixtures/stix/basic-bundle.json
PW=correct-horse-battery-9

# vbs ARGS...: vb on the test's store.
vbs() {
	vb "$@" --store "$S"
}

# ident_setup: two organisations, a group, an analyst with a password and
# a token (TOK), a read-only user (RO), an admin (ADM).
ident_setup() {
	vbs org add Alpha --kind cert --country NL --default-tlp amber && expect_rc 0
	vbs org add Beta --kind business && expect_rc 0
	vbs group add Friends && expect_rc 0
	vbs group grant Friends Alpha && expect_rc 0
	echo "$PW" | "$VB" user add ann --org Alpha --role analyst --store "$S" >/dev/null 2>&1 ||
		fail "user add ann"
	"$VB" user add rob --org Beta --role read-only --no-password --store "$S" >/dev/null 2>&1
	"$VB" user add adm --org Alpha --role admin --no-password --store "$S" >/dev/null 2>&1
	TOK=$("$VB" token create --user ann --store "$S" 2>/dev/null)
	RO=$("$VB" token create --user rob --store "$S" 2>/dev/null)
	ADM=$("$VB" token create --user adm --store "$S" 2>/dev/null)
	[ -n "$TOK" ] && [ -n "$RO" ] && [ -n "$ADM" ] || fail "tokens not created"
}

# every line of the server log is one JSON object (or the start line).
log_is_json() {
	python3 - "$T/server.log" <<'PY' >"$T/logcheck" 2>&1 || fail "server log: $(cat "$T/logcheck")"
import json, sys
for line in open(sys.argv[1], encoding="ascii"):
    if line.startswith("listening on "):
        continue
    try:
        d = json.loads(line)
    except ValueError:
        sys.exit("not JSON: %r" % line[:300])
    assert isinstance(d, dict), line
PY
}

test_serve_cli_identities() {
	vbs org add --kind cert
	expect_rc 1
	vbs org add X --kind spaceship
	expect_rc 1
	expect_err "expected government-department"
	ident_setup
	vbs org add Alpha --kind cert
	expect_rc 2
	expect_err "exists already"
	vbs org list --json
	expect_rc 0
	expect_out '"name":"Alpha","kind":"cert"'
	vbs list --type identity --json
	expect_out '"name":"Alpha"'
	vbs user add eve --org Alpha --role analyst --password secret12345678
	expect_rc 1
	expect_err "never taken from the command line"
	vbs user add eve --org Nowhere --role analyst --no-password
	expect_rc 5
	vbs user add eve --org Alpha --role boss --no-password
	expect_rc 1
	echo short | "$VB" user add eve --org Alpha --role analyst --store "$S" >"$T/out" 2>"$T/err"
	rc=$?
	expect_rc 1
	vbs user list --json
	expect_out '"name":"ann","org":"Alpha","role":"analyst","password":true'
	vbs token list --json
	expect_out '"prefix":"vb_'
	grep -q "$TOK" "$T/out" && fail "token list shows a token"
	prefix=$(echo "$RO" | cut -c1-10)
	vbs token revoke "$prefix"
	expect_rc 0
	vbs token revoke "$prefix"
	expect_rc 5
	vbs group grant Friends Nowhere
	expect_rc 5
	vbs group grant Friends Alpha
	expect_rc 2
	expect_err "member of 'Friends' already"
	vbs group list --json
	expect_out '"members":\["Alpha"\]'
	vbs audit --json
	expect_rc 0
	expect_out '"action":"group.grant"'
	grep -q "$TOK" "$T/out" && fail "a token in the audit log"
	grep -q "$PW" "$T/out" && fail "a password in the audit log"
	# The audit log is append-only.
	sqlite3 "$S" "UPDATE audit SET action = 'x'" 2>"$T/err" && fail "audit UPDATE allowed"
	grep -q "append-only" "$T/err" || fail "no append-only error: $(cat "$T/err")"
	sqlite3 "$S" "DELETE FROM audit" 2>/dev/null && fail "audit DELETE allowed"
	for c in org user token group audit serve; do
		vb "$c" --help
		expect_rc 0
		expect_out "usage: verbinding $c"
	done
	# import --org: owned by the organisation, its default TLP, --share
	# only with groups it belongs to.
	"$VB" group add Others --store "$S" >/dev/null 2>&1
	vbs import --quiet --org Alpha --share group:Others "$BASIC"
	expect_rc 6
	vbs import --quiet --org Nowhere "$BASIC"
	expect_rc 1
	vbs import --quiet --org Alpha --share group:Friends "$BASIC"
	expect_rc 0
	[ "$(sqlite3 "$S" "SELECT count(*) FROM objects o JOIN orgs g ON g.id = o.owner_org
		WHERE g.name = 'Alpha' AND o.type = 'indicator' AND o.tlp = 2")" = 2 ] ||
		fail "import --org: indicators not owned by Alpha under its default AMBER"
	# Only the creating organisation adds versions: Beta's newer copy of
	# Alpha's objects is refused whole, with the reason; the same versions
	# again are merely unchanged.
	vbs import --quiet --org Beta "$BASIC"
	expect_rc 0
	sed 's/"modified": *"[^"]*"/"modified": "2031-01-01T00:00:00.000Z"/' "$BASIC" >"$T/newer.json"
	vbs import --quiet --org Beta "$T/newer.json"
	expect_rc 2
	expect_err "belongs to another organisation's object"
	[ "$(sqlite3 "$S" "SELECT count(*) FROM objects WHERE modified > 1900000000000000")" = 0 ] ||
		fail "Beta's versions of Alpha's objects were stored"
	# The same inside a folder, where files share a transaction and a
	# writer thread stores them: the conflict is named, the run fails,
	# and nothing of the batch it fell in is stored.
	mkdir -p "$T/dir"
	cp "$T/newer.json" "$T/dir/b.json"
	cp tests/fixtures/lists/ipsum-sample.txt "$T/dir/a.txt"
	vbs import --quiet --org Beta "$T/dir"
	expect_rc 2
	expect_err "b.json: the store refused .*belongs to another organisation's object"
	[ "$(sqlite3 "$S" "SELECT count(*) FROM objects o JOIN orgs g ON g.id = o.owner_org
		WHERE g.name = 'Beta' AND o.type <> 'identity'")" = 0 ] ||
		fail "a folder with a conflicting file left objects behind"
	vbs import --org Beta "$T/dir"
	expect_err "^total +0 +0 +0 +[1-9]"
	expect_err "2 file\(s\), 2 failed"
	vbs org remove Beta
	expect_rc 0
	vbs user list --json
	grep -q '"rob"' "$T/out" && fail "rob outlived his organisation"
}

test_serve_rest_basics() {
	ident_setup
	serve_start || return
	api GET /api/v1/health
	expect_code 200 health
	api GET /api/v1/objects
	expect_code 401 "no credentials"
	grep -qi '^WWW-Authenticate: Bearer' "$T/headers" || fail "no WWW-Authenticate"
	grep -q '"error":{"status":401' "$T/body" || fail "401 without the error object"
	api GET /api/v1/me "$TOK"
	expect_code 200 me
	grep -q '"org":"Alpha"' "$T/body" || fail "me: $(cat "$T/body")"
	# create, get, list, new version, versions, revoke
	api POST /api/v1/objects "$TOK" '{"type":"malware","name":"Bad","is_family":true}'
	expect_code 201 create
	id=$(python3 -c "import json; print(json.load(open('$T/body'))['id'])")
	grep -q 'marking-definition--55d920b0' "$T/body" || fail "default TLP:AMBER not added"
	grep -qi "^Location: /api/v1/objects/$id" "$T/headers" || fail "no Location"
	api GET "/api/v1/objects/$id" "$TOK"
	expect_code 200 get
	api GET "/api/v1/objects/$id" "$RO"
	expect_code 404 "AMBER object for another organisation"
	api POST "/api/v1/objects/$id/versions" "$TOK" '{"type":"malware","name":"Bad v2","is_family":true}'
	expect_code 201 "new version"
	api GET "/api/v1/objects/$id/versions" "$TOK"
	expect_code 200 versions
	[ "$(python3 -c "import json; print(len(json.load(open('$T/body'))['versions']))")" = 2 ] ||
		fail "two versions expected: $(cat "$T/body")"
	api POST "/api/v1/objects/$id/revoke" "$TOK"
	expect_code 201 revoke
	grep -q '"revoked":true' "$T/body" || fail "not revoked"
	api POST "/api/v1/objects/$id/revoke" "$TOK"
	expect_code 409 "revoke twice"
	# share with a group the organisation is not in
	"$VB" group add Others --store "$S" >/dev/null
	api POST "/api/v1/objects?share=group:Others" "$TOK" '{"type":"malware","name":"X","is_family":true}'
	expect_code 403 "share with a group we are not in"
	api POST "/api/v1/objects?share=group:Friends" "$TOK" '{"type":"malware","name":"Y","is_family":true,"object_marking_refs":["marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"]}'
	expect_code 400 "AMBER+STRICT with a share"
	# validation errors carry a pointer, like the import
	api POST /api/v1/objects "$TOK" '{"type":"indicator","name":"x","pattern":"[bad","pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z"}'
	expect_code 400 "invalid pattern"
	grep -q '"detail":"/pattern' "$T/body" || fail "no pointer: $(cat "$T/body")"
	# bulk import through the import path
	api POST /api/v1/import "$TOK" "$(cat $BASIC)"
	expect_code 200 import
	grep -q '"stored":10' "$T/body" || fail "import: $(cat "$T/body")"
	python3 - "$BASIC" "$T/bad.json" <<'PY'
import json, sys
b = json.load(open(sys.argv[1])); b["objects"][3]["valid_from"] = "never"
json.dump(b, open(sys.argv[2], "w"))
PY
	api POST /api/v1/import "$TOK" "$(cat "$T/bad.json")"
	expect_code 400 "invalid bundle"
	grep -q '/objects/3/valid_from' "$T/body" || fail "no pointer: $(cat "$T/body")"
	api GET "/api/v1/search?value=198.51.100.7" "$TOK"
	expect_code 200 search
	api GET "/api/v1/stats" "$TOK"
	expect_code 200 stats
	api GET "/api/v1/export" "$TOK"
	expect_code 200 export
	python3 -c "import json; d = json.load(open('$T/body')); assert d['type'] == 'bundle'" ||
		fail "export is not a bundle"
	# identities administration: admins only
	api GET /api/v1/users "$TOK"
	expect_code 403 "users for an analyst"
	api GET /api/v1/users "$ADM"
	expect_code 200 "users for an admin"
	api POST /api/v1/groups "$ADM" '{"name":"EU WP","description":"working party"}'
	expect_code 201 "add group"
	api POST "/api/v1/groups/EU%20WP/members" "$ADM" '{"org":"Beta"}'
	expect_code 200 grant
	api POST /api/v1/tokens "$TOK" '{"label":"ci","days":2}'
	expect_code 201 "token for oneself"
	new=$(python3 -c "import json; print(json.load(open('$T/body'))['token'])")
	api GET /api/v1/me "$new"
	expect_code 200 "new token works"
	api GET /api/v1/audit "$ADM"
	expect_code 200 audit
	grep -q '"action":"object.create"' "$T/body" || fail "object.create not audited"
	grep -q '"action":"access.denied"' "$T/body" || fail "denial not audited"
	grep -q '"action":"export"' "$T/body" || fail "export not audited"
	grep -q '"action":"import"' "$T/body" || fail "import not audited"
	serve_stop
	log_is_json
}

test_serve_openapi_routes() {
	ident_setup
	serve_start || return
	python3 tests/e2e/serve_checks.py openapi "$URL" "$ADM" >"$T/out" 2>&1 ||
		fail "openapi: $(cat "$T/out")"
	serve_stop
}

test_serve_bad_input() {
	ident_setup
	serve_start || return
	for c in early_413 chunked_413 targets; do
		python3 tests/e2e/serve_checks.py $c "$URL" "$TOK" >"$T/out" 2>&1 ||
			fail "$c: $(cat "$T/out")"
	done
	api POST /api/v1/objects "$TOK" '{"type": "malware",'
	expect_code 400 "malformed JSON"
	grep -q 'malformed JSON' "$T/body" || fail "no reason: $(cat "$T/body")"
	api POST /api/v1/objects "$TOK" '{"type":"malware"} trailing'
	expect_code 400 "trailing text"
	code=$(curl -s -o "$T/body" -w '%{http_code}' -H "Authorization: Bearer $TOK" \
		-H 'Content-Type: text/plain' --data-binary '{}' "$URL/api/v1/objects")
	expect_code 415 "text/plain body"
	code=$(curl -s -o "$T/body" -w '%{http_code}' -H "Authorization: Bearer $TOK" \
		-H 'Content-Type: application/x-www-form-urlencoded' --data 'a=b' "$URL/api/v1/import")
	expect_code 415 "form body"
	code=$(curl -s -o "$T/body" -w '%{http_code}' -X GET -H "Authorization: Bearer $TOK" \
		-H 'Content-Type: application/json' --data-binary '{}' "$URL/api/v1/stats")
	expect_code 413 "GET with a body"
	code=$(curl -s -o "$T/body" -w '%{http_code}' -X DELETE "$URL/api/v1/health")
	expect_code 405 "DELETE on health"
	# CR/LF and control characters in values that reach the log and the
	# audit log: escaped, one line per request.
	before=$(wc -l <"$T/server.log")
	curl -s -o /dev/null -u "$(printf 'ev\r\nil{"injected":1}'):x" "$URL/api/v1/me"
	curl -s -o /dev/null "$URL/api/v1/objects/a%0d%0a%7b%22injected%22:1%7d"
	curl -s -o /dev/null -H "Authorization: Bearer $TOK" "$URL/api/v1/objects?label=%0d%0a%7binjected"
	sleep 0.2
	after=$(wc -l <"$T/server.log")
	[ $((after - before)) -eq 3 ] || fail "3 requests gave $((after - before)) log lines"
	grep -q '^{"injected"' "$T/server.log" && fail "a log line was injected"
	vb audit
	grep -q '^{"injected"' "$T/out" && fail "an audit line was injected"
	serve_stop
	log_is_json
}

test_serve_security() {
	ident_setup
	serve_start --fail-limit 3 --fail-window 60 || return
	# headers: JSON and HTML
	api GET /api/v1/health
	grep -qi '^X-Content-Type-Options: nosniff' "$T/headers" || fail "JSON without nosniff"
	grep -qi "^Content-Security-Policy:.*frame-ancestors 'none'" "$T/headers" || fail "JSON without CSP"
	api GET /
	expect_code 200 index
	grep -qi '^Content-Type: text/html' "$T/headers" || fail "index is not HTML"
	grep -qi "^Content-Security-Policy: default-src 'none'.*frame-ancestors 'none'" "$T/headers" ||
		fail "HTML without CSP frame-ancestors"
	grep -qi '^X-Content-Type-Options: nosniff' "$T/headers" || fail "HTML without nosniff"
	api GET /no/such/page
	expect_code 404 "HTML 404"
	grep -qi '^Content-Type: text/html' "$T/headers" || fail "404 page is not HTML"
	grep -qi "frame-ancestors 'none'" "$T/headers" || fail "404 page without CSP"
	# password login and the session cookie
	code=$(curl -s -o "$T/body" -D "$T/headers" -w '%{http_code}' -H 'Content-Type: application/json' \
		--data-binary "{\"user\":\"ann\",\"password\":\"$PW\"}" "$URL/api/v1/login")
	expect_code 200 login
	grep -i '^Set-Cookie: vb_session=' "$T/headers" >"$T/cookie" || fail "no session cookie"
	grep -qi 'HttpOnly' "$T/cookie" && grep -qi 'SameSite=Strict' "$T/cookie" ||
		fail "cookie flags: $(cat "$T/cookie")"
	sid=$(sed -n 's/^[Ss]et-[Cc]ookie: vb_session=\([^;]*\).*/\1/p' "$T/cookie")
	code=$(curl -s -o "$T/body" -w '%{http_code}' -b "vb_session=$sid" "$URL/api/v1/me")
	expect_code 200 "session works"
	code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -b "vb_session=$sid" "$URL/api/v1/logout")
	expect_code 200 logout
	code=$(curl -s -o /dev/null -w '%{http_code}' -b "vb_session=$sid" "$URL/api/v1/me")
	expect_code 401 "session after logout"
	# Basic with a token as the password (TAXII clients)
	code=$(curl -s -o /dev/null -w '%{http_code}' -u "ann:$TOK" "$URL/api/v1/me")
	expect_code 200 "basic with token"
	# repeated failures: 429 with Retry-After, even for a right guess
	for i in 1 2; do
		code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer vb_wrongwrongwrongwrongwrongwrongwrongwrongwro" "$URL/api/v1/me")
		expect_code 401 "bad token $i"
	done
	code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
		--data-binary '{"user":"ann","password":"wrong-password-here"}' "$URL/api/v1/login")
	expect_code 401 "bad password"
	code=$(curl -s -o "$T/body" -D "$T/headers" -w '%{http_code}' -H "Authorization: Bearer $TOK" "$URL/api/v1/me")
	expect_code 429 "blocked address"
	grep -qi '^Retry-After: [0-9]' "$T/headers" || fail "no Retry-After"
	grep -q '"status":429' "$T/body" || fail "429 without the error object"
	serve_stop
	# Secrets never reach the logs.
	for secret in "$TOK" "$RO" "$ADM" "$PW" "$sid"; do
		grep -qF -- "$secret" "$T/server.log" && fail "a secret is in the server log"
	done
	vbs audit --json
	for secret in "$TOK" "$PW" "$sid" wrong-password-here; do
		grep -qF -- "$secret" "$T/out" && fail "a secret is in the audit log"
	done
	grep -q '"action":"login.failed"' "$T/out" || fail "failed login not audited"
	grep -q '"action":"login","object":null,"outcome":"ok"' "$T/out" || fail "login not audited"
	log_is_json
}

test_serve_graceful_shutdown() {
	ident_setup
	serve_start || return
	python3 tests/e2e/serve_checks.py shutdown "$URL" "$TOK" "$SPID" >"$T/out" 2>&1 ||
		fail "shutdown: $(cat "$T/out")"
	wait "$SPID"
	src=$?
	SPID=
	[ "$src" -eq 0 ] || fail "exit status $src"
	grep -q '"event":"stopped"' "$T/server.log" || fail "no clean stop"
	vbs list --type indicator --json
	expect_out 'inflight.example'
	[ "$(sqlite3 "$S" 'PRAGMA integrity_check')" = ok ] || fail "store damaged"
}

# A MISP event through the same import path; the import's own messages
# reach the server log wrapped as JSON.
test_serve_import_misp() {
	ident_setup
	serve_start || return
	api POST /api/v1/import "$TOK" "$(cat tests/fixtures/misp/event-all-types.json)"
	expect_code 200 "MISP import"
	grep -q '"stored":[1-9]' "$T/body" || fail "MISP import: $(head -c 300 "$T/body")"
	grep -q '"event":"message","detail":"verbinding import: ' "$T/server.log" ||
		fail "the import's message is not in the log as JSON"
	serve_stop
	log_is_json
}
