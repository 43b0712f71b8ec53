# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers of the off-CPU tests: time views read from the folded export (weights in
# microseconds), compared with the truth tests/workload/offcpu writes:
#   thread NAME TID LIFETIME CPU        func FUNC TID OFF BLOCKED CALLS      (ns)
# Sourced after tests/lib.sh.

# folded FILE VIEW [REPORT-OPTIONS...]: the folded export of VIEW
folded() {
	ff=$1
	fv=$2
	shift 2
	"$PMUPROF" report -i "$ff" --view "$fv" --format folded "$@" </dev/null
}

# us_under FRAME: the microseconds of the folded lines on stdin that have FRAME as a frame
# (a frame name may hold spaces: the weight is what follows the last one)
us_under() {
	awk -v fn="$1" '{
		s = $0
		sub(/ [0-9]+$/, "", s)
		n = split(s, f, ";")
		for (i = 1; i <= n; i++)
			if (f[i] == fn) {
				t += $NF
				break
			}
	} END { print t + 0 }'
}

# us_total: the microseconds of all folded lines on stdin
us_total() {
	awk '{ t += $NF } END { print t + 0 }'
}

# near DESC GOT_US WANT_NS PCT MIN_MS: GOT within PCT% of WANT or MIN_MS, whichever is more
near() {
	tol=$(awk -v w="$3" -v p="$4" -v m="$5" \
		'BEGIN { t = w / 1e6 * p / 100; printf "%.3f", (t > m ? t : m) }')
	within "$1 (ms)" "$(awk -v g="$2" 'BEGIN { printf "%.3f", g / 1000 }')" \
		"$(awk -v w="$3" 'BEGIN { printf "%.3f", w / 1e6 }')" "$tol"
}

# check_functions FILE TRUTH PREFIX FUNC...: each FUNC's off-CPU time (inclusive, all
# threads) within 5% or 3 ms of the workload's figure
check_functions() {
	cf=$1
	ct=$2
	cp=$3
	shift 3
	folded "$cf" off-cpu >"$T_TMP/offcpu.folded"
	for fn in "$@"; do
		want=$(awk -v f="$fn" '$1 == "func" && $2 == f { n += $4 } END { print n + 0 }' "$ct")
		near "${cp}off-CPU in $fn" "$(us_under "$fn" <"$T_TMP/offcpu.folded")" "$want" 5 3
	done
}

# check_blocked FILE TRUTH PREFIX FUNC...: the blocked part of each FUNC's off-CPU time
# (under the [off-cpu: blocked] marker) within 5% or 3 ms of the time the workload timed
# around its blocking call (which also counts the wait for a CPU once woken, as a blocked
# interval does: it ends when the thread runs again)
check_blocked() {
	cf=$1
	ct=$2
	cp=$3
	shift 3
	folded "$cf" off-cpu | grep -F '[off-cpu: blocked]' >"$T_TMP/blocked.folded"
	for fn in "$@"; do
		want=$(awk -v f="$fn" '$1 == "func" && $2 == f { n += $5 } END { print n + 0 }' "$ct")
		near "${cp}blocked in $fn" "$(us_under "$fn" <"$T_TMP/blocked.folded")" "$want" 5 3
	done
}

# check_blocked_remote FILE TRUTH PREFIX FUNC...: check_blocked for stacks read from
# outside, which come only when record's reader runs while the thread still waits: on a
# machine busier than its CPUs a wait can end first and is kept without a stack. Each
# FUNC's blocked time is at most the workload's figure (5% or 3 ms), and with the blocked
# time recorded without a stack (in any thread: it names none) at least that
check_blocked_remote() {
	cf=$1
	ct=$2
	cp=$3
	shift 3
	folded "$cf" off-cpu | grep -F '[off-cpu: blocked]' >"$T_TMP/blocked.folded"
	nostack=$(us_under '[no stack]' <"$T_TMP/blocked.folded")
	echo "# ${cp}blocked without a stack: $nostack us"
	for fn in "$@"; do
		want=$(awk -v f="$fn" '$1 == "func" && $2 == f { n += $5 } END { print n + 0 }' "$ct")
		got=$(us_under "$fn" <"$T_TMP/blocked.folded")
		ok "${cp}blocked in $fn ($got us, $nostack us without a stack; want $want ns)" \
			awk -v g="$got" -v n="$nostack" -v w="$want" 'BEGIN {
				t = w / 1000 * 0.05; if (t < 3000) t = 3000
				exit !(g <= w / 1000 + t && g + n >= w / 1000 - t) }'
	done
}

# check_roots FILE PREFIX: at least 99% of the off-CPU time has stacks that unwind to a
# thread's root (main for the main thread, start_thread for the others); each stack has
# one of the two
check_roots() {
	folded "$1" off-cpu >"$T_TMP/roots.folded"
	all=$(us_total <"$T_TMP/roots.folded")
	rooted=$(($(us_under main <"$T_TMP/roots.folded") +
		$(us_under start_thread <"$T_TMP/roots.folded")))
	ok "$2off-CPU stacks unwound to main or start_thread ($rooted of $all us)" \
		awk -v a="$rooted" -v b="$all" 'BEGIN { exit !(b > 0 && a >= 0.99 * b) }'
}

# note_lost FILE: the recording's lost records as a TAP comment (a lost switch record
# loses a wait's length, and the per-thread sums with it)
note_lost() {
	echo "# $("$PMUPROF" report -i "$1" --header | awk '$1 ~ /^lost-/ { printf "%s %s ", $1, $2 }')"
}

# check_threads FILE TRUTH PREFIX [PCT]: each thread's on-CPU plus off-CPU time (the wall
# view of its TID) within PCT% (default 2) of the lifetime it measured itself
check_threads() {
	awk '$1 == "thread" { print $2, $3, $4 }' "$2" >"$T_TMP/threads"
	while read -r name tid life; do
		near "$3thread $name: on-CPU + off-CPU" \
			"$(folded "$1" wall --tid "$tid" | us_total)" "$life" "${4:-2}" 0
	done <"$T_TMP/threads"
}
