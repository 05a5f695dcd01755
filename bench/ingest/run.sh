#!/bin/sh
# bench/ingest/run.sh: import speed, export speed and import memory, each
# measured against a baseline in the same run. Public tools only: hyperfine,
# /usr/bin/time -v, python3, sqlite3.
#
#   sh bench/ingest/run.sh [DATA_DIR]      (default: ../shared/data)
#
# 1. ATT&CK Enterprise (45 MB, STIX 2.0) into a fresh store vs python3 json.load
# 2. export of that store vs its import
# 3. maltrail + ipsum (~1.7 M values) into a fresh store, three runs, vs
#    sqlite3 CLI .import of 1 M rows into a table with a text primary key
# 4. a generated 1 GB bundle: peak RSS of the import
set -eu
DATA=${1:-../shared/data}
VB=$(pwd)/verbinding
W=${BENCH_DIR:-/tmp/vb-bench}
mkdir -p "$W"
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)"; exit 1; }
[ -x "$VB" ] || { echo "build first: make"; exit 1; }

echo "== 1. ATT&CK Enterprise import vs python3 json.load"
zcat "$DATA/stix/enterprise-attack.json.gz" >"$W/ea.json"
hyperfine -w 1 -r 5 --export-json "$W/h1.json" \
	-p "rm -f $W/ea.db*; $VB init --store $W/ea.db >/dev/null" \
	-n verbinding "$VB import --quiet --store $W/ea.db $W/ea.json" \
	-n python-json-load "python3 -c 'import json,sys; json.load(open(sys.argv[1]))' $W/ea.json"
python3 - "$W/h1.json" <<'PY'
import json, sys
r = {x["command"]: x["median"] for x in json.load(open(sys.argv[1]))["results"]}
v, p = r["verbinding"], r["python-json-load"]
print(f"import {v:.3f} s, python json.load {p:.3f} s: ratio {v/p:.2f} (target <= 2.00); {24771/v:,.0f} objects/s, {45.1/v:.0f} MB/s")
PY

echo "== 2. export of the ATT&CK store vs its import"
rm -f "$W"/ea.db*; "$VB" init --store "$W/ea.db" >/dev/null; "$VB" import --quiet --store "$W/ea.db" "$W/ea.json"
hyperfine -w 1 -r 5 --export-json "$W/h2.json" \
	-n export "$VB export --store $W/ea.db -o $W/ea-out.json" \
	-n import "rm -f $W/ea2.db*; $VB init --store $W/ea2.db >/dev/null; $VB import --quiet --store $W/ea2.db $W/ea.json"
python3 - "$W/h2.json" <<'PY'
import json, sys
r = {x["command"]: x["median"] for x in json.load(open(sys.argv[1]))["results"]}
print(f"export {r['export']:.3f} s vs import {r['import']:.3f} s: ratio {r['export']/r['import']:.2f} (target <= 1.00)")
PY

echo "== 3. maltrail + ipsum import vs sqlite3 .import of 1 M rows"
rm -rf "$W/maltrail"; mkdir -p "$W/maltrail"; tar -xzf "$DATA/iocs/maltrail-static.tar.gz" -C "$W/maltrail"
seq 1 1000000 | sed 's/^/value-/' >"$W/rows.txt"
for i in 1 2 3; do
	rm -f "$W/l.db"*; "$VB" init --store "$W/l.db" >/dev/null
	/usr/bin/time -v "$VB" import --quiet --skip-invalid --store "$W/l.db" "$DATA/iocs/ipsum.txt" "$W/maltrail" 2>"$W/time3-$i.txt" || true
	rm -f "$W/s.db"
	/usr/bin/time -f %e -o "$W/time3s-$i.txt" sqlite3 "$W/s.db" "CREATE TABLE t(v TEXT PRIMARY KEY);" ".import $W/rows.txt t"
done
python3 - "$W" "$VB" <<'PY'
import re, sys, subprocess, json, os, statistics
w, vb = sys.argv[1], sys.argv[2]
runs = []
for i in (1, 2, 3):
    t = open(f"{w}/time3-{i}.txt").read()
    wall = t.split("Elapsed (wall clock) time (h:mm:ss or m:ss):")[1].split()[0].split(":")
    secs = sum(float(x) * 60 ** k for k, x in enumerate(reversed(wall)))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1))
    base = float(open(f"{w}/time3s-{i}.txt").read().split()[-1])
    runs.append((secs, rss, base))
st = json.loads(subprocess.check_output([vb, "stats", "--json", "--store", f"{w}/l.db"]))
vals = st["by_type"].get("indicator", 0)
secs = statistics.median(r[0] for r in runs)
base = statistics.median(r[2] for r in runs)
print("runs: " + ", ".join(f"{r[0]:.1f} s (sqlite3 {r[2]:.1f} s)" for r in runs))
print(f"{vals:,} indicators in {secs:.1f} s median (target <= 30 s): {vals/secs:,.0f} values/s, "
      f"peak RSS {max(r[1] for r in runs)/1024:.0f} MB, store {st['bytes']/1e6:.0f} MB = "
      f"{st['bytes']/max(vals,1):.0f} bytes/value; sqlite3 .import 1 M rows: {base:.1f} s "
      f"(ratio {secs/base:.1f})")
PY

echo "== 4. a generated 1 GB bundle: peak RSS"
if [ ! -s "$W/big.json" ]; then
	python3 tests/gen/gen_bundle.py 400000 7 --pad 2200 >"$W/big.json"
fi
rm -f "$W/big.db"*; "$VB" init --store "$W/big.db" >/dev/null
/usr/bin/time -v "$VB" import --quiet --store "$W/big.db" "$W/big.json" 2>"$W/time4.txt"
python3 - "$W" <<'PY'
import re, sys, os
w = sys.argv[1]
t = open(f"{w}/time4.txt").read()
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1))
size = os.path.getsize(f"{w}/big.json")
print(f"{size/1e9:.2f} GB bundle imported with peak RSS {rss/1024:.0f} MB (target < 2048 MB)")
PY
