#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The README's second command, and what CI runs (.ci/run): install what is
# missing, then build and run the whole test suite three ways:
#   1. gcc, warnings as errors, make check
#   2. clang with AddressSanitizer and UndefinedBehaviorSanitizer, make check
#   3. the readers of hostile input (pmuprof.data, objects, JIT files, ...) under libFuzzer
#      for a bounded time
#   4. make distcheck (tarball builds, installs, passes its tests)
# and print "N passed, N failed, N skipped" counted from the test logs.
set -u
cd "$(dirname "$0")/.."
top=$(pwd)
jobs=$(nproc 2>/dev/null || echo 2)

sh contrib/install-deps.sh --test || exit 1

# record --off-cpu reads the signal and wakeup tracepoints' ids and layouts from
# tracefs; a machine that boots without it mounted would skip their tests
if [ "$(id -u)" -eq 0 ] && [ -d /sys/kernel/tracing ] && [ ! -e /sys/kernel/tracing/events ]; then
	mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null ||
		echo "contrib/test-all.sh: cannot mount tracefs: the signal and wakeup tests will skip"
fi

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

# 3. the readers of hostile input under libFuzzer for a bounded time, each
#    counted as one test: the data file reader, seeded with real recordings,
#    the perf.data reader, seeded with perf record's files, the object-file readers (symbols, CFI, debuglink, the unwinder over
#    them), seeded with real objects, and report and script end to end over
#    a data file, seeded with the recordings, the rings the timer
#    samplers share with the profiled program, the demangler, seeded
#    with names, and the readers of JIT files (perf maps, jitdumps), seeded
#    with files that tests/workload/jitcode writes. They share FUZZ_SECONDS, so
#    that CI takes no longer for more targets.
fuzz_dir=_build/fuzz
fuzz_seconds=$(( ${FUZZ_SECONDS:-60} / 6 ))
[ "$fuzz_seconds" -ge 1 ] || fuzz_seconds=1
rm -rf "$fuzz_dir" && mkdir -p "$fuzz_dir/corpus" "$fuzz_dir/elf-corpus"

# delta_frame_seed FILE OUT: the decompressed bytes of FILE's first frame of coded stacks
# (format.h: 32-byte frame headers after the 64-byte file header; FRAME_STACK_DELTA is flag 2)
delta_frame_seed() {
	local off=64 magic type csize flags
	command -v zstd >/dev/null || return 0
	while read -r magic type csize _ _ flags _ < <(od -An -w32 -tu4 -j "$off" -N 32 "$1"); do
		[ "$magic" = 1380339024 ] || return 0
		if [ "$type" = 2 ] && [ $((flags & 2)) != 0 ]; then
			tail -c +$((off + 33)) "$1" | head -c "$csize" | zstd -dcq >"$2" 2>/dev/null ||
				rm -f "$2"
			return 0
		fi
		off=$((off + 32 + csize))
	done
}

# run_fuzz NAME CORPUS [OPTIONS]: runs $fuzz_dir/NAME over $fuzz_dir/CORPUS, log in $fuzz_dir/NAME.log
run_fuzz() {
	if (cd "$fuzz_dir" && ./"$1" -max_total_time="$fuzz_seconds" -rss_limit_mb=2048 \
		-timeout=30 "${@:3}" "$2" >"$1.log" 2>&1); then
		passed=$((passed + 1))
		echo "$1: $(grep -o 'Done [0-9]* runs in [0-9]* second' "$fuzz_dir/$1.log")"
	else
		step_failed "$1 found a crash (see $fuzz_dir/$1.log)"
		tail -40 "$fuzz_dir/$1.log"
	fi
}

if clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -I src -I _build/asan \
	tests/fuzz/fuzz-datafile.c src/store/datafile.c src/store/perfdata.c src/util/alloc.c src/util/error.c src/util/escape.c src/util/json.c src/util/safefile.c \
	$(pkg-config --cflags --libs libzstd) -o "$fuzz_dir/fuzz-datafile" >"$fuzz_dir/build.log" 2>&1; then
	for args in "-e cpu-clock -F 2000 -- _build/gcc/tests/workload/burn 2 50" \
		"-e cpu-clock --call-graph fp -- _build/gcc/tests/workload/pages 100" \
		"--sampler ctimer -F 1000 -- _build/gcc/tests/workload/spin -t 2 -s 0.1 --fork" \
		"--off-cpu -e cpu-clock -- _build/gcc/tests/workload/ticker -s 0.5" \
		"-e cpu-clock -F 4000 -- _build/gcc/tests/workload/unwind threads 50"; do
		# shellcheck disable=SC2086
		_build/gcc/src/pmuprof record -q -o "$fuzz_dir/corpus/seed$((++n)).data" $args \
			>/dev/null 2>&1 || true
	done
	# the target also reads each input as a frame of coded stacks: seed it with real ones
	for f in "$fuzz_dir"/corpus/seed*.data; do
		delta_frame_seed "$f" "$fuzz_dir/corpus/delta$((++n)).raw"
	done
	run_fuzz fuzz-datafile corpus
else
	step_failed "building the fuzz target (see $fuzz_dir/build.log)"
	tail -20 "$fuzz_dir/build.log"
fi

# the perf.data reader, seeded with perf record's own files: dwarf stack
# copies, frame-pointer chains, -z compression, the stream form, two events
mkdir -p "$fuzz_dir/perf-corpus"
if clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -I src -I _build/asan \
	tests/fuzz/fuzz-perfdata.c src/store/datafile.c src/store/perfdata.c src/util/alloc.c \
	src/util/error.c src/util/escape.c src/util/json.c src/util/safefile.c \
	$(pkg-config --cflags --libs libzstd) -o "$fuzz_dir/fuzz-perfdata" >"$fuzz_dir/build-perf.log" 2>&1; then
	w=_build/gcc/tests/workload
	for args in "-g -F 2000 -- $w/burn 2 50" "--call-graph dwarf,512 -F 1000 -- $w/burn 2 30" \
		"--call-graph dwarf,512 -z -F 1000 -- $w/burn 2 30" "-e page-faults -e cpu-clock -- $w/pages 20"; do
		# shellcheck disable=SC2086
		perf record -q -e cpu-clock -o "$fuzz_dir/perf-corpus/seed$((++n)).data" $args \
			>/dev/null 2>&1 || true
	done
	perf record -q -e cpu-clock -g -F 1000 -o - -- "$w/burn" 2 30 \
		>"$fuzz_dir/perf-corpus/stream.data" 2>/dev/null || true
	run_fuzz fuzz-perfdata perf-corpus
else
	step_failed "building the perf.data fuzz target (see $fuzz_dir/build-perf.log)"
	tail -20 "$fuzz_dir/build-perf.log"
fi

# the object readers' seeds: the workloads (PIE, non-PIE, a shared library,
# optimized CFI-only code, PLTs with .plt, .plt.sec and .plt.got), small
# system libraries (none over 2 MB, which would slow every run), and made
# here: an object with only .debug_frame, one with a signal frame's CFI
# (CFA and registers as expressions, as libc's __restore_rt has), one
# whose .gnu_debuglink names the companion file tests/fuzz/fuzz-elf.c
# writes (same name, same contents), and one whose tail sets up an unwind
# that goes deep into its stack copy
if clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -I src \
	-I _build/asan tests/fuzz/fuzz-elf.c src/resolve/elf.c src/resolve/cfi.c \
	src/resolve/maps.c src/resolve/unwind.c src/resolve/debuginfo.c src/resolve/jit.c src/util/alloc.c \
	src/util/error.c src/util/escape.c src/util/json.c src/util/proc.c src/util/hash.c $(pkg-config --cflags --libs libdw libelf) -pthread \
	-o "$fuzz_dir/fuzz-elf" >"$fuzz_dir/build-elf.log" 2>&1; then
	elf_seeds="$fuzz_dir/elf-corpus"
	for f in _build/gcc/tests/workload/burn _build/gcc/tests/workload/burn-nopie \
		_build/gcc/tests/workload/libuw.so _build/gcc/tests/workload/unwind \
		_build/gcc/tests/workload/vdso _build/gcc/tests/workload/plt \
		_build/gcc/tests/workload/plt-ibt _build/gcc/tests/workload/plt-nopie \
		"$(gcc -print-file-name=libz.so.1)" \
		"$(gcc -print-file-name=libelf.so.1)"; do
		if [ -f "$f" ] && [ "$(stat -L -c %s "$f")" -le 2097152 ]; then
			cp -L "$f" "$elf_seeds/"
		fi
	done
	cat >"$fuzz_dir/seed.c" <<'EOF'
void sigtramp(void);
__asm__(".text\n.globl sigtramp\n.type sigtramp, @function\nsigtramp:\n"
	".cfi_startproc simple\n.cfi_signal_frame\n"
	".cfi_escape 0x0f, 0x04, 0x77, 0xa0, 0x01, 0x06\n" /* CFA = *(rsp + 160) */
	".cfi_escape 0x10, 0x10, 0x03, 0x77, 0xa8, 0x01\n" /* rip at rsp + 168 */
	".cfi_escape 0x10, 0x06, 0x03, 0x77, 0xf8, 0x00\n" /* rbp at rsp + 120 */
	"nop\nret\n.cfi_endproc\n.size sigtramp, . - sigtramp\n");
int f(int x) { return x * 3; }
int g(int x) { return f(x) + 1; }
EOF
	gcc -O1 -shared -fPIC -o "$elf_seeds/sigframe.so" "$fuzz_dir/seed.c" >/dev/null 2>&1 || true
	gcc -O1 -g -fno-asynchronous-unwind-tables -fno-unwind-tables -shared -fPIC \
		-o "$elf_seeds/debug-frame.so" "$fuzz_dir/seed.c" >/dev/null 2>&1 || true
	printf 'pmuprof fuzz-elf debug file\n' >"$fuzz_dir/obj.debug"
	if [ -f "$elf_seeds/burn" ]; then
		objcopy --strip-debug --add-gnu-debuglink="$fuzz_dir/obj.debug" "$elf_seeds/burn" \
			"$elf_seeds/burn-debuglink" 2>/dev/null || true
		# the unwinder's state in the last 24 bytes (see fuzz-elf.c): ips past the
		# prologues, bp above a 256-byte stack copy
		{ cat "$elf_seeds/burn"; printf '\0\0\0\5\10\1\40\0'; head -c 16 /dev/zero; } \
			>"$elf_seeds/burn-unwind"
	fi
	TMPDIR="$top/$fuzz_dir" run_fuzz fuzz-elf elf-corpus
else
	step_failed "building the fuzz-elf target (see $fuzz_dir/build-elf.log)"
	tail -20 "$fuzz_dir/build-elf.log"
fi

# report and script end to end: every source but main() and the shim (which
# would interpose libc in the fuzzer itself), seeded with the
# recordings made for fuzz-datafile; their output (stdout) is closed
# shellcheck disable=SC2046 # one word per source file
if clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -I src \
	-I _build/asan tests/fuzz/fuzz-report.c \
	$(find src -name '*.c' ! -path src/pmuprof.c ! -path 'src/shim/*' | LC_ALL=C sort) \
	$(pkg-config --cflags --libs libdw libelf libzstd zlib capstone) -lpfm -lm -lpthread -ldl \
	-o "$fuzz_dir/fuzz-report" >"$fuzz_dir/build-report.log" 2>&1; then
	mkdir -p "$fuzz_dir/report-corpus"
	cp "$fuzz_dir"/corpus/seed*.data "$fuzz_dir/report-corpus/" 2>/dev/null || true
	# perf record's files too: report reads them through the same stages
	for f in "$fuzz_dir"/perf-corpus/*.data; do
		[ -f "$f" ] && cp "$f" "$fuzz_dir/report-corpus/perf-${f##*/}"
	done
	# many processes, each with objects of its own, and a long fork chain: the indexes
	# that find pids, objects and creators (make check built the generator)
	_build/gcc/contrib/bench/gen-procs procs 1000 "$fuzz_dir/report-corpus/procs.data" \
		>/dev/null 2>&1 || true
	_build/gcc/contrib/bench/gen-procs chain 100 "$fuzz_dir/report-corpus/chain.data" \
		>/dev/null 2>&1 || true
	# off-CPU samples of every kind and stack source, with CPU samples of a clock and of
	# an event scaled to the threads' CPU time: the views, marker frames and exports
	_build/gcc/contrib/bench/gen-procs offcpu "$fuzz_dir/report-corpus/offcpu.data" \
		>/dev/null 2>&1 || true
	_build/gcc/contrib/bench/gen-procs offcpu "$fuzz_dir/report-corpus/offcpu-events.data" \
		instructions >/dev/null 2>&1 || true
	# objects that must not be opened or read whole: a FIFO, devices, a file of
	# /proc, a sparse object whose .symtab claims 1 GiB, one that is not there
	mkfifo "$fuzz_dir/fifo" 2>/dev/null || true
	_build/gcc/tests/workload/sparse-elf _build/gcc/tests/workload/burn \
		"$fuzz_dir/sparse-burn" >/dev/null 2>&1 || true
	_build/gcc/contrib/bench/gen-procs objects "$fuzz_dir/report-corpus/objects.data" \
		"$top/$fuzz_dir/fifo" /dev/zero /dev/null /proc/self/mem \
		"$top/$fuzz_dir/sparse-burn" "$top/$fuzz_dir/gone" '/memfd:jit (deleted)' //anon \
		>/dev/null 2>&1 || true
	_build/gcc/src/pmuprof record -q -e cpu-clock -F 2000 -o "$fuzz_dir/report-corpus/sparse.data" \
		-- "$fuzz_dir/sparse-burn" 1 20 >/dev/null 2>&1 || true
	# PLT stubs named from relocations
	_build/gcc/src/pmuprof record -q -e cpu-clock -F 2000 -o "$fuzz_dir/report-corpus/plt.data" \
		-- _build/gcc/tests/workload/plt-ibt 200 >/dev/null 2>&1 || true
	TMPDIR="$top/$fuzz_dir" run_fuzz fuzz-report report-corpus -close_fd_mask=1
else
	step_failed "building the fuzz-report target (see $fuzz_dir/build-report.log)"
	tail -20 "$fuzz_dir/build-report.log"
fi

# the timer samplers' rings: memory the profiled program can scribble over
if clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -I src \
	-I _build/asan tests/fuzz/fuzz-shimrec.c src/collect/shimrec.c src/util/alloc.c \
	src/util/error.c src/util/escape.c src/util/json.c -o "$fuzz_dir/fuzz-shimrec" >"$fuzz_dir/build-shimrec.log" 2>&1; then
	mkdir -p "$fuzz_dir/shimrec-corpus"
	run_fuzz fuzz-shimrec shimrec-corpus
else
	step_failed "building the fuzz-shimrec target (see $fuzz_dir/build-shimrec.log)"
	tail -20 "$fuzz_dir/build-shimrec.log"
fi

# symbol names: C++, legacy Rust and Rust v0, and the scanner of demangled C++ names
if clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -I src \
	-I _build/asan tests/fuzz/fuzz-demangle.c src/resolve/demangle.c src/util/alloc.c \
	src/util/error.c src/util/escape.c src/util/json.c -ldl -o "$fuzz_dir/fuzz-demangle" \
	>"$fuzz_dir/build-demangle.log" 2>&1; then
	mkdir -p "$fuzz_dir/demangle-corpus"
	n=0
	for name in _ZNK6engine6detail11AccumulatorIdE14crunch_numbersERKSt6vectorIdSaIdEE \
		_Z5getfpIdEPFiiET_ _ZZ5outeriENKUliE_clEi _ZNKSt15__exception_ptr13exception_ptrcvMS0_FvvEEv \
		'_ZN4core3fmt5write17h0123456789abcdefE' _RNvMCs6GmmlP4bgsG_1rINtB2_3AccdE14crunch_numbers \
		_RNvXs1g_NtCsgEmfK2I1SDS_4core3fmtRDNtB6_5DebugEL_Bx_3fmtB8_ \
		'_RNvMs3_NtCslNYArtu3iFV_5alloc7raw_vecINtB5_6RawVecTOhFUKCBN_EuENtNtCsjrHSEGnQ3l9_3std5alloc6SystemE8grow_oneB13_' \
		'int (*getfp<double>(double))(int)' 'outer(int)::{lambda(int)#1}::operator()(int) const'; do
		printf '%s' "$name" >"$fuzz_dir/demangle-corpus/seed$((++n))"
	done
	run_fuzz fuzz-demangle demangle-corpus
else
	step_failed "building the fuzz-demangle target (see $fuzz_dir/build-demangle.log)"
	tail -20 "$fuzz_dir/build-demangle.log"
fi

# JIT code names: the perf maps and jitdumps that profiled programs (or anyone who can
# write /tmp) write, seeded with the files of tests/workload/jitcode, run for a moment
if clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -I src \
	-I _build/asan tests/fuzz/fuzz-jit.c src/resolve/jit.c src/util/alloc.c src/util/error.c \
	src/util/escape.c src/util/json.c src/util/hash.c -o "$fuzz_dir/fuzz-jit" \
	>"$fuzz_dir/build-jit.log" 2>&1; then
	mkdir -p "$fuzz_dir/jit-corpus"
	for mode in map dump; do
		jit_pid=$(cd "$fuzz_dir" && "$top/_build/gcc/tests/workload/jitcode" $mode 1 2>/dev/null |
			sed -n 's/^jitcode: pid //p')
		[ -n "$jit_pid" ] || continue
		if [ $mode = map ]; then
			mv "/tmp/perf-$jit_pid.map" "$fuzz_dir/jit-corpus/perf.map" 2>/dev/null
		else
			mv "$fuzz_dir/jit-$jit_pid.dump" "$fuzz_dir/jit-corpus/jit.dump" 2>/dev/null
		fi
	done
	printf '7f0bd4006180 2c8 JS:*hotLoop /tmp/hot.js:1:17\n0x1000 10 with 0x\r\n' \
		>"$fuzz_dir/jit-corpus/node.map"
	run_fuzz fuzz-jit jit-corpus
else
	step_failed "building the fuzz-jit target (see $fuzz_dir/build-jit.log)"
	tail -20 "$fuzz_dir/build-jit.log"
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
