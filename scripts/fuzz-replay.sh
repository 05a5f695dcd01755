#!/bin/sh
# fuzz-replay.sh: runs each libFuzzer harness once over its committed corpus
# (fuzz/corpus/<name>/), as SQLite's fuzzcheck does. Any crash fails the run.
set -u
pass=0 fail=0
for bin in "$@"; do
	name=$(basename "$bin" | sed 's/^fuzz_//')
	dir=fuzz/corpus/$name
	if [ ! -d "$dir" ]; then
		echo "FAIL $name: no corpus in $dir"
		fail=$((fail + 1))
		continue
	fi
	n=$(ls "$dir" | wc -l)
	if "$bin" -runs=0 "$dir" >/tmp/fuzz-replay-$name.log 2>&1; then
		echo "ok   fuzz $name: $n inputs replayed"
		pass=$((pass + 1))
	else
		echo "FAIL fuzz $name: see below"
		tail -n 30 /tmp/fuzz-replay-$name.log
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
