#!/bin/sh
# run.sh: runs every test_* function of tests/e2e/test_*.sh in a fresh
# temporary directory with a fresh store; ends with "N passed, N failed, N skipped".
# Usage: sh tests/e2e/run.sh [name-filter]
set -u
. tests/e2e/lib.sh
pass=0 nfail=0 nskip=0
for f in tests/e2e/test_*.sh; do
	. "$f"
	for t in $(grep -oE '^test_[a-z0-9_]+' "$f"); do
		case "$t" in *"${1:-}"*) ;; *) continue ;; esac
		T=$(mktemp -d)
		S=$T/store.db
		failed=0 skipped=0
		start=$(date +%s)
		(cd "$T" && "$VB" init --store "$S" >/dev/null 2>&1) || fail "init failed"
		$t
		secs=$(($(date +%s) - start))
		if [ "$failed" = 1 ]; then
			echo "FAIL $t (${secs}s)"
			nfail=$((nfail + 1))
		elif [ "$skipped" = 1 ]; then
			echo "skip $t (no ../shared/data)"
			nskip=$((nskip + 1))
		else
			echo "ok   $t (${secs}s)"
			pass=$((pass + 1))
		fi
		rm -rf "$T"
	done
done
echo "$pass passed, $nfail failed, $nskip skipped"
[ "$nfail" -eq 0 ]
