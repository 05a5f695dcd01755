#!/usr/bin/env python3
"""gen_dnslog.py: a large Zeek dns.log (TSV) made by replaying the real lines
of a Zeek dns.log (e.g. ../shared/data/logs/zeek-tsv/dns.log.gz) again and
again, with indicator values injected at one line per RATE lines.

    gen_dnslog.py SRC.log[.gz] VALUES OUT SIZE_BYTES [RATE] [SEED]

Every RATE-th data line gets one indicator value: a domain replaces the
query field, an IPv4 address replaces id.resp_h (alternating when VALUES
holds both kinds). The other fields stay as in the real line. The header is
written once at the top; the #close line is dropped. Timestamps are shifted
by the span of the source log on every replay, so time keeps increasing.

Prints, on stderr, the number of lines and injections; writes OUT.injected
with "line<TAB>field<TAB>value" for every injected line.
"""
import gzip
import random
import sys


def main():
    src, values_path, out, size = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    rate = int(sys.argv[5]) if len(sys.argv) > 5 else 10000
    rnd = random.Random(int(sys.argv[6]) if len(sys.argv) > 6 else 1)
    op = gzip.open if src.endswith(".gz") else open
    with op(src, "rt", encoding="utf-8", errors="surrogateescape") as f:
        lines = f.read().split("\n")
    header = [l for l in lines if l.startswith("#") and not l.startswith("#close")]
    data = [l for l in lines if l and not l.startswith("#")]
    fields = next(l for l in header if l.startswith("#fields")).split("\t")[1:]
    qi, ri = fields.index("query"), fields.index("id.resp_h")
    ts0 = float(data[0].split("\t", 1)[0])
    span = float(data[-1].split("\t", 1)[0]) - ts0 + 1.0
    doms, ips = [], []
    with open(values_path, encoding="utf-8", errors="surrogateescape") as f:
        for v in f:
            v = v.strip()
            if not v or "/" in v or ":" in v:
                continue
            parts = v.split(".")
            if len(parts) == 4 and all(p.isdigit() for p in parts):
                ips.append(v)
            elif "." in v:
                doms.append(v)
    pools = [p for p in (doms, ips) if p]
    inj = open(out + ".injected", "w", encoding="utf-8", errors="surrogateescape")
    written = 0
    lineno = len(header)
    n_inj = 0
    with open(out, "w", encoding="utf-8", errors="surrogateescape", newline="\n") as o:
        o.write("\n".join(header) + "\n")
        written += sum(len(h) + 1 for h in header)
        rep = 0
        while written < size:
            shift = rep * span
            buf = []
            for i, l in enumerate(data):
                lineno += 1
                ts, rest = l.split("\t", 1)
                l = "%.6f\t%s" % (float(ts) + shift, rest)
                if lineno % rate == 0:
                    col = l.split("\t")
                    pool = pools[n_inj % len(pools)]
                    v = rnd.choice(pool)
                    k = qi if pool is doms else ri
                    col[k] = v
                    l = "\t".join(col)
                    inj.write("%d\t%s\t%s\n" % (lineno, fields[k], v))
                    n_inj += 1
                buf.append(l)
                written += len(l) + 1
                if written >= size:
                    break
            o.write("\n".join(buf) + "\n")
            rep += 1
    inj.close()
    print("%d lines, %d injected values, %d bytes" % (lineno, n_inj, written), file=sys.stderr)


if __name__ == "__main__":
    main()
