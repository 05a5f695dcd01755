#!/bin/sh
# format-check.sh: every C file the repository tracks follows .clang-format.
set -u
if ! command -v clang-format >/dev/null 2>&1; then
	echo "skip: clang-format not installed"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi
pass=0 fail=0
for f in $(git ls-files '*.c' '*.h' 2>/dev/null || find src tests fuzz bench -name '*.[ch]'); do
	if clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
		pass=$((pass + 1))
	else
		echo "FAIL not formatted: $f (run make format)"
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
