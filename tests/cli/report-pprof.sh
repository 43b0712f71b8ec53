# SPDX-License-Identifier: GPL-2.0-or-later
# pmuprof report --format pprof, read back by the reference reader, go tool pprof:
# the hot function, its callers, both sample types and the thread labels.
. "$srcdir/tests/lib.sh"

command -v go >/dev/null 2>&1 || skip_all "go tool pprof not installed (apt-get install golang-go)"
# go keeps caches and settings under HOME: all of it stays in the test's directory,
# and nothing may reach the network (pprof needs none for a local, symbolized file)
HOME=$T_TMP/home GOCACHE=$T_TMP/gocache GOPATH=$T_TMP/gopath GOENV=off GOFLAGS= \
	GOTOOLCHAIN=local GOPROXY=off PPROF_TMPDIR=$T_TMP/pprof
export HOME GOCACHE GOPATH GOENV GOFLAGS GOTOOLCHAIN GOPROXY PPROF_TMPDIR
go tool -n pprof >/dev/null 2>&1 || skip_all "go tool pprof not installed (apt-get install golang-go)"

run_pmuprof record -q -o "$T_TMP/probe.data" -- true
[ "$RC" -eq 0 ] || skip_all "perf_event_open sampling is not usable here: $(cat "$ERR")"
cd "$T_TMP" || exit 1

# pprof -top: the first row after the column titles, whose rows are sorted by flat
top_row() {
	printf '%s\n' "$1" | awk 'rows { print; exit } /flat%/ { rows = 1 }'
}

# burn 2 300: 600 ms of CPU in the function burn(), in two threads
run_pmuprof record -q -o x.data -- "$WORKLOADS/burn" 2 300
is "record: exit status" "$RC" 0
run_pmuprof report -i x.data --format pprof -o x.pb.gz
is "report --format pprof: exit status" "$RC" 0
is "a gzip file" "$(od -An -tx1 -N2 x.pb.gz | tr -d ' ')" 1f8b
samples=$(sed -n 's/.*wrote pprof of \([0-9]*\) samples.*/\1/p' "$ERR")
[ -n "$samples" ] || samples=$("$PMUPROF" report -i x.data | sed -n 's/^# samples: \([0-9]*\).*/\1/p')

run go tool pprof -top -sample_index=samples x.pb.gz
is "pprof -top reads the file" "$RC" 0
is "pprof: nothing on stderr" "$(cat "$ERR")" ""
out=$(cat "$OUT")
like "pprof: the program's mapping is the file" "$out" '^File: burn$'
like "pprof: every sample is there" "$out" "^Showing nodes accounting for [0-9]+, [0-9.]+% of $samples total$"
row=$(top_row "$out")
like "samples: burn is the top function" "$row" ' burn$'
flat=$(printf '%s\n' "$row" | awk '{ sub("%", "", $2); print $2 }')
ok "samples: burn has nearly all of them (${flat}%)" awk -v f="${flat:-0}" 'BEGIN { exit !(f >= 80) }'

# the second sample type: cpu (nanoseconds) for a clock event, else the event's name
type=$(go tool pprof -raw x.pb.gz 2>/dev/null | awk '/^Samples:/ { getline; split($2, t, "/"); print t[1]; exit }')
ok "the second sample type is named ($type)" [ -n "$type" ]
run go tool pprof -top -sample_index="$type" -unit=ms x.pb.gz
is "-sample_index=$type: exit status" "$RC" 0
out=$(cat "$OUT")
like "-sample_index=$type: its type" "$out" "^Type: $type$"
like "-sample_index=$type: burn is the top function" "$(top_row "$out")" ' burn$'
if [ "$type" = cpu ]; then
	total=$(printf '%s\n' "$out" | sed -n 's/^Showing nodes accounting for .* of \([0-9.]*\)ms total$/\1/p')
	within "cpu: the weights add up to the CPU time of burn's threads (ms)" "${total:-0}" 600 120
fi

# -traces: the stacks, leaf first, with their callers and thread labels
run go tool pprof -traces x.pb.gz
is "-traces: exit status" "$RC" 0
callers=$(awk 'prev ~ / burn$/ && NF == 1 { print $1 } { prev = $0 }' "$OUT" | sort -u | tr '\n' ' ')
like "-traces: burn called from main" "$callers" '(^| )main( |$)'
like "-traces: burn called from start_thread (the second thread)" "$callers" '(^| )start_thread( |$)'
like "-traces: the thread label" "$(cat "$OUT")" '^ +thread: +burn$'

# -tags: the numeric tid labels tell the two threads apart
run go tool pprof -tags -sample_index=samples x.pb.gz
tids=$(awk '/^ *tid:/ { t = 1; next } /^ *[a-z]+:/ { t = 0 } t && /%/ { n++ } END { print n + 0 }' "$OUT")
is "-tags: two threads by tid" "$tids" 2

done_testing
