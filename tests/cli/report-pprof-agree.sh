# SPDX-License-Identifier: GPL-2.0-or-later
# The pprof export, read by the reference reader (go tool pprof), agrees with report on
# one recording of split (four functions in the ratio 1:2:3:4 under split_round, each
# running an inlined loop, built with -g): -top's flat and cumulative samples and shares
# per function against report's own and children's, -traces' stacks against the folded
# export, -lines' function and file:line of every sample with --srcline (the hot loop's
# lines) and with --inline (the loop's function inlined into each); and -raw's mappings
# have the objects' build-ids (readelf -n) and ranges that hold their code, and every
# location's address, taken back through its mapping and the program headers, falls in
# the function that names it (nm).
. "$srcdir/tests/lib.sh"

command -v go >/dev/null 2>&1 || skip_all "go tool pprof not installed (apt-get install golang-go)"
if ! command -v readelf >/dev/null 2>&1 || ! command -v nm >/dev/null 2>&1; then
	skip_all "readelf and nm not installed (apt-get install binutils)"
fi
# go keeps caches and settings under HOME: all of it stays in the test's directory,
# and nothing may reach the network (pprof needs none for a local, symbolized file)
HOME=$T_TMP/home GOCACHE=$T_TMP/gocache GOPATH=$T_TMP/gopath GOENV=off GOFLAGS= \
	GOTOOLCHAIN=local GOPROXY=off PPROF_TMPDIR=$T_TMP/pprof
export HOME GOCACHE GOPATH GOENV GOFLAGS GOTOOLCHAIN GOPROXY PPROF_TMPDIR
go tool -n pprof >/dev/null 2>&1 || skip_all "go tool pprof not installed (apt-get install golang-go)"

src=$(cd "$srcdir" && pwd)/tests/workload/split.c
run_pmuprof record -q -e cpu-clock -o "$T_TMP/probe.data" -- true
[ "$RC" -eq 0 ] || skip_all "cpu-clock sampling is not usable here: $(cat "$ERR")"
cd "$T_TMP" || exit 1

run_pmuprof record -q -e cpu-clock -o s.data -- "$WORKLOADS/split" 600
is "record: exit status" "$RC" 0
for opts in "" "--srcline" "--srcline --inline"; do
	name=plain
	case $opts in *inline*) name=inline ;; *srcline*) name=lines ;; esac
	# shellcheck disable=SC2086 # the options are words
	run_pmuprof report -i s.data $opts --format pprof -o "$name.pb.gz"
	is "report ${opts:+$opts }--format pprof: exit status" "$RC" 0
	run go tool pprof -top "$name.pb.gz"
	is "pprof -top of the $name export: exit status" "$RC" 0
	is "pprof -top of the $name export: no warnings" "$(cat "$ERR")" ""
done

# ---- functions: pprof -top against report -s sym ----------------------------------

# pprof -top's rows, every one: "function flat cum flat% cum%" (samples, and shares of the
# time); pprof shows a function's name alone, and report its object's kind too ([.], [k])
pprof_top() {
	go tool pprof -top -nodecount=1000000 -nodefraction=0 -edgefraction=0 \
		-sample_index=samples "$1" 2>/dev/null >top.n
	go tool pprof -top -nodecount=1000000 -nodefraction=0 -edgefraction=0 "$1" \
		2>/dev/null >top.t
	awk 'FNR == 1 { file++ } /flat%/ { rows = file; next } rows != file { next }
		{ name = $6; for (i = 7; i <= NF; i++) name = name " " $i }
		file == 1 { flat[name] = $1; cum[name] = $4 }
		file == 2 { sub("%", "", $2); sub("%", "", $5); printf "%s %s %s %s %s\n", name, flat[name], cum[name], $2, $5 }' \
		top.n top.t | sort
}

# report -s sym: "function own stacks-through own% children%" (-n counts a line's own
# samples; without it, the stacks through it)
report_top() {
	"$PMUPROF" report -i s.data -s sym -g none --percent-limit 0 -n 2>/dev/null >rep.n
	"$PMUPROF" report -i s.data -s sym -g none --percent-limit 0 2>/dev/null >rep.c
	awk 'FNR == 1 { file++ } /^#/ || NF < 5 { next }
		{ name = $5; for (i = 6; i <= NF; i++) name = name " " $i }
		file == 1 { own[name] = $3; sub("%", "", $1); sub("%", "", $2); ch[name] = $1; self[name] = $2 }
		file == 2 { printf "%s %s %s %s %s\n", name, own[name], $3, self[name], ch[name] }' \
		rep.n rep.c | sort
}

ptop=$(pprof_top plain.pb.gz)
rtop=$(report_top)
# the samples exactly; the shares as each rounds them
is "-top: the functions, their flat and cumulative samples are report's own and children's" \
	"$(printf '%s\n' "$ptop" | cut -d' ' -f1-3)" "$(printf '%s\n' "$rtop" | cut -d' ' -f1-3)"
diff=$(printf '%s\n%s\n' "$ptop" "$rtop" | awk '
	{ k = $1 " " $2 " " $3 }
	NR <= n { f[k] = $4; c[k] = $5; next }
	{ d1 = f[k] - $4; d2 = c[k] - $5; if (d1 < 0) d1 = -d1; if (d2 < 0) d2 = -d2
	  if (d1 > 0.011 || d2 > 0.011) print $1 ": pprof " f[k] "% " c[k] "%, report " $4 "% " $5 "%" }' \
	n="$(printf '%s\n' "$ptop" | wc -l)")
is "-top: flat% and cum% are report's Self and Children (within rounding)" "$diff" ""
for f in split_a split_b split_c split_d split_round main; do
	like "-top: $f is there" "$ptop" "^$f "
done

# ---- stacks: pprof -traces against the folded export ------------------------------

# -traces as folded lines: "thread;outermost;...;leaf samples", summed over threads'
# labels and sorted; "(inline)" marks an inlined function's line
pprof_traces() {
	go tool pprof -traces -sample_index=samples "$1" 2>/dev/null | awk '
		function flush(  s, i) {
			if (n) {
				s = comm
				for (i = n; i >= 1; i--)
					s = s ";" f[i]
				sum[s] += v
			}
			n = 0
		}
		/^-+\+-+$/ { flush(); next }
		!n && /^ *thread: / { sub(/^ *thread: +/, ""); comm = $0; next }
		!n && /^ *[a-z]+: / { next }
		!n && /^ +[0-9]+ +[^ ]/ { v = $1; sub(/^ +[0-9]+ +/, ""); sub(/ \(inline\)$/, ""); f[++n] = $0; next }
		n { sub(/^ +/, ""); sub(/ \(inline\)$/, ""); f[++n] = $0 }
		END { flush(); for (s in sum) print s, sum[s] }' | sort
}

# the folded export with its kernel and inline marks taken off, summed and sorted
report_folded() {
	"$PMUPROF" report -i s.data "$@" --format folded 2>/dev/null |
		sed -E 's/_\[[ki]\](;| )/\1/g' |
		awk '{ n = $NF; sub(/ [0-9]+$/, ""); sum[$0] += n } END { for (s in sum) print s, sum[s] }' |
		sort
}

ptraces=$(pprof_traces plain.pb.gz)
is "-traces: the stacks and their samples are report's" "$ptraces" "$(report_folded)"
like "-traces: split_d under split_round under main" "$ptraces" \
	'^split;(.*;)?main;split_round;split_d [0-9]+$'
is "-traces --inline: the stacks with inlined frames are report's" \
	"$(pprof_traces inline.pb.gz)" "$(report_folded --inline)"
like "-traces --inline: spin inlined into split_d" "$(pprof_traces inline.pb.gz)" \
	';split_round;split_d;spin [0-9]+$'

# ---- lines: pprof -lines -top against report -s sym,srcline --------------------------

# "function file:line own-samples" of the lines in split.c, by each side
pprof_lines() {
	go tool pprof -lines -top -nodecount=1000000 -nodefraction=0 -edgefraction=0 \
		-sample_index=samples "$1" 2>/dev/null |
		awk 'rows { sub(/ \(inline\)$/, "") }
			rows && $1 > 0 && $NF ~ /(^|\/)split\.c:[0-9]+$/ { f = $NF; sub(/.*\//, "", f); print $6, f, $1 }
			/flat%/ { rows = 1 }' | sort
}

report_lines() {
	"$PMUPROF" report -i s.data -s sym,srcline -g none -n --no-children --percent-limit 0 "$@" \
		2>/dev/null | awk '!/^#/ && $NF ~ /^split\.c:[0-9]+$/ { print $4, $NF, $2 }' | sort
}

# the hot loop of spin(), which every split_X inlines: from its for to its asm statement
first=$(grep -n 'for (uint64_t i = 0; i < n; i++)' "$src" | cut -d: -f1)
last=$(grep -n '__asm__ volatile("" : "+r"(x));' "$src" | cut -d: -f1)
ok "split.c's hot loop found (lines $first-$last)" test -n "$first" -a -n "$last"
total=$(sed -n 's/^# samples: \([0-9]*\).*/\1/p' rep.c)

plines=$(pprof_lines lines.pb.gz)
is "-lines: each function's samples by file:line are report's" "$plines" \
	"$(report_lines --srcline)"
hot=$(printf '%s\n' "$plines" | awk -v a="$first" -v b="$last" '
	{ split($2, fl, ":") } $1 ~ /^split_[abcd]$/ && fl[2] >= a && fl[2] <= b { n += $3 }
	END { print n + 0 }')
ok "-lines: split_a..d at split.c:$first-$last, the loop, hold most samples ($hot of $total)" \
	[ "$((hot * 10))" -ge "$((${total:-0} * 8))" ]
top=$(go tool pprof -lines -top -sample_index=samples lines.pb.gz 2>/dev/null |
	awk 'rows { print $6, $NF; exit } /flat%/ { rows = 1 }')
like "-lines: the top line is the loop's, in the file's path" "$top" \
	"^split_[abcd] (.*/)?tests/workload/split\.c:($first|$((first + 1))|$((first + 2))|$last)\$"

ilines=$(pprof_lines inline.pb.gz)
is "-lines --inline: each function's samples by file:line are report's" "$ilines" \
	"$(report_lines --srcline --inline)"
like "-lines --inline: the loop is spin's" "$ilines" "^spin split\.c:$first [0-9]+\$"

# ---- mappings: pprof -raw against the objects ------------------------------------------

go tool pprof -raw plain.pb.gz >raw 2>/dev/null
# "ID START LIMIT OFFSET PATH [BUILD-ID]" of each mapping
awk '/^Mappings/ { m = 1; next } m && /^[0-9]+: / {
	split($2, r, "/"); id = $1; sub(":", "", id)
	printf "%s %s %s %s %s %s\n", id, r[1], r[2], r[3], $3, ($4 ~ /^\[/ ? "" : $4) }' raw >maps
main=$(head -1 maps)
is "-raw: the first mapping is the program's" "$(echo "$main" | awk '{ n = split($5, p, "/"); print p[n] }')" split
want=$(readelf -n "$WORKLOADS/split" | sed -n 's/^ *Build ID: *//p')
is "-raw: its build-id is the program's (readelf -n)" "$(echo "$main" | cut -d' ' -f6)" "$want"
bad=
n=0
while read -r _ start limit offset path bid; do
	case $path in /*) ;; *) continue ;; esac
	[ -r "$path" ] || continue
	n=$((n + 1))
	want=$(readelf -n "$path" 2>/dev/null | sed -n 's/^ *Build ID: *//p')
	[ "$bid" = "$want" ] || bad="$bad $path: $bid, not $want;"
	# the executable segment whose code the samples hit lies within the mapping
	seg=$(readelf -lW "$path" | awk '$1 == "LOAD" && / R E / { print $2, $5; exit }')
	set -- $seg
	[ "$(($1))" -ge "$((offset))" ] && [ "$(($1 + $2))" -le "$((offset + limit - start))" ] ||
		bad="$bad $path: $start-$limit at $offset does not hold its code ($seg);"
done <maps
is "-raw: the build-ids of the $n mapped files are readelf's, the ranges hold their code" \
	"$bad" ""

# each location of the program: its address, in the file through its mapping, then a
# virtual address through the program header that holds that offset, is in its function
set -- $main
mid=$1 mstart=$2 mlimit=$3 moff=$4
readelf -lW "$WORKLOADS/split" | awk '$1 == "LOAD" { print $2, $3, $5 }' >loads
nm -S --defined-only "$WORKLOADS/split" | awk 'NF == 4 { print $4, $1, $2 }' >syms
awk -v m="M=$mid" '/^Locations/ { l = 1; next } /^Mappings/ { l = 0 } l && $3 == m { print $2, $4 }' raw >locs
bad=
n=0
while read -r addr func; do
	n=$((n + 1))
	if [ "$((addr))" -lt "$((mstart))" ] || [ "$((addr))" -ge "$((mlimit))" ]; then
		bad="$bad $func at $addr: outside the mapping;"
		continue
	fi
	off=$((addr - mstart + moff))
	vaddr=
	while read -r so sv sz; do
		if [ "$off" -ge "$((so))" ] && [ "$off" -lt "$((so + sz))" ]; then
			vaddr=$((off - so + sv))
		fi
	done <loads
	range=$(awk -v f="$func" '$1 == f { print $2, $3; exit }' syms)
	set -- $range
	if [ -z "$vaddr" ] || [ -z "$range" ] || [ "$vaddr" -lt "$((0x$1))" ] ||
		[ "$vaddr" -ge "$((0x$1 + 0x$2))" ]; then
		bad="$bad $func at $addr (vaddr ${vaddr:-none}, symbol ${range:-none});"
	fi
done <locs
ok "-raw: the program has locations ($n)" test "$n" -gt 0
is "-raw: the program's locations, through its mapping, are in the functions that name them" \
	"$bad" ""

done_testing
