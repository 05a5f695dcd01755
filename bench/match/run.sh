#!/bin/sh
# bench/match/run.sh: `verbinding match` on >= 1 GB of Zeek dns.log against all
# maltrail + ipsum indicators (~1.7 M), against wc -l, grep -F and rg -F in
# the same run. Public tools only: hyperfine, /usr/bin/time -v, python3, grep, rg.
#
#   sh bench/match/run.sh [DATA_DIR]          (default: ../shared/data)
#
# Environment: BENCH_DIR (work directory, default /tmp/vb-bench-match; the
# store and the log are kept there and reused), BENCH_LOG_BYTES (default
# 1100000000), BENCH_GREP_MB (the larger prefix grep runs on, default 50),
# BENCH_RG_MB (the larger prefix for rg, default 20), BENCH_RUNS (hyperfine
# runs, default 5: this VM's speed drifts). rg -F with 1.7 M patterns needs about 15 GB of memory:
# it is skipped (and said so) when less than 20 GB is available.
#
# The log: the real lines of DATA/logs/zeek-tsv/dns.log.gz (53,624 lines)
# replayed until the size is reached, timestamps shifted per replay, with one
# indicator value injected every 10,000 lines (a domain into query, or an
# IPv4 address into id.resp_h; see gen_dnslog.py). Because the same 53 k
# lines repeat, the set of distinct values is small and stays in cache, and
# consecutive lines often repeat values (the real log does too): a log with
# more distinct values would be slower.
#
# What is measured, all on the page-cached log:
#   wc -l LOG                                          (hyperfine)
#   verbinding match --dry-run --threads 1 LOG         (hyperfine; and --threads <cores>)
# The whole command includes building the matcher from the store (seconds),
# so the scan itself is taken from the command's own summary: the wall time
# from opening the file to closing it ("LOG: zeek, N lines, 0 bad, S s"),
# median of BENCH_RUNS runs. Build time = whole command - scan - exit.
# grep -F -c -f values.txt and rg -F -c -f values.txt cannot run on the whole
# file in reasonable time with 1.7 M patterns: each runs on a 5 MB prefix and
# a larger one; the difference gives its scanning speed, the 5 MB run its
# fixed cost (compiling the patterns), and the whole-file time is projected
# as fixed cost + size / speed. The ratios are stated as projections.
set -eu
DATA=${1:-../shared/data}
VB=$(pwd)/verbinding
W=${BENCH_DIR:-/tmp/vb-bench-match}
SIZE=${BENCH_LOG_BYTES:-1100000000}
GREP_MB=${BENCH_GREP_MB:-50}
RG_MB=${BENCH_RG_MB:-20}
RUNS=${BENCH_RUNS:-5}
CORES=$(nproc)
mkdir -p "$W"
for t in hyperfine python3 rg; do
	command -v $t >/dev/null || { echo "needs $t"; exit 1; }
done
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)"; exit 1; }
[ -x "$VB" ] || { echo "build first: make"; exit 1; }

echo "== indicators: maltrail + ipsum as STIX indicators"
if [ ! -s "$W/store.db" ]; then
	rm -rf "$W/maltrail" "$W/store.db"*
	mkdir -p "$W/maltrail"
	tar -xzf "$DATA/iocs/maltrail-static.tar.gz" -C "$W/maltrail"
	"$VB" init --store "$W/store.db" >/dev/null
	"$VB" import --quiet --no-progress --skip-invalid --store "$W/store.db" \
		"$W/maltrail" "$DATA/iocs/ipsum.txt" 2>"$W/import.err" || true
fi
"$VB" stats --store "$W/store.db" --json >"$W/stats.json"
python3 -c "import json; d=json.load(open('$W/stats.json')); print('indicators in the store:', d['by_type'].get('indicator'))"

echo "== values.txt: the indicator values, one per line (patterns for grep/rg)"
if [ ! -s "$W/values.txt" ]; then
	[ -d "$W/maltrail" ] || { mkdir -p "$W/maltrail"; tar -xzf "$DATA/iocs/maltrail-static.tar.gz" -C "$W/maltrail"; }
	# The first token of every value line of every list, as the importer reads them.
	{ find "$W/maltrail" -type f -name '*.txt' -exec cat {} +; cat "$DATA/iocs/ipsum.txt"; } |
		sed -e 's/#.*//' -e 's/[[:space:]].*//' | grep -v '^$' | sort -u >"$W/values.txt"
fi
echo "$(wc -l <"$W/values.txt") distinct values"

echo "== the log: real dns.log lines replayed, one injected value per 10,000 lines"
if [ ! -s "$W/dns.log" ] || [ "$(wc -c <"$W/dns.log")" -lt "$SIZE" ]; then
	python3 bench/match/gen_dnslog.py "$DATA/logs/zeek-tsv/dns.log.gz" "$W/values.txt" \
		"$W/dns.log" "$SIZE" 10000 1
fi
LOG=$W/dns.log
BYTES=$(wc -c <"$LOG")
for mb in 5 "$GREP_MB" "$RG_MB"; do
	[ -s "$W/prefix$mb.log" ] || head -c $((mb * 1000000)) "$LOG" | sed '$d' >"$W/prefix$mb.log"
done
cat "$LOG" "$W"/prefix*.log "$W/store.db" >/dev/null # into the page cache

echo "== hyperfine: wc -l, match (1 thread, $CORES threads)"
M="$VB match --quiet --store $W/store.db --dry-run --no-default-warninglists"
hyperfine -w 1 -r "$RUNS" --export-json "$W/h.json" \
	-n wc "wc -l $LOG" \
	-n match1 "$M --threads 1 $LOG" \
	-n matchN "$M --threads $CORES $LOG"

echo "== the scan alone, from the command's summary ($RUNS runs each)"
: >"$W/scan1.txt"
: >"$W/scanN.txt"
for i in $(seq "$RUNS"); do
	for t in 1 "$CORES"; do
		f=$W/scan1.txt
		[ "$t" = 1 ] || f=$W/scanN.txt
		$VB match --store "$W/store.db" --dry-run --no-default-warninglists --threads "$t" \
			"$LOG" 2>&1 >/dev/null | grep -E "^  .*dns.log: zeek" >>"$f"
	done
done
cat "$W/scan1.txt" "$W/scanN.txt"

echo "== /usr/bin/time -v: peak RSS, and the command's own summary"
/usr/bin/time -v $VB match --store "$W/store.db" --dry-run --no-default-warninglists \
	--threads 1 "$LOG" >"$W/hits.json" 2>"$W/time1.txt"
grep -E "^matcher:|memory:|^logs:|^hits:|Maximum resident" "$W/time1.txt"

echo "== grep -F and rg -F on prefixes, with every value as a pattern"
/usr/bin/time -f "%e %M" -o "$W/grep5.t" grep -F -c -f "$W/values.txt" "$W/prefix5.log" || true
/usr/bin/time -f "%e %M" -o "$W/grepL.t" grep -F -c -f "$W/values.txt" "$W/prefix$GREP_MB.log" || true
avail=$(awk '/MemAvailable/ {print int($2 / 1048576)}' /proc/meminfo)
rm -f "$W/rg5.t" "$W/rgL.t"
if [ "$avail" -ge 20 ]; then
	/usr/bin/time -f "%e %M" -o "$W/rg5.t" rg -F -c -f "$W/values.txt" "$W/prefix5.log" || true
	/usr/bin/time -f "%e %M" -o "$W/rgL.t" rg -F -c -f "$W/values.txt" "$W/prefix$RG_MB.log" || true
else
	echo "rg skipped: ${avail} GB available, it needs about 15 GB with these patterns"
fi

python3 - "$W" "$BYTES" "$CORES" "$GREP_MB" "$RG_MB" <<'PY'
import json, os, re, statistics, sys
w, size, cores, gmb, rmb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
h = {r["command"]: r for r in json.load(open(f"{w}/h.json"))["results"]}
med = lambda r: r["median"]
def scans(f):
    return [float(m.group(1)) for m in re.finditer(r"lines, \d+ bad, ([0-9.]+) s", open(f).read())]
s1, sN = scans(f"{w}/scan1.txt"), scans(f"{w}/scanN.txt")
wc = med(h["wc"])
scan1, scanN = statistics.median(s1), statistics.median(sN)
lines = sum(1 for _ in open(f"{w}/dns.log", "rb"))
t = open(f"{w}/time1.txt").read()
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1))
bpv = re.search(r"\((\d+) bytes per exact value\)", t)
bt = re.search(r"compiled from \d+ rows in ([0-9.]+) s", t)
mb = size / 1e6
print(f"log: {mb:.0f} MB, {lines:,} lines")
print(f"wc -l                      {wc:.3f} s  {mb/wc:,.0f} MB/s")
print(f"match scan, 1 thread       {scan1:.3f} s  {mb/scan1:,.0f} MB/s  {lines/scan1:,.0f} lines/s  "
      f"ratio to wc -l {scan1/wc:.2f} (target <= 3); runs: {', '.join('%.2f' % x for x in s1)}")
print(f"match scan, {cores} threads      {scanN:.3f} s  {mb/scanN:,.0f} MB/s  {lines/scanN:,.0f} lines/s  "
      f"ratio to wc -l {scanN/wc:.2f}, speed-up {scan1/scanN:.2f}x; runs: {', '.join('%.2f' % x for x in sN)}")
print(f"whole command              {med(h['match1']):.3f} s (1 thread), {med(h['matchN']):.3f} s ({cores} threads); "
      f"matcher build {bt.group(1) if bt else '?'} s by its own summary (target <= 5)")
print(f"peak RSS (1 thread)        {rss/1024:.0f} MB (includes the mapped log pages)"
      + (f"; {bpv.group(1)} bytes of matcher tables per exact value (target <= 100)" if bpv else ""))
def proj(name, large_mb):
    try:
        a = open(f"{w}/{name}5.t").read().split()
        b = open(f"{w}/{name}L.t").read().split()
    except Exception:
        print(f"{name}: not run")
        return
    t5, tl = float(a[0]), float(b[0])
    s5 = os.path.getsize(f"{w}/prefix5.log") / 1e6
    sl = os.path.getsize(f"{w}/prefix{large_mb}.log") / 1e6
    print(f"{name} -F -c -f values.txt: {t5:.1f} s on {s5:.0f} MB, {tl:.1f} s on {sl:.0f} MB, "
          f"peak RSS {int(b[1])/1024:.0f} MB")
    if tl - t5 < 1.0:
        print(f"  scanning cannot be told apart from setting up the patterns ({t5:.0f} s) here;"
              f" on {mb:.0f} MB it takes at least that: match (1 thread, build included) is at least"
              f" {t5/med(h['match1']):.0f}x faster end to end")
        return
    speed = (sl - s5) / (tl - t5)
    fixed = max(t5 - s5 / speed, 0)
    full = fixed + mb / speed
    print(f"  {speed:.1f} MB/s after {fixed:.1f} s of setup: projected {full:.0f} s on {mb:.0f} MB; match is "
          f"{full/med(h['match1']):.0f}x faster end to end (1 thread, build included), "
          f"{(mb/speed)/scan1:.0f}x on scanning alone (target >= 100), "
          f"{(mb/speed)/scanN:.0f}x with {cores} threads")
proj("grep", gmb)
proj("rg", rmb)
hits = set()
for l in open(f"{w}/hits.json"):
    o = json.loads(l)
    hits.add((int(o["source"].rsplit(":", 1)[1]), o["field"], o["value"]))
inj = [l.rstrip("\n").split("\t") for l in open(f"{w}/dns.log.injected")]
found = sum(1 for a in inj if (int(a[0]), a[1], a[2].lower()) in hits)
print(f"injected values found: {found} of {len(inj)}; hit lines in all: {sum(1 for _ in open(f'{w}/hits.json'))}")
PY
