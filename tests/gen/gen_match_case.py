#!/usr/bin/env python3
"""gen_match_case.py OUTDIR [LINES] [SEED]: a test case for `verbinding match`.

Writes, deterministically for a seed:
  OUTDIR/bundle.json    STIX 2.1 indicators: exact values, a CIDR block, an
                        IPv6 block, a subdomain-flagged domain, an expired and
                        a revoked one, a URL and a process pattern (that a DNS
                        log cannot match)
  OUTDIR/dns.log        a Zeek dns.log (TSV) of LINES synthetic lines with the
                        indicator values injected at known lines, plus near
                        misses that must NOT match (parent domains, look-alike
                        names, neighbouring addresses, values of the expired
                        and revoked indicators)
  OUTDIR/expected.tsv   line<TAB>field<TAB>value<TAB>indicator of every hit
                        `verbinding match` must report (no --subdomains)
  OUTDIR/expected-sub.tsv  the same with --subdomains
"""
import json
import os
import random
import sys

out = sys.argv[1]
lines = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
rnd = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 7)
os.makedirs(out, exist_ok=True)


def iid(n):
    return "indicator--00000000-0000-4000-8000-%012d" % n


def ind(n, pattern, **kw):
    o = {"type": "indicator", "spec_version": "2.1", "id": iid(n),
         "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
         "pattern": pattern, "pattern_type": "stix", "valid_from": "2024-01-01T00:00:00Z",
         "indicator_types": ["malicious-activity"]}
    o.update(kw)
    return o


objs = [
    ind(1, "[domain-name:value = 'evil-one.example']"),
    ind(2, "[ipv4-addr:value = '198.51.100.0/24']"),
    ind(3, "[ipv6-addr:value = '2001:db8:bad::/48']"),
    ind(4, "[domain-name:value = 'flagged.example']", x_verbinding_match_subdomains=True),
    ind(5, "[domain-name:value = 'plain.example']"),
    ind(6, "[domain-name:value = 'expired.example']", valid_until="2024-06-01T00:00:00Z"),
    ind(7, "[domain-name:value = 'revoked.example']", revoked=True),
    ind(8, "[ipv4-addr:value = '203.0.113.77']"),
    ind(9, "[url:value = 'http://evil-one.example/gate.php']"),
    ind(10, "[process:command_line = 'evil.exe --steal']"),
    ind(11, "[domain-name:value = 'evil-one.example'] FOLLOWEDBY "
            "[ipv4-addr:value = '203.0.113.77']"),
]
json.dump({"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000000",
           "objects": objs}, open(os.path.join(out, "bundle.json"), "w"), indent=1)

fields = ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto",
          "trans_id", "rtt", "query", "qclass", "qclass_name", "qtype", "qtype_name",
          "rcode", "rcode_name", "AA", "TC", "RD", "RA", "Z", "answers", "TTLs", "rejected"]
types = ["time", "string", "addr", "port", "addr", "port", "enum", "count", "interval",
         "string", "count", "string", "count", "string", "count", "string", "bool", "bool",
         "bool", "bool", "count", "vector[string]", "vector[interval]", "bool"]
header = ["#separator \\x09", "#set_separator\t,", "#empty_field\t(empty)",
          "#unset_field\t-", "#path\tdns", "#open\t2024-04-12-19-29-12",
          "#fields\t" + "\t".join(fields), "#types\t" + "\t".join(types)]
benign = ["www.example.com", "cdn.example.net", "mail.example.org", "update.example.com",
          "ntp.example.net", "login.example.org"]

# (kind, field, value, indicator or None for a near miss, hit with --subdomains)
inject = [
    ("query", "evil-one.example", 1, 1),
    ("query", "EVIL-ONE.Example.", 1, 1),           # mixed case, trailing dot
    ("query", "sub.evil-one.example", None, 1),     # subdomain: only with --subdomains
    ("query", "one.example", None, None),           # a parent-ish name: never
    ("query", "example", None, None),               # parent: never
    ("query", "xevil-one.example", None, None),     # look-alike
    ("query", "evil-one.example.org", None, None),
    ("answers", "198.51.100.0", 2, 2),              # CIDR edges
    ("answers", "198.51.100.255", 2, 2),
    ("answers", "198.51.99.255", None, None),       # neighbours
    ("answers", "198.51.101.0", None, None),
    ("id.resp_h", "198.51.100.17", 2, 2),
    ("answers", "2001:db8:bad:ffff::1", 3, 3),
    ("answers", "2001:db8:bae::1", None, None),
    ("answers", "2001:db8:bac:ffff:ffff:ffff:ffff:ffff", None, None),
    ("query", "a.b.flagged.example", 4, 4),         # flagged: subdomains always
    ("query", "flagged.example", 4, 4),
    ("query", "x.plain.example", None, 5),          # unflagged: only with --subdomains
    ("query", "plain.example", 5, 5),
    ("query", "expired.example", None, None),       # expired
    ("query", "revoked.example", None, None),       # revoked
    ("id.resp_h", "203.0.113.77", 8, 8),
    ("id.resp_h", "203.0.113.76", None, None),
    ("id.resp_h", "203.0.113.78", None, None),
]
at = sorted(rnd.sample(range(50, lines - 10), len(inject)))
plan = dict(zip(at, inject))
exp, exp_sub = [], []
fi = {f: i for i, f in enumerate(fields)}
t0 = 1712950000.0
with open(os.path.join(out, "dns.log"), "w", newline="\n") as f:
    f.write("\n".join(header) + "\n")
    no = len(header)
    for i in range(lines):
        no += 1
        q = rnd.choice(benign)
        ans = "%s,10.%d.%d.%d" % (q, rnd.randrange(256), rnd.randrange(256), rnd.randrange(1, 255))
        row = ["%.6f" % (t0 + i * 0.5), "C%06d" % i, "10.0.%d.%d" % (rnd.randrange(8), rnd.randrange(1, 250)),
               str(rnd.randrange(1024, 65535)), "10.0.0.53", "53", "udp", str(rnd.randrange(65536)),
               "0.000870", q, "1", "C_INTERNET", "1", "A", "0", "NOERROR", "F", "F", "T", "T", "0",
               ans, "60.000000,60.000000", "F"]
        if i in plan:
            field, value, hit, hit_sub = plan[i]
            row[fi[field]] = value
            if field == "answers":
                row[fi["answers"]] = "cname.example.net," + value
            shown = value.lower().rstrip(".") if field == "query" else value
            if hit:
                exp.append((no, field, shown, iid(hit)))
            if hit_sub:
                exp_sub.append((no, field, shown, iid(hit_sub)))
        f.write("\t".join(row) + "\n")
    f.write("#close\t2024-04-12-19-34-07\n")
for name, rows in (("expected.tsv", exp), ("expected-sub.tsv", exp_sub)):
    with open(os.path.join(out, name), "w") as f:
        for r in rows:
            f.write("%d\t%s\t%s\t%s\n" % r)
