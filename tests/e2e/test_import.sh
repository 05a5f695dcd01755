# test_import.sh: import, re-import, versions, export round trip and bad input,
# driven through the real binary against a fresh store.

BASIC=tests/fixtures/stix/basic-bundle.json

# mutate EXPR: writes $T/bad.json: the basic bundle after a python expression
# over `b` (the parsed bundle) has changed it.
mutate() {
	python3 - "$BASIC" "$T/bad.json" "$1" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))
exec(sys.argv[3])
json.dump(b, open(sys.argv[2], "w"))
PY
}

# The store must be exactly as init left it (5 TLP markings).
expect_untouched() {
	expect_eq "$(total)" "5 5" "objects, versions after a rejected import"
}

test_init_creates_store() {
	vb init --store "$T/new.db"
	expect_rc 0
	[ -f "$T/new.db" ] || fail "no store file"
	vb init --store "$T/new.db"
	expect_rc 0
	S=$T/new.db
	expect_eq "$(count marking-definition)" 5 "TLP 2.0 markings seeded once"
}

test_import_counts_and_show() {
	vb import --store "$S" "$BASIC"
	expect_rc 0
	expect_err "total +10 +0 +0 +0"
	expect_eq "$(count indicator)" 2 "indicators"
	expect_eq "$(count relationship)" 2 "relationships"
	vb show --store "$S" intrusion-set--0c7e22ad-b099-4dc3-b0df-2ea3f49ae2e6
	expect_rc 0
	expect_out '"name": "Example Bear"'
	expect_out '-> uses +malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b \(ExampleLoader\)'
	expect_out '<- indicates +indicator--8e2e2d2b'
	vb show --store "$S" indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f --json
	expect_out '"x_example_custom"'
	vb list --store "$S" --type indicator
	expect_rc 0
	expect_eq "$(wc -l <"$T/out")" 2 "list lines"
	vb list --store "$S" --type indicator --limit 1 --json
	expect_eq "$(wc -l <"$T/out")" 1 "list --limit 1"
	vb show --store "$S" indicator--00000000-0000-4000-8000-000000000000
	expect_rc 5
	expect_err "no such object"
}

# On a terminal the import draws a progress bar on stderr and says when the
# file is read and the writer is still storing it.
test_progress_bar_on_a_terminal() {
	command -v script >/dev/null || { skipped=1; return 0; }
	python3 -c 'for i in range(5000): print("10.%d.%d.%d" % (i >> 16, (i >> 8) & 255, i & 255))' \
		>"$T/ten.txt"
	script -qec "$VB import --store $S $T/ten.txt" /dev/null >"$T/tty" 2>&1
	rc=$?
	expect_rc 0
	tr '\r' '\n' <"$T/tty" >"$T/err"
	expect_err "ten.txt \[#+\] 100%"
	expect_err "ten.txt: storing and committing, 10000 objects read"
	expect_err "total +10000 +0 +0 +0"
	vb import --store "$S" "$T/ten.txt"
	if grep -q "storing and committing" "$T/err"; then fail "progress drawn without a terminal"; fi
}

test_reimport_is_idempotent() {
	vb import --store "$S" "$BASIC"
	vb import --store "$S" "$BASIC"
	expect_rc 0
	expect_err "total +0 +0 +10 +0"
	expect_eq "$(total)" "15 15" "objects, versions after re-import"
}

test_newer_version_adds_version() {
	vb import --store "$S" "$BASIC"
	mutate 'o=b["objects"][1]; o["modified"]="2024-02-01T00:00:00.000Z"; o["name"]="Example Bear v2"'
	vb import --store "$S" "$T/bad.json"
	expect_rc 0
	expect_err "intrusion-set +0 +1 +0 +0"
	expect_eq "$(total)" "15 16" "objects, versions"
	vb show --store "$S" intrusion-set--0c7e22ad-b099-4dc3-b0df-2ea3f49ae2e6 --json
	expect_out "Example Bear v2"
	vb show --store "$S" intrusion-set--0c7e22ad-b099-4dc3-b0df-2ea3f49ae2e6 --json --version 2024-01-10T08:00:00.000Z
	expect_out '"Example Bear"'
	vb export --store "$S" --all-versions --type intrusion-set
	expect_eq "$(grep -c '"type":"intrusion-set"' "$T/out")" 2 "exported versions"
}

test_invalid_object_rejects_whole_file() {
	mutate 'del b["objects"][3]["pattern"]'
	vb import --store "$S" "$T/bad.json"
	expect_rc 2
	expect_err "bad.json:[0-9]+:[0-9]+: /objects/3"
	expect_err "pattern"
	expect_err "nothing stored"
	expect_untouched
}

test_skip_invalid_stores_the_rest() {
	mutate 'b["objects"][3]["valid_until"]="2000-01-01T00:00:00Z"'
	vb import --store "$S" --skip-invalid "$T/bad.json"
	expect_rc 0
	expect_err "skipped: .*/objects/3"
	expect_eq "$(count indicator)" 1 "indicators stored"
}

test_bad_ids_and_timestamps() {
	for expr in 'b["objects"][2]["id"]="malware--not-a-uuid"' \
		'b["objects"][2]["id"]="tool--31b940d4-6f7f-459a-80ea-9c1f17b5891b"' \
		'b["objects"][2]["created"]="2024-13-10T08:00:00.000Z"' \
		'b["objects"][2]["modified"]="2023-01-10T08:00:00.000Z"' \
		'b["objects"][5]["source_ref"]="identity--f431f809-377b-45e0-aa1c-6a4751cae5ff0"' \
		'b["objects"][1]["created_by_ref"]="malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b"' \
		'b["objects"][2]["is_family"]="yes"' \
		'b["objects"][1]["confidence"]=101' \
		'b["objects"][3]["pattern"]="[ipv4-addr:value = ]"' \
		'b["objects"][0]["name"]="x"*2000000' \
		'b["objects"].append(b["objects"][0])'; do
		mutate "$expr"
		vb import --store "$S" "$T/bad.json"
		[ "$rc" -eq 2 ] || fail "accepted: $expr"
		grep -q "/objects/" "$T/err" || fail "no pointer for: $expr: $(cat "$T/err")"
	done
	expect_untouched
}

test_malformed_json() {
	head -c 700 "$BASIC" >"$T/trunc.json"
	vb import --store "$S" "$T/trunc.json"
	expect_rc 2
	expect_err "trunc.json"
	printf '{"type": "bundle", "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d", "objects": [\n {"type": "identity",, }]}' >"$T/bad.json"
	vb import --store "$S" "$T/bad.json"
	expect_rc 2
	expect_err "bad.json:2:[0-9]+: /objects/0: malformed JSON"
	printf '' >"$T/empty.json"
	vb import --store "$S" "$T/empty.json"
	expect_rc 2
	expect_err "empty input"
	python3 -c "print('{\"type\":\"bundle\",\"id\":\"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d\",\"objects\":[{\"type\":\"x-deep\",\"a\":' + '['*70 + ']'*70 + '}]}')" >"$T/deep.json"
	vb import --store "$S" "$T/deep.json"
	expect_rc 2
	expect_err "deeper than 64"
	python3 -c "
import sys
sys.stdout.buffer.write(open('$BASIC','rb').read().replace(b'Example CERT', b'Example \xff\xfe CERT'))" >"$T/utf8.json"
	vb import --store "$S" "$T/utf8.json"
	expect_rc 2
	expect_err "UTF-8"
	expect_untouched
}

test_mixed_directory() {
	mkdir "$T/dir"
	cp "$BASIC" "$T/dir/a.json"
	printf 'not json {' >"$T/dir/b.json"
	printf '\x00\x01\x02\x03binary' >"$T/dir/c.bin"
	vb import --store "$S" "$T/dir"
	expect_rc 2
	expect_err "b.json"
	expect_err "c.bin"
	expect_eq "$(count indicator)" 2 "the good file is stored"
}

test_cli_errors() {
	vb import --store "$S" "$T/missing.json"
	expect_rc 4
	expect_err "missing.json: No such file"
	vb import --store "$S" --bogus "$BASIC"
	expect_rc 1
	expect_err "unknown option '--bogus'"
	vb frobnicate
	expect_rc 1
	vb import --store "$T/nostore.db" "$BASIC"
	expect_rc 3
	expect_err "no store here"
	for c in init import export show list stats; do
		vb $c --help
		[ "$rc" -eq 0 ] || fail "$c --help exit $rc"
		grep -q "Exit status" "$T/out" || fail "$c --help lacks exit codes"
	done
	vb export --store "$S" --format yaml
	expect_rc 1
}

test_gzip_and_stdin() {
	gzip -c "$BASIC" >"$T/b.json.gz"
	vb import --store "$S" "$T/b.json.gz"
	expect_rc 0
	expect_eq "$(count indicator)" 2 "from gzip"
	"$VB" import --store "$S" - <"$BASIC" 2>"$T/err"
	rc=$?
	expect_rc 0
	expect_err "total +0 +0 +10 +0"
}

test_export_roundtrip() {
	vb import --store "$S" "$BASIC"
	mutate 'o=b["objects"][2]; o["modified"]="2024-03-01T00:00:00.000Z"'
	vb import --store "$S" "$T/bad.json"
	"$VB" export --store "$S" --all-versions -o "$T/all.json" || fail "export failed"
	"$VB" init --store "$T/second.db" >/dev/null
	vb import --store "$T/second.db" "$T/all.json"
	expect_rc 0
	for st in "$S" "$T/second.db"; do
		"$VB" export --store "$st" --all-versions | python3 -c "
import json, sys
b = json.load(sys.stdin)
for o in sorted(b['objects'], key=lambda o: (o['id'], o.get('modified', ''))):
    print(json.dumps(o, sort_keys=True))" >"$st.lines"
	done
	cmp -s "$S.lines" "$T/second.db.lines" || fail "stores differ after round trip: $(diff "$S.lines" "$T/second.db.lines" | head -5)"
	expect_eq "$(wc -l <"$S.lines")" 16 "objects and versions exported"
	vb export --store "$S" --type indicator --format plain
	expect_out "^198.51.100.7$"
	expect_out "^update.example-bad.com$"
	vb export --store "$S" --format csv --marking amber
	expect_out "^198.51.100.7,ipv4-addr,indicator--8e2e2d2b"
	vb export --store "$S" --since 2024-01-11 --type indicator
	expect_eq "$(grep -c '"type":"indicator"' "$T/out")" 1 "--since"
	vb export --store "$S" --id malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b
	expect_eq "$(grep -c '"type":"malware"' "$T/out")" 1 "--id"
}

# export --id with 2,000 ids finds the 1,501st: the store used to drop the ids
# past its 1,000 query parameters without a word.
test_export_many_ids() {
	cat >"$T/one.json" <<'J'
{"type":"identity","spec_version":"2.1","id":"identity--00000000-0000-4000-8000-000000001500","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","name":"x","identity_class":"organization"}
J
	vb import --quiet --store "$S" "$T/one.json"
	expect_rc 0
	ids=$(python3 -c "print(','.join('identity--00000000-0000-4000-8000-%012d' % i for i in range(2000)))")
	vb export --store "$S" --id "$ids"
	expect_rc 0
	expect_out "identity--00000000-0000-4000-8000-000000001500"
}
