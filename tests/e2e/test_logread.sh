# test_logread.sh: the sensor exports (zeek-intel, suricata-dataset) through
# the real binary, and the log readers and warninglists through
# `verbinding match` (those tests are skipped while the build has no match
# command).

# sensor_bundle: writes $T/sensor.json, indicators of every exported type
# plus ones that must be skipped, and imports it into $S.
sensor_bundle() {
	python3 - "$T/sensor.json" <<'PY'
import json, sys
def ind(n, pattern, **kw):
    o = {"type": "indicator", "spec_version": "2.1",
         "id": "indicator--00000000-0000-4000-8000-%012x" % n,
         "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
         "pattern": pattern, "pattern_type": "stix", "valid_from": "2024-01-01T00:00:00Z"}
    o.update(kw)
    return o
objs = [
    ind(1, "[ipv4-addr:value = '203.0.113.5']", name="C2\taddress\nsecond line"),
    ind(2, "[ipv4-addr:value = '198.51.100.0/24']",
        external_references=[{"source_name": "r", "url": "https://ref.example/1"}]),
    ind(3, "[ipv6-addr:value = '2001:DB8::1']"),
    ind(4, "[domain-name:value = 'Evil.Example']"),
    ind(5, "[url:value = 'HTTP://Evil.Example/gate.php?x=1']"),
    ind(6, "[email-addr:value = 'bad@evil.example']"),
    ind(7, "[file:hashes.MD5 = 'D41D8CD98F00B204E9800998ECF8427E']"),
    ind(8, "[file:hashes.'SHA-256' = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']"),
    ind(9, "[domain-name:value = 'revoked.example']", revoked=True),
    ind(10, "[domain-name:value = 'expired.example']", valid_until="2024-06-01T00:00:00Z"),
    ind(11, "[network-traffic:dst_ref.value = '192.0.2.9' AND network-traffic:dst_port = 443]"),
    ind(12, "[domain-name:value LIKE '%.evil.example']"),
]
json.dump({"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000000",
           "objects": objs}, open(sys.argv[1], "w"))
PY
	"$VB" import --store "$S" "$T/sensor.json" >/dev/null 2>&1 || fail "import of the sensor bundle failed"
}

test_export_zeek_intel() {
	sensor_bundle
	vb export --store "$S" --format zeek-intel
	expect_rc 0
	expect_eq "$(head -n 1 "$T/out")" "$(printf '#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\tmeta.url')" "header"
	expect_eq "$(wc -l <"$T/out")" 9 "lines (header + 8 values)"
	# Every line has exactly five tab-separated fields.
	expect_eq "$(awk -F'\t' 'NR > 1 && NF != 5' "$T/out" | wc -l)" 0 "lines without five fields"
	expect_out "^203\.0\.113\.5	Intel::ADDR	indicator--00000000-0000-4000-8000-000000000001	C2 address second line	-$"
	expect_out "^198\.51\.100\.0/24	Intel::SUBNET	.*	https://ref\.example/1$"
	expect_out "^2001:db8::1	Intel::ADDR	"
	expect_out "^evil\.example	Intel::DOMAIN	"
	expect_out "^evil\.example/gate\.php\?x=1	Intel::URL	"
	expect_out "^bad@evil\.example	Intel::EMAIL	"
	expect_out "^d41d8cd98f00b204e9800998ecf8427e	Intel::FILE_HASH	"
	grep -q "revoked\|expired\|192\.0\.2\.9\|http://" "$T/out" && fail "skipped indicators were exported"
	expect_err "12 indicators read, 8 exported with 8 values; skipped: 2 not valid now or revoked, 1 not a simple equality, 1 values of no Zeek intel type"
	vb export --store "$S" --format zeek-intel -o "$T/intel.dat"
	expect_rc 0
	expect_eq "$(wc -l <"$T/intel.dat")" 9 "lines written to -o FILE"
	vb export --store "$S" --format zeek-intel -o "$T/no/such/dir/intel.dat"
	expect_rc 4
}

test_export_suricata_dataset() {
	sensor_bundle
	vb export --store "$S" --format suricata-dataset -o "$T/suri"
	expect_rc 0
	expect_err "suricata.yaml stanzas and rules in $T/suri/README"
	expect_eq "$(base64 -d "$T/suri/domain.lst")" "evil.example" "domain.lst"
	expect_eq "$(base64 -d "$T/suri/url.lst")" "/gate.php?x=1" "url.lst"
	expect_eq "$(base64 -d "$T/suri/url-host.lst")" "evil.example" "url-host.lst"
	expect_eq "$(cat "$T/suri/ipv4.lst")" "203.0.113.5" "ipv4.lst"
	expect_eq "$(cat "$T/suri/ipv6.lst")" "2001:db8::1" "ipv6.lst"
	expect_eq "$(cat "$T/suri/md5.lst")" "d41d8cd98f00b204e9800998ecf8427e" "md5.lst"
	expect_eq "$(cat "$T/suri/sha256.lst")" "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" "sha256.lst"
	expect_eq "$(wc -c <"$T/suri/sha1.lst")" 0 "sha1.lst (empty)"
	grep -q "^  vb-domain:$" "$T/suri/README" || fail "README lacks the vb-domain stanza"
	grep -q "load: $T/suri/ipv4.lst" "$T/suri/README" || fail "README lacks the absolute load path"
	[ -z "$(ls "$T/suri" | grep '\.tmp$')" ] || fail ".tmp files left behind"
	# Exported again: the files are replaced, not appended to.
	vb export --store "$S" --format suricata-dataset -o "$T/suri"
	expect_eq "$(cat "$T/suri/ipv4.lst")" "203.0.113.5" "ipv4.lst after a second export"
	vb export --store "$S" --format suricata-dataset
	expect_rc 1
	expect_err "needs -o DIR"
}

test_export_unknown_format() {
	vb export --store "$S" --format snort
	expect_rc 1
	expect_err "expected stix, csv, plain, zeek-intel or suricata-dataset"
}

# ---- the readers through `verbinding match` ----

have_match() {
	if ! "$VB" match --help >/dev/null 2>&1; then
		skipped=1
		return 1
	fi
	return 0
}

# match_bundle: indicators for the injected values, imported into $S.
match_bundle() {
	python3 - "$T/ind.json" <<'PY'
import json, sys
vals = ["[domain-name:value = 'evil-c2.example.io']", "[ipv4-addr:value = '45.33.32.156']",
        "[ipv4-addr:value = '192.0.2.66']", "[url:value = 'http://evil-c2.example.io/gate.php']"]
objs = [{"type": "indicator", "spec_version": "2.1",
         "id": "indicator--00000000-0000-4000-8000-%012x" % (i + 1),
         "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
         "pattern": p, "pattern_type": "stix", "valid_from": "2024-01-01T00:00:00Z"}
        for i, p in enumerate(vals)]
json.dump({"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000001",
           "objects": objs}, open(sys.argv[1], "w"))
PY
	"$VB" import --store "$S" "$T/ind.json" >/dev/null 2>&1 || fail "import of the indicators failed"
}

test_match_reads_every_format() {
	have_match || return 0
	match_bundle
	printf '{"ts":1521911720.86,"uid":"C1","id.orig_h":"10.0.0.1","query":"evil-c2.example.io","answers":["45.33.32.156"]}\n{"ts":1521911721,"uid":"C2","query":"not-evil.example.io"}\n' >"$T/dns.json"
	printf '45.33.32.156 - - [10/Oct/2000:13:55:36 +0000] "GET /x HTTP/1.1" 200 1 "http://evil-c2.example.io/gate.php" "curl"\n10.0.0.2 - - [10/Oct/2000:13:55:37 +0000] "GET / HTTP/1.1" 200 1 "-" "-"\n' >"$T/access.log"
	printf '01-Dec-2026 12:00:00.123 client @0x7f 10.0.0.3#53001 (evil-c2.example.io): query: evil-c2.example.io IN A + (10.0.0.53)\n' >"$T/query.log"
	printf 'ts,src_ip,query\n1706695200,45.33.32.156,ok.example\n' >"$T/flows.csv"
	printf '{"@timestamp":"2024-01-31T10:00:00Z","source":{"ip":"10.0.0.9"},"dns":{"question":{"name":"evil-c2.example.io"}}}\n' >"$T/ecs.jsonl"
	for f in dns.json access.log query.log flows.csv ecs.jsonl; do
		gzip -c "$T/$f" >"$T/$f.gz"
		vb match --store "$S" --dry-run "$T/$f.gz"
		expect_rc 0
		grep -q "evil-c2\|45\.33\.32\.156" "$T/out" || fail "$f: no hit: $(head -c 300 "$T/out") $(head -c 300 "$T/err")"
	done
}

test_match_warninglist_suppresses() {
	have_match || return 0
	match_bundle
	# 192.0.2.66 is a documentation address: the default list suppresses it.
	printf '{"ts":1,"uid":"C1","id.orig_h":"192.0.2.66","id.resp_h":"45.33.32.156"}\n' >"$T/conn.json"
	vb match --store "$S" --dry-run "$T/conn.json"
	expect_rc 0
	grep -q "45\.33\.32\.156" "$T/out" || fail "no hit for 45.33.32.156"
	grep -q "192\.0\.2\.66" "$T/out" && fail "192.0.2.66 fired despite the default warninglist"
	printf '{"name":"mine","type":"cidr","list":["45.33.32.0/24"]}' >"$T/mine.json"
	vb match --store "$S" --dry-run --warninglist "$T/mine.json" "$T/conn.json"
	expect_rc 0
	grep -q "45\.33\.32\.156" "$T/out" && fail "45.33.32.156 fired despite --warninglist"
}
