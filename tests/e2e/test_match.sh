# test_match.sh: `verbinding match` against a generated Zeek dns.log with
# known injected indicator values and near misses: the hits must be exactly
# the injected ones; sightings are stored (or not, with --dry-run); bad input
# is counted with line numbers and never crashes.

# match_case [LINES]: writes the generated case to $T/case and imports it.
match_case() {
	python3 tests/gen/gen_match_case.py "$T/case" "${1:-3000}" 7 || fail "generator failed"
	"$VB" import --store "$S" "$T/case/bundle.json" >/dev/null 2>&1 || fail "import failed"
}

# hits_tsv FILE: the hit lines of FILE as sorted line, field, value, indicator
# rows (one per indicator), leaving out indicator 11 (the FOLLOWEDBY pattern).
hits_tsv() {
	python3 - "$1" <<'PY'
import json, sys
rows = set()
for l in open(sys.argv[1]):
    h = json.loads(l)
    line = int(h["source"].rsplit(":", 1)[1])
    for i in h["indicators"]:
        if i.endswith("000000000011"):
            continue
        rows.add((line, h["field"], h["value"], i))
for r in sorted(rows):
    print("%d\t%s\t%s\t%s" % r)
PY
}

test_match_exact_hits() {
	match_case
	vb match --store "$S" --sensor test-sensor --no-default-warninglists "$T/case/dns.log"
	expect_rc 0
	hits_tsv "$T/out" | sort >"$T/got.tsv"
	sort "$T/case/expected.tsv" >"$T/want.tsv"
	diff "$T/want.tsv" "$T/got.tsv" >"$T/diff" || fail "hits differ from the injected values: $(head -20 "$T/diff")"
	# Every line is one JSON object with the documented members.
	python3 - "$T/out" <<'PY' || fail "hit lines are not the documented JSON"
import json, sys
for l in open(sys.argv[1]):
    h = json.loads(l)
    assert set(h) == {"time", "source", "field", "value", "indicators", "comparison"}, h
    assert h["time"] is None or h["time"].endswith("Z"), h
    assert h["comparison"].startswith("["), h
PY
	expect_out '"comparison":"\[ipv4-addr:value = '"'"'198\.51\.100\.0/24'"'"'\]"'
	# The FOLLOWEDBY pattern fired once, at the address that followed the domain.
	expect_eq "$(grep -c 'indicator--00000000-0000-4000-8000-000000000011' "$T/out")" 1 "FOLLOWEDBY firings"
	expect_err "lines, 0 bad"
	expect_err "hits: "
	# What a DNS log cannot match is listed, never skipped silently.
	expect_err "process:command_line: no log field carries this object path; e.g. indicator--00000000-0000-4000-8000-000000000010"
	expect_err "url:value: no url field in the logs read; e.g. indicator--00000000-0000-4000-8000-000000000009"
	vb match --store "$S" --dry-run --no-default-warninglists --unmatchable "$T/um.tsv" "$T/case/dns.log"
	expect_eq "$(wc -l <"$T/um.tsv")" 2 "unmatchable comparisons listed"
}

test_match_subdomains_option() {
	match_case
	vb match --store "$S" --dry-run --subdomains --no-default-warninglists "$T/case/dns.log"
	expect_rc 0
	hits_tsv "$T/out" | sort >"$T/got.tsv"
	sort "$T/case/expected-sub.tsv" >"$T/want.tsv"
	diff "$T/want.tsv" "$T/got.tsv" >"$T/diff" || fail "--subdomains hits differ: $(head -20 "$T/diff")"
}

test_match_threads_same_output() {
	match_case 60000
	vb match --store "$S" --dry-run --threads 1 --no-default-warninglists "$T/case/dns.log"
	cp "$T/out" "$T/one.json"
	vb match --store "$S" --dry-run --threads 4 --no-default-warninglists "$T/case/dns.log"
	expect_rc 0
	cmp -s "$T/one.json" "$T/out" || fail "4 threads wrote other hits than 1 thread"
	# gzip and stdin give the same hits too.
	gzip -c "$T/case/dns.log" >"$T/dns.log.gz"
	"$VB" match --store "$S" --dry-run --no-default-warninglists - <"$T/dns.log.gz" >"$T/gz.json" 2>"$T/err"
	sed 's/"source":"-:/"source":"X:/' "$T/gz.json" >"$T/a"
	sed 's/"source":"[^"]*dns.log:/"source":"X:/' "$T/one.json" >"$T/b"
	cmp -s "$T/a" "$T/b" || fail "gzip on stdin gave other hits"
}

test_match_sightings_stored() {
	match_case
	vb match --store "$S" --dry-run --no-default-warninglists "$T/case/dns.log"
	expect_rc 0
	expect_err "dry run: no sightings stored"
	expect_eq "$(count sighting)" 0 "sightings after --dry-run"
	vb match --store "$S" --sensor "Sensor A" --no-default-warninglists "$T/case/dns.log"
	expect_rc 0
	expect_err "sightings stored: 7"
	expect_eq "$(count sighting)" 7 "sightings (indicators 1, 2, 3, 4, 5, 8, 11)"
	expect_eq "$(count identity)" 1 "sensor identity"
	"$VB" export --store "$S" --type sighting,identity >"$T/s.json"
	python3 - "$T/s.json" "$T/case/expected.tsv" <<'PY' || fail "sightings do not match the hits"
import json, sys, uuid
objs = json.load(open(sys.argv[1]))["objects"]
ident = [o for o in objs if o["type"] == "identity"]
assert len(ident) == 1 and ident[0]["name"] == "Sensor A", ident
# The same deterministic id as `import --source "Sensor A"` would make.
ns = uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7")
assert ident[0]["id"] == "identity--%s" % uuid.uuid5(ns, "Sensor A"), ident[0]["id"]
want = {}
for l in open(sys.argv[2]):
    line, field, value, ind = l.rstrip("\n").split("\t")
    want.setdefault(ind, []).append(int(line))
s = {o["sighting_of_ref"]: o for o in objs if o["type"] == "sighting"}
for ind, lines in want.items():
    o = s[ind]
    assert o["count"] == len(lines), (ind, o["count"], lines)
    assert o["where_sighted_refs"] == [ident[0]["id"]] and o["created_by_ref"] == ident[0]["id"]
    assert o["first_seen"] <= o["last_seen"], o
    assert "dns.log" in o["description"], o
# Indicator 8 is one line: first_seen == last_seen == that line's time.
o = s["indicator--00000000-0000-4000-8000-000000000008"]
assert o["first_seen"] == o["last_seen"], o
assert s["indicator--00000000-0000-4000-8000-000000000011"]["count"] == 1
PY
	# The same run again adds versions, not a second set of sightings.
	vb match --store "$S" --sensor "Sensor A" --no-default-warninglists "$T/case/dns.log"
	expect_eq "$(count sighting)" 7 "sightings after the same run twice"
}

test_match_bad_input_counted() {
	match_case 200
	{
		cat "$T/case/dns.log"
		printf 'garbage\001\002\003 line\n'
		printf '1712950000.5\tC1\t10.0.0.1\n'
		head -c 1100000 /dev/zero | tr '\0' 'x'
		printf '\n'
		head -c 3000 /dev/urandom
		printf '\n'
	} >"$T/bad.log"
	vb match --store "$S" --dry-run --no-default-warninglists "$T/bad.log"
	expect_rc 0
	n=$(grep -c '' "$T/case/dns.log")
	expect_err "bad line .*bad.log:$((n + 1)): control character"
	expect_err "bad line .*bad.log:$((n + 2)): expected 24 fields, found 3"
	expect_err "bad line .*bad.log:$((n + 3)): line longer than the limit"
	hits_tsv "$T/out" | sort >"$T/got.tsv"
	sort "$T/case/expected.tsv" >"$T/want.tsv"
	diff -q "$T/want.tsv" "$T/got.tsv" >/dev/null || fail "hits changed because of bad lines"
	# A truncated gzip: what decompressed is read, the break is reported.
	gzip -c "$T/case/dns.log" >"$T/full.gz"
	head -c $(($(wc -c <"$T/full.gz") - 40)) "$T/full.gz" >"$T/cut.gz"
	vb match --store "$S" --dry-run --no-default-warninglists "$T/cut.gz"
	expect_rc 0
	expect_err "broken or truncated gzip"
	# Binary garbage as a whole file: not a known format.
	head -c 5000 /dev/urandom >"$T/noise.bin"
	vb match --store "$S" --dry-run --no-default-warninglists --format zeek "$T/noise.bin"
	[ "$rc" -le 2 ] || fail "exit status $rc on binary garbage"
	vb match --store "$S" --dry-run "$T/no-such-file.log"
	expect_rc 4
	vb match --store "$S" --threads 0 "$T/case/dns.log"
	expect_rc 1
}
