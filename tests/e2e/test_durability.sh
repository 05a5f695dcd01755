# test_durability.sh: SIGKILL during a large import leaves all of that file or
# none of it, and the store stays intact.

test_sigkill_all_or_nothing() {
	n=60000
	before=$(total | cut -d' ' -f1)
	i=0
	while [ $i -lt 6 ]; do
		python3 tests/gen/gen_bundle.py $n $((100 + i)) >"$T/big.json"
		"$VB" import --quiet --store "$S" "$T/big.json" 2>/dev/null &
		pid=$!
		# Kill at a different moment each round: early, mid-parse, near commit.
		sleep "0.$(( (i * 37) % 10 ))$(( i % 7 ))"
		kill -9 $pid 2>/dev/null
		wait $pid 2>/dev/null
		vb stats --store "$S" --check
		[ "$rc" -eq 0 ] || fail "round $i: integrity check failed: $(cat "$T/err")"
		after=$(total | cut -d' ' -f1)
		delta=$((after - before))
		case "$delta" in
		0 | $((n + 1))) ;;
		*) fail "round $i: $delta objects from a killed import (expected 0 or $((n + 1)))" ;;
		esac
		before=$after
		i=$((i + 1))
	done
}
