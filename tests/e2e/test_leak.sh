# test_leak.sh: the leak matrix: 5 organisations, 2 sharing groups, every
# TLP level, every read endpoint, cursor replay, write rules; compared with
# the reference model in tests/e2e/leak_matrix.py against a real server.
. tests/e2e/test_serve_lib.sh

test_leak_matrix() {
	python3 tests/e2e/leak_matrix.py setup --bin "$VB" --store "$S" --out "$T/state.json" \
		>"$T/setup.log" 2>&1 || { fail "setup: $(tail -5 "$T/setup.log")"; return; }
	serve_start --public || { fail "no server"; return; }
	python3 tests/e2e/leak_matrix.py run --url "$URL" --state "$T/state.json" >"$T/matrix.log" 2>&1
	mrc=$?
	serve_stop
	tail -n 1 "$T/matrix.log"
	[ "$mrc" -eq 0 ] || fail "matrix: $(grep -E '^(LEAK|FAIL)' "$T/matrix.log" | head -20)"
	grep -q '^matrix: .* 0 leaks, 0 other failures' "$T/matrix.log" || fail "no matrix result"
	# No token in the server log.
	for tok in $(python3 -c "import json,sys; print(' '.join(v for k, v in json.load(open(sys.argv[1])).items() if v.startswith('vb_')))" "$T/state.json"); do
		grep -q "$tok" "$T/server.log" && fail "a token is in the server log"
	done
	return 0
}
