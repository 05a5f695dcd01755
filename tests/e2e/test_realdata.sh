# test_realdata.sh: the real public data in ../shared/data imports with the
# expected counts per type. Skipped when ../shared/data is absent.

# expect_counts "type=n type=n ...": latest objects per type in $S.
expect_counts() {
	"$VB" stats --store "$S" --json >"$T/stats.json"
	for kv in $1; do
		got=$(python3 -c "import json; print(json.load(open('$T/stats.json'))['by_type'].get('${kv%%=*}', 0))")
		[ "$got" = "${kv#*=}" ] || fail "${kv%%=*}: $got objects, expected ${kv#*=}"
	done
}

test_real_attack_enterprise() {
	need_shared || return
	vb import --store "$S" "$SHARED/stix/enterprise-attack.json.gz"
	expect_rc 0
	expect_err "total +24771 +0 +0 +0"
	expect_counts "attack-pattern=835 relationship=20048 malware=696 intrusion-set=187 tool=91
		campaign=52 course-of-action=268 x-mitre-analytic=1739 x-mitre-detection-strategy=691
		x-mitre-data-component=109 x-mitre-data-source=38 x-mitre-tactic=14 x-mitre-matrix=1"
	# Upgraded to 2.1 on the way in.
	vb show --store "$S" --json intrusion-set--899ce53f-13a0-479b-a0e4-67d46e241542
	expect_out '"spec_version": "2.1"'
}

test_real_attack_ics_mobile() {
	need_shared || return
	vb import --store "$S" "$SHARED/stix/ics-attack.json"
	expect_rc 0
	expect_err "total +1826 +0 +0 +0"
	vb import --store "$S" "$SHARED/stix/mobile-attack.json"
	expect_rc 0
	# Mobile shares some objects with ICS: 11 newer versions, 3 the same.
	expect_err "total +2134 +11 +3 +0"
	expect_counts "x-mitre-asset=18 x-mitre-collection=2"
}

test_real_oasis_examples() {
	need_shared || return
	vb import --store "$S" "$SHARED/stix/oasis-examples"
	expect_rc 0
	expect_err "8 file\(s\), 0 failed"
	expect_counts "indicator=43 malware=34 relationship=130 attack-pattern=11 threat-actor=5
		vulnerability=6 tool=10 report=2 infrastructure=2"
	# The interop folder holds the interop profile's JSON Schemas, not bundles:
	# each gets a clear error and nothing is stored.
	vb import --store "$S" "$SHARED/stix/oasis-interop"
	expect_rc 2
	expect_err "intrusion-set.json: a JSON Schema document"
}

test_real_misp_events_and_galaxy() {
	need_shared || return
	vb import --store "$S" "$SHARED/misp/events"
	expect_rc 2
	# Two of the 40 files are not importable; each says where and why.
	expect_err "malicious_pypi_packages.misp-event.json:37374:9: .*malformed JSON"
	expect_err "rqz-dnsduvel_blocklist.json: .*not a MISP event"
	expect_err "40 file\(s\), 2 failed"
	expect_counts "report=38 indicator=975 x-misp-object=338 url=176 domain-name=598"
	vb import --store "$S" "$SHARED/misp/galaxy/threat-actor.json"
	expect_rc 0
	n=$(count intrusion-set)
	[ "$n" -ge 1041 ] || fail "intrusion sets after threat-actor.json: $n"
	# Re-import is idempotent.
	vb import --store "$S" "$SHARED/misp/galaxy/threat-actor.json"
	expect_err "total +0 +0 +[0-9]+ +0"
}

test_real_ipsum_and_maltrail() {
	need_shared || return
	vb import --store "$S" --source ipsum --tlp green "$SHARED/iocs/ipsum.txt"
	expect_rc 0
	expect_counts "indicator=120430 ipv4-addr=120430"
	mkdir "$T/maltrail"
	tar -xzf "$SHARED/iocs/maltrail-static.tar.gz" -C "$T/maltrail"
	# 229 lines of the 3,113 trail files hold no recognisable value (regular
	# expressions, domain suffixes, bad ports); without --skip-invalid their
	# files are rejected whole, with it they are listed and the rest stored.
	vb import --store "$S" --source maltrail "$T/maltrail"
	expect_rc 2
	expect_err "is not a value of a known kind"
	vb import --store "$S" --source maltrail --skip-invalid "$T/maltrail"
	expect_rc 0
	expect_err "total +[0-9]+ +0 +[0-9]+ +229"
	expect_counts "indicator=1759212"
}
