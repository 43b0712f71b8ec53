#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The README's second command, and what CI runs (.ci/run): install what is
# missing, then build and run the whole test suite three ways:
#   1. gcc, warnings as errors, make check
#   2. clang with AddressSanitizer and UndefinedBehaviorSanitizer, make check
#   3. the pmuprof.data reader under libFuzzer for a bounded time
#   4. make distcheck (tarball builds, installs, passes its tests)
# and print "N passed, N failed, N skipped" counted from the test logs.
set -u
cd "$(dirname "$0")/.."
top=$(pwd)
jobs=$(nproc 2>/dev/null || echo 2)

sh contrib/install-deps.sh --test || exit 1

passed=0 failed=0 skipped=0 n=0
step_failed() {
	echo "FAIL: $1"
	failed=$((failed + 1))
}

# count_results DIR: add the :test-result: lines of DIR's .trs files
count_results() {
	local p f s
	read -r p f s < <(find "$1" -name '*.trs' -exec cat {} + 2>/dev/null | awk '
		/^:test-result: (PASS|XFAIL)/ { p++ }
		/^:test-result: (FAIL|XPASS|ERROR)/ { f++ }
		/^:test-result: SKIP/ { s++ }
		END { print p + 0, f + 0, s + 0 }')
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
}

# show the logs of failed tests, so CI output says what broke
show_failures() {
	grep -l -E '^:test-result: (FAIL|XPASS|ERROR)' $(find "$1" -name '*.trs') 2>/dev/null |
		while read -r trs; do
			echo "---- ${trs%.trs}.log"
			grep -E -B2 -A6 '^not ok|^ERROR|ERROR:|runtime error|AddressSanitizer' "${trs%.trs}.log" | head -60
		done
}

# the quick start builds in the source tree; the builds here are out of tree
if [ -f config.status ]; then
	echo "contrib/test-all.sh: cleaning the in-tree build (make distclean) for out-of-tree builds"
	make -s distclean >/dev/null 2>&1 || rm -f config.status
fi
autoreconf -fi >/dev/null 2>&1 || { echo "autoreconf failed"; autoreconf -fi; exit 1; }

# 1. gcc, -Werror
rm -rf _build/gcc && mkdir -p _build/gcc
(cd _build/gcc && "$top/configure" --quiet --enable-werror CC=gcc >/dev/null &&
	make -s -j"$jobs" >/dev/null) || step_failed "gcc build"
if [ -x _build/gcc/src/pmuprof ]; then
	(cd _build/gcc && make -s -j"$jobs" check >/dev/null 2>&1)
	count_results _build/gcc
	show_failures _build/gcc
fi

# 2. clang + ASan + UBSan
rm -rf _build/asan && mkdir -p _build/asan
(cd _build/asan && "$top/configure" --quiet --enable-werror --enable-sanitizers CC=clang \
	CFLAGS="-g -O1" >/dev/null && make -s -j"$jobs" >/dev/null) ||
	step_failed "clang sanitizer build"
if [ -x _build/asan/src/pmuprof ]; then
	(cd _build/asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
		UBSAN_OPTIONS=print_stacktrace=1 make -s -j"$jobs" check >/dev/null 2>&1)
	count_results _build/asan
	show_failures _build/asan
fi

# 3. the data file reader under libFuzzer for a bounded time, seeded with
#    real recordings; counted as one test
fuzz_dir=_build/fuzz
rm -rf "$fuzz_dir" && mkdir -p "$fuzz_dir/corpus"
if clang -g -O1 -fsanitize=fuzzer,address,undefined -I src -I _build/asan \
	tests/fuzz/fuzz-datafile.c src/store/datafile.c src/util/alloc.c src/util/error.c \
	$(pkg-config --cflags --libs libzstd) -o "$fuzz_dir/fuzz-datafile" >"$fuzz_dir/build.log" 2>&1; then
	for args in "-e cpu-clock -F 2000 -- _build/gcc/tests/workload/burn 2 50" \
		"-e cpu-clock --call-graph fp -- _build/gcc/tests/workload/pages 100"; do
		# shellcheck disable=SC2086
		_build/gcc/src/pmuprof record -q -o "$fuzz_dir/corpus/seed$((++n)).data" $args \
			>/dev/null 2>&1 || true
	done
	if (cd "$fuzz_dir" && ./fuzz-datafile -max_total_time="${FUZZ_SECONDS:-60}" \
		-rss_limit_mb=1024 -timeout=10 corpus >fuzz.log 2>&1); then
		passed=$((passed + 1))
		echo "fuzz-datafile: $(grep -o 'Done [0-9]* runs in [0-9]* second' "$fuzz_dir/fuzz.log")"
	else
		step_failed "fuzz-datafile found a crash (see $fuzz_dir/fuzz.log)"
		tail -40 "$fuzz_dir/fuzz.log"
	fi
else
	step_failed "building the fuzz target (see $fuzz_dir/build.log)"
	tail -20 "$fuzz_dir/build.log"
fi

# 4. distcheck, counted as one test
if (cd _build/gcc && make -s distcheck >distcheck.log 2>&1); then
	passed=$((passed + 1))
else
	step_failed "make distcheck (see _build/gcc/distcheck.log)"
	tail -40 _build/gcc/distcheck.log
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
