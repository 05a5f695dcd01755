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

# A bulk import alone on the store writes through a rollback journal: a
# command started meanwhile is refused with "locked" (exit 3), and the store
# is back in WAL mode, whole, when the import ends.
test_bulk_import_has_the_store_alone() {
	python3 tests/gen/gen_bundle.py 60000 300 >"$T/big.json"
	"$VB" import --quiet --store "$S" "$T/big.json" 2>"$T/imp.err" &
	pid=$!
	i=0
	while [ ! -e "$S-journal" ] && [ $i -lt 200 ]; do
		sleep 0.02
		i=$((i + 1))
	done
	[ -e "$S-journal" ] || fail "no rollback journal while the import ran"
	vb stats --store "$S"
	if kill -0 $pid 2>/dev/null; then
		expect_rc 3
		expect_err "the store is locked"
	fi
	wait $pid
	[ $? -eq 0 ] || fail "the import failed: $(cat "$T/imp.err")"
	expect_eq "$(sqlite3 "$S" 'PRAGMA journal_mode')" wal "journal mode after the import"
	[ ! -e "$S-journal" ] || fail "the rollback journal is still there"
	vb stats --store "$S" --check
	expect_rc 0
}
