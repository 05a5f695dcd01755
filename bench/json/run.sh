#!/bin/sh
# bench/json/run.sh: which of Debian's C JSON libraries parses STIX fastest?
# Each parses ATT&CK Enterprise (45 MB) into a DOM; python3 json.load is the
# baseline. Needs libcjson-dev libyajl-dev libjson-c-dev libjansson-dev hyperfine.
set -eu
DATA=${1:-../shared/data}
W=${BENCH_DIR:-/tmp/vb-bench}
mkdir -p "$W"
for l in cjson:libcjson yajl:yajl jsonc:json-c jansson:jansson; do
	name=${l%%:*} pkg=${l#*:}
	def=$(echo "$name" | tr a-z A-Z)
	cc -O2 -DUSE_$def -o "$W/parse-$name" bench/json/parse.c $(pkg-config --cflags --libs "$pkg")
done
zcat "$DATA/stix/enterprise-attack.json.gz" >"$W/ea.json"
hyperfine -w 1 -r 5 \
	-n cjson "$W/parse-cjson $W/ea.json" -n yajl "$W/parse-yajl $W/ea.json" \
	-n json-c "$W/parse-jsonc $W/ea.json" -n jansson "$W/parse-jansson $W/ea.json" \
	-n python "python3 -c 'import json,sys; json.load(open(sys.argv[1]))' $W/ea.json"
for lib in cjson yajl jsonc jansson; do
	/usr/bin/time -f "$lib peak RSS %M KB" "$W/parse-$lib" "$W/ea.json"
done
