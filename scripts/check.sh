#!/bin/sh
# check.sh: runs every suite (unit, end-to-end, fuzz corpus replay) and sums
# their "N passed, N failed" lines into the final line that CI reads.
# Environment: BIN (the verbinding binary), UNIT (the unit-test binary).
set -u
BIN=${BIN:-./verbinding}
UNIT=${UNIT:-build/rel/unit_tests}
export VB_BIN="$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
total_p=0 total_f=0 total_s=0

suite() { # name command...
	name=$1
	shift
	echo "== $name"
	"$@" >"$out/$name.log" 2>&1
	rc=$?
	cat "$out/$name.log"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out/$name.log" | tail -n 1)
	if [ -z "$line" ]; then
		echo "$name: no result line (exit $rc): counted as 1 failure"
		total_f=$((total_f + 1))
		return
	fi
	p=$(echo "$line" | sed -E 's/^([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')
	s=$(echo "$line" | sed -nE 's/.*, ([0-9]+) skipped.*/\1/p')
	total_p=$((total_p + p))
	total_f=$((total_f + f))
	total_s=$((total_s + ${s:-0}))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "$name: exited $rc with no failed test: counted as 1 failure"
		total_f=$((total_f + 1))
	fi
}

suite format sh scripts/format-check.sh
suite unit "$UNIT"
suite e2e sh tests/e2e/run.sh
if [ "${SANITIZE:-0}" = 1 ]; then
	# The harnesses are always built with ASan + UBSan: `make check` replays them.
	echo "== fuzz-replay: done by make check (harnesses always run under ASan + UBSan)"
elif command -v clang >/dev/null 2>&1; then
	suite fuzz-replay make --no-print-directory fuzz-replay
else
	echo "== fuzz-replay: skipped (clang is missing)"
	total_s=$((total_s + 1))
fi
echo
echo "$total_p passed, $total_f failed, $total_s skipped"
[ "$total_f" -eq 0 ]
