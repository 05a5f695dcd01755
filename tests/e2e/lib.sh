# lib.sh: a small assertion library for end-to-end tests that drive the real
# binary. Each test file defines functions named test_*; run.sh calls them.
VB=${VB_BIN:-$(pwd)/verbinding}
SHARED=${VB_SHARED:-$(pwd)/../shared/data}
FIX=$(pwd)/tests/fixtures

# vb ARGS...: runs verbinding; output in $T/out, $T/err; status in $rc.
vb() {
	"$VB" "$@" >"$T/out" 2>"$T/err"
	rc=$?
}

fail() {
	echo "  $*" >&2
	failed=1
}

expect_rc() { # expected
	[ "$rc" -eq "$1" ] || fail "exit status $rc, expected $1; stderr: $(head -c 600 "$T/err")"
}

expect_out() { # pattern (grep -E)
	grep -Eq -- "$1" "$T/out" || fail "stdout lacks /$1/: $(head -c 600 "$T/out")"
}

expect_err() { # pattern (grep -E)
	grep -Eq -- "$1" "$T/err" || fail "stderr lacks /$1/: $(head -c 600 "$T/err")"
}

expect_eq() { # actual expected what
	[ "$1" = "$2" ] || fail "$3: got '$1', expected '$2'"
}

# count TYPE: number of latest objects of TYPE in the store $S.
count() {
	"$VB" stats --store "$S" --json | python3 -c "import json,sys; print(json.load(sys.stdin)['by_type'].get('$1', 0))"
}

total() {
	"$VB" stats --store "$S" --json | python3 -c "import json,sys; d=json.load(sys.stdin); print(d['objects'], d['versions'])"
}

need_shared() {
	if [ ! -d "$SHARED" ]; then
		skipped=1
		return 1
	fi
	return 0
}
