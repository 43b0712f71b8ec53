# SPDX-License-Identifier: GPL-2.0-or-later
# Shell test helpers: TAP output for automake's tap-driver.sh, and running
# pmuprof with its stdout, stderr and exit status captured.
#
# Environment (set by Makefile.am): PMUPROF, WORKLOADS, MANDIR, srcdir.

set -u
: "${PMUPROF:?PMUPROF must point at the pmuprof binary}"
: "${WORKLOADS:?WORKLOADS must point at tests/workload}"

T_N=0
T_FAILED=0
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/pmuprof-test.XXXXXX")
trap 'rm -rf "$T_TMP"' EXIT
OUT=$T_TMP/out
ERR=$T_TMP/err
RC=0

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

# skip DESC REASON: one check that cannot be made here, and why
skip() {
	T_N=$((T_N + 1))
	echo "ok $T_N - $1 # SKIP $2"
}

# pass DESC / fail DESC [DIAG...]
pass() {
	T_N=$((T_N + 1))
	echo "ok $T_N - $1"
}

fail() {
	T_N=$((T_N + 1))
	T_FAILED=$((T_FAILED + 1))
	echo "not ok $T_N - $1"
	shift
	for d in "$@"; do
		printf '%s\n' "$d" | sed 's/^/#   /'
	done
}

# ok DESC COMMAND...: passes when COMMAND succeeds
ok() {
	desc=$1
	shift
	if "$@"; then pass "$desc"; else fail "$desc" "command failed: $*"; fi
}

# is DESC GOT WANT
is() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got:  $2" "want: $3"; fi
}

# like DESC TEXT EXTENDED-REGEX
like() {
	if printf '%s\n' "$2" | grep -Eq -- "$3"; then
		pass "$1"
	else
		fail "$1" "no line matches /$3/ in:" "$2"
	fi
}

unlike() {
	if printf '%s\n' "$2" | grep -Eq -- "$3"; then
		fail "$1" "a line matches /$3/ in:" "$2"
	else
		pass "$1"
	fi
}

# within DESC GOT WANT TOL: |GOT - WANT| <= TOL (numbers may have decimals)
within() {
	if awk -v g="$2" -v w="$3" -v t="$4" 'BEGIN { d = g - w; if (d < 0) d = -d; exit !(g != "" && d <= t) }'; then
		pass "$1 ($2, want $3 +- $4)"
	else
		fail "$1" "got $2, want $3 +- $4"
	fi
}

# run COMMAND...: captures $OUT, $ERR and $RC
run() {
	RC=0
	"$@" >"$OUT" 2>"$ERR" || RC=$?
}

# A prefix that runs a command without address randomization, where
# setarch can: page-fault counts then do not depend on where the stack and
# heap fall across page boundaries (a few faults either way otherwise)
NORAND=
if setarch "$(uname -m)" -R true 2>/dev/null; then
	NORAND="setarch $(uname -m) -R"
fi

# need_as_nobody: defines as_nobody COMMAND... (runs it as the user nobody),
# or skips the whole test where neither setpriv nor runuser is installed
need_as_nobody() {
	if command -v setpriv >/dev/null; then
		as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"; }
	elif command -v runuser >/dev/null; then
		as_nobody() { runuser -u nobody -- "$@"; }
	else
		skip_all "neither setpriv nor runuser is installed"
	fi
}

# run_pmuprof ARGS...
run_pmuprof() {
	run "$PMUPROF" "$@"
}

# signal_pmuprof SIGNAL ARGS...: runs pmuprof in the background, sends it
# SIGNAL after 0.3 s, and waits for it; captures like run
signal_pmuprof() {
	sig=$1
	shift
	"$PMUPROF" "$@" >"$OUT" 2>"$ERR" &
	spid=$!
	sleep 0.3
	kill -"$sig" $spid
	RC=0
	wait $spid || RC=$?
}

# expect_error DESC STATUS MESSAGE ARGS...: pmuprof fails with exactly MESSAGE on stderr
expect_error() {
	desc=$1
	want_rc=$2
	want_err=$3
	shift 3
	run_pmuprof "$@"
	is "$desc: exit status" "$RC" "$want_rc"
	is "$desc: message" "$(cat "$ERR")" "$want_err"
}

# csv_value EVENT FILE: the value column of EVENT's line in -x, output
csv_value() {
	awk -F, -v e="$1" '$3 == e { print $1; exit }' "$2"
}

# A PID that names no process right now.
unused_pid() {
	max=$(cat /proc/sys/kernel/pid_max 2>/dev/null || echo 32768)
	p=$((max - 1))
	while [ -e /proc/$p ]; do p=$((p - 1)); done
	echo $p
}

# The plan comes last; failures are in the "not ok" lines, and a non-zero
# exit would make tap-driver.sh report an extra ERROR.
done_testing() {
	echo "1..$T_N"
	exit 0
}
