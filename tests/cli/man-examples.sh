# SPDX-License-Identifier: GPL-2.0-or-later
# The EXAMPLES of every man page run.
#
# Each command an EXAMPLES section shows is taken from the page source:
# in an .EX block, a line that starts with "$ \fB" (or "# \fB" for root) and
# the lines of bold text that continue it; after .TP, a .B line that starts
# with "pmuprof". The commands of a page run in order, with bash -o pipefail,
# in one scratch directory of that page (so "pmuprof report" reads what the
# "pmuprof record" before it wrote), and must exit 0.
#
# The placeholders the pages use are real things in the scratch directory:
#
#   ./burn ./split ./spin          the test workloads of the same names
#   ./change-old ./change-new
#   ./ticker ./phase
#   ./prog, ./server               scripts that run "burn 2 200" (two threads,
#                                  0.2 s of CPU each), whatever their arguments
#   ./prog-old, ./prog-new         scripts that run "change-old 300" and
#                                  "change-new 300" (two builds of one program)
#   make, make -j4, make -j8       a Makefile whose two targets each run
#                                  "burn 1 100"
#   big.tar, big.bin               1.2 MB of text to compress
#   shlib.data, signal.data        recordings of "unwind shlib 300" and
#                                  "unwind signal 300"
#   fs.data                        a recording cut off by "ulimit -f"
#   big.data                       a recording of "spin -t 1 -s 2.5", whose
#                                  thread is $BIGTID
#   off.data, off-old.data,        synthetic recordings with off-CPU samples
#   off-new.data                   (contrib/bench/gen-procs offcpu; off-new.data's
#                                  event counts instructions, so its CPU samples
#                                  are scaled to its threads' CPU time)
#
# and four are rewritten: "-p PID" names a "burn 2 forever" started for
# that example alone; to keep the test short, "--duration N" longer than 2
# seconds becomes "--duration 1" and "./spin ... -s N" becomes
# "./spin ... -s 0.2" (0.2 s of CPU per thread, for each run of compare);
# and "/tmp/" becomes the tmp/ directory of the scratch directory.
#
# A command that pipes into head may end with status 141 (SIGPIPE: head
# stopped reading), as it does in a terminal; anything else must exit 0.
#
# An example also must call only programs the test knows (KNOWN_PROGRAMS):
# one that calls anything else fails until it is mapped above or listed in
# EXCEPTIONS below, so that no example of a page goes untried. One that
# calls a known program that is not installed here is skipped, naming it
# (contrib/install-deps.sh --test installs them all).
#
# EXCEPTIONS lists the examples that cannot run as printed here: each is the
# page, the command as printed (continuation lines joined by a space), then a
# line that says what the test does instead:
#   => run: COMMAND      run COMMAND (same placeholders) and want status 0
#   => skip: REASON      not runnable here, for REASON
#   => nopmu N REGEX     without a hardware PMU, want status N and REGEX on
#                        standard error (the documented failure); with one,
#                        want status 0
# An entry that matches no example of its page fails the test.
. "$srcdir/tests/lib.sh"

: "${MANDIR:?MANDIR must point at man/}"
command -v bash >/dev/null || skip_all "bash is not installed (examples run with bash -o pipefail)"

KNOWN_PROGRAMS="pmuprof ./burn ./split ./spin ./change-old ./change-new ./ticker ./phase ./prog ./server
./prog-old ./prog-new for do done
make xz gzip jq head tail sort awk less"

HAVE_PMU=no
[ -d /sys/bus/event_source/devices/cpu ] && HAVE_PMU=yes
ROOT=no
[ "$(id -u)" = 0 ] && ROOT=yes

EXCEPTIONS=$(cat <<'EOF'
pmuprof.1: pmuprof help stat
	=> run: MANPAGER=cat PAGER=cat MANWIDTH=80 pmuprof help stat >/dev/null
	   (skipped without man-db: help runs man)
pmuprof.1: pmuprof stat -r 5 -e '{cycles,instructions},task-clock' -- ./prog
	=> nopmu 0 <not supported>
pmuprof-annotate.1: pmuprof annotate --source --color always parse_header | less -R
	=> run: pmuprof annotate --source --color always burn | less -R
pmuprof-annotate.1: pmuprof annotate --dso libz.so.1 --top 1 -M intel
	=> run: pmuprof annotate --dso burn --top 1 -M intel
pmuprof-diff.1: pmuprof diff --format folded old.data new.data | flamegraph.pl > diff.svg
	=> run: pmuprof diff --format folded old.data new.data > diff.folded
pmuprof-record.1: pmuprof record -p 28480
	=> run: pmuprof record -p 28480 --duration 1
	   (it runs until Ctrl-C: a second of it)
pmuprof-record.1: pmuprof record -e instructions:u --no-fallback -- ./prog
	=> nopmu 1 ^pmuprof: cannot sample 'instructions:u': no such event on this machine
pmuprof-report.1: go tool pprof -top prof.pb.gz
	=> run: go tool pprof -top prof.pb.gz
	   (go is not among KNOWN_PROGRAMS: only this use of it is known)
pmuprof-report.1: go tool pprof -sample_index=off-cpu -top wall.pb.gz
	=> run: go tool pprof -sample_index=off-cpu -top wall.pb.gz
pmuprof-report.1: go tool pprof -http=:8080 prof.pb.gz
	=> skip: serves a web page until it is stopped, and opens a browser
pmuprof-report.1: xdg-open flame.svg
	=> skip: opens a web browser
pmuprof-report.1: pmuprof report --format folded | flamegraph.pl >flame.svg
	=> run: pmuprof report --format folded >flame.folded
pmuprof-script.1: pmuprof script | stackcollapse-perf.pl | flamegraph.pl >flame.svg
	=> skip: the FlameGraph scripts are not packaged in Debian
pmuprof-script.1: pmuprof script --tid 5841 --time 1,2 -i big.data
	=> run: pmuprof script --tid "$BIGTID" --time 1,2 -i big.data
pmuprof-stat.1: pmuprof stat -e '{cycles,instructions}:u' -- ./prog
	=> nopmu 0 <not supported>
EOF
)

# extract PAGE: one line per example, "PROMPT<TAB>COMMAND", the lines of a
# command that goes on over several joined by \037 (unit separator)
extract() {
	awk '
	/^\.SH/ { inex = ($0 ~ /^\.SH "?EXAMPLES"?$/); inblock = 0; next }
	!inex { prev = $0; next }
	/^\.EX/ { inblock = 1; flush(); prev = $0; next }
	/^\.EE/ { flush(); inblock = 0; prev = $0; next }
	inblock && /^[$#] \\fB/ { flush(); prompt = substr($0, 1, 1); cmd = substr($0, 3); next }
	inblock && cmd != "" && /^[ \t]+\\fB.*\\fP$/ { sub(/^[ \t]+/, ""); cmd = cmd "\037" $0; next }
	inblock { flush(); prev = $0; next }
	prev ~ /^\.TP/ && /^\.B "?pmuprof / {
		c = $0; sub(/^\.B "?/, "", c); sub(/"$/, "", c)
		print "$\t" c; prev = $0; next
	}
	{ prev = $0 }
	function flush() { if (cmd != "") print prompt "\t" cmd; cmd = "" }
	END { flush() }
	' "$1" | sed -e 's/\\f[BIPR]//g' -e 's/\\-/-/g' -e "s/\\\\(aq/'/g" -e 's/\\(ha/^/g' \
		-e 's/\\(dq/"/g' -e 's/\\~/ /g' -e 's/\\&//g' -e 's/\\e/\\/g'
}

# the one-line form of an example: continuation lines joined by a space
oneline() {
	printf '%s\n' "$1" | tr '\037' '\n' | sed 's/^[ 	]*//' | paste -sd ' ' | sed 's/ \\ / /g'
}

# programs COMMAND-LINE: the first word of each command in a pipeline or
# list, and the command a pmuprof command runs (the word after "--")
programs() {
	printf '%s\n' "$1" | sed -e "s/'[^']*'//g" -e 's/"[^"]*"//g' -e 's/\$([^)]*)//g' |
		sed -e 's/&&/\n/g' -e 's/||/\n/g' -e 's/[|;]/\n/g' |
		awk '{
			for (i = 1; i <= NF; i++)
				if ($i !~ /^[A-Z_]+=/) {
					print $i
					break
				}
			# diff OLD... -- NEW...: files on both sides, no command
			if ($i == "pmuprof" && $(i + 1) == "diff")
				next
			for (; i < NF; i++)
				if ($i == "--") {
					print $(i + 1)
					break
				}
		}'
}

# exception PAGE ONELINE: the disposition line of the example, if listed
exception() {
	printf '%s\n' "$EXCEPTIONS" | awk -v key="$1: $2" '
		found { sub(/^\t=> /, ""); print; exit }
		$0 == key { found = 1 }'
}

# the scratch files that stand for the pages' placeholders, made once
FIX=$T_TMP/fixtures
mkdir -p "$FIX"
for w in burn split spin change-old change-new ticker phase; do
	ln -s "$WORKLOADS/$w" "$FIX/$w"
done
for w in prog server; do
	printf '#!/bin/sh\nexec "%s/burn" 2 200\n' "$WORKLOADS" >"$FIX/$w"
	chmod +x "$FIX/$w"
done
for w in old new; do
	printf '#!/bin/sh\nexec "%s/change-%s" 300\n' "$WORKLOADS" "$w" >"$FIX/prog-$w"
	chmod +x "$FIX/prog-$w"
done
printf 'all: a b\na:\n\t@"%s/burn" 1 100\nb:\n\t@"%s/burn" 1 100\n.PHONY: all a b\n' \
	"$WORKLOADS" "$WORKLOADS" >"$FIX/Makefile"
seq 1 200000 >"$FIX/big.tar"
cp "$FIX/big.tar" "$FIX/big.bin"
mkdir -p "$T_TMP/bin"
ln -s "$PMUPROF" "$T_TMP/bin/pmuprof"
PATH=$T_TMP/bin:$PATH
export PATH
(
	cd "$FIX" || exit 1
	pmuprof record -q -e cpu-clock -o shlib.data -- "$WORKLOADS/unwind" shlib 300 &&
		pmuprof record -q -e cpu-clock -o signal.data -- "$WORKLOADS/unwind" signal 300 &&
		pmuprof record -q -e cpu-clock -o big.data -- ./spin -t 1 -s 2.5 &&
		"$WORKLOADS/../../contrib/bench/gen-procs" offcpu off.data &&
		"$WORKLOADS/../../contrib/bench/gen-procs" offcpu off-old.data &&
		"$WORKLOADS/../../contrib/bench/gen-procs" offcpu off-new.data instructions &&
		{
			(
				ulimit -f 16
				exec pmuprof record -q -e cpu-clock -F 4000 -o fs.data -- ./burn 2 300
			) || :
		}
) >"$T_TMP/fixtures.log" 2>&1
ok "the recordings the examples read are made" [ -s "$FIX/shlib.data" ] && [ -s "$FIX/big.data" ]
BIGTID=$(pmuprof script -i "$FIX/big.data" 2>/dev/null | awk 'NR == 1 { print $2 }')
export BIGTID
like "fs.data is cut off" "$(pmuprof report "$FIX/fs.data" 2>&1 >/dev/null)" "is truncated"

# run_example DIR PROMPT COMMAND: runs it and sets RC, OUT, ERR
run_example() {
	text=$(printf '%s\n' "$3" | tr '\037' '\n')
	bg=
	case "$text" in
	*" -p "[0-9]*)
		"$WORKLOADS/burn" 2 forever &
		bg=$!
		text=$(printf '%s\n' "$text" | sed -E "s/ -p [0-9]+/ -p $bg/")
		;;
	esac
	text=$(printf '%s\n' "$text" |
		sed -E -e 's/--duration ([3-9]|[0-9]{2,})(\.[0-9]+)?/--duration 1/' \
			-e 's/(\.\/spin( -t [0-9]+)?) -s [0-9.]+/\1 -s 0.2/' -e 's| /tmp/| tmp/|g')
	RC=0
	(cd "$1" && exec bash -o pipefail -c "$text") </dev/null >"$OUT" 2>"$ERR" || RC=$?
	if [ -n "$bg" ]; then
		kill "$bg"
		wait "$bg" 2>/dev/null
	fi
}

seen=$T_TMP/seen
: >"$seen"
npages=0
for f in "$MANDIR"/*.1 "$MANDIR"/*.5; do
	page=$(basename "$f")
	dir=$T_TMP/run/$page
	mkdir -p "$dir/tmp"
	cp -P "$FIX"/* "$dir"/
	n=0
	extract "$f" >"$T_TMP/examples"
	while IFS='	' read -r prompt cmd; do
		n=$((n + 1))
		line=$(oneline "$cmd")
		how=$(exception "$page" "$line")
		[ -n "$how" ] && printf '%s: %s\n' "$page" "$line" >>"$seen"
		desc="$page: $line"
		case "$how" in
		"skip: "*)
			pass "$desc # SKIP ${how#skip: }"
			continue
			;;
		"run: "*)
			cmd=${how#run: }
			;;
		"nopmu "*)
			;;
		"")
			unknown=
			for p in $(programs "$line"); do
				case " $(echo $KNOWN_PROGRAMS) " in
				*" $p "*) ;;
				*) unknown="$unknown $p" ;;
				esac
			done
			if [ -n "$unknown" ]; then
				fail "$desc" "calls what the test does not know:$unknown;" \
					"map it in tests/cli/man-examples.sh or list the example in its EXCEPTIONS"
				continue
			fi
			;;
		esac
		absent=
		for p in $(programs "$(oneline "$cmd")"); do
			case "$p" in
			./* | pmuprof) ;;
			*) command -v "$p" >/dev/null || absent="$absent $p" ;;
			esac
		done
		case "$cmd" in
		*"pmuprof help "*) command -v man >/dev/null || absent="$absent man" ;;
		esac
		if [ -n "$absent" ]; then
			pass "$desc # SKIP not installed here:$absent"
			continue
		fi
		case "$how" in
		"skip: "* | "run: "* | "nopmu "* | "") ;;
		*)
			fail "$desc" "EXCEPTIONS has an unknown disposition: $how"
			continue
			;;
		esac
		if [ "$prompt" = "#" ] && [ "$ROOT" = no ]; then
			pass "$desc # SKIP needs root (the page shows it with the # prompt)"
			continue
		fi
		run_example "$dir" "$prompt" "$cmd"
		want=0
		re=
		case "$how" in
		"nopmu "*)
			if [ "$HAVE_PMU" = no ]; then
				rest=${how#nopmu }
				want=${rest%% *}
				re=${rest#* }
				desc="$desc (no hardware PMU: the documented failure)"
			fi
			;;
		esac
		case "$RC:$line" in
		"141:"*"| head "*) RC=0 ;;
		esac
		if [ "$RC" = "$want" ] && { [ -z "$re" ] || grep -Eq -- "$re" "$ERR"; }; then
			pass "$desc"
		else
			fail "$desc" "exit status $RC, want $want${re:+ and /$re/ on stderr}; it ran:" \
				"$(printf '%s\n' "$cmd" | tr '\037' '\n')" "stderr:" "$(tail -n 15 "$ERR")"
		fi
	done <"$T_TMP/examples"
	case "$page" in
	pmuprof-data.5) ;;
	*) ok "$page has examples the test found" [ "$n" -gt 0 ] ;;
	esac
	npages=$((npages + 1))
done
ok "the pages were read" [ "$npages" -ge 10 ]

# every exception names an example that exists
printf '%s\n' "$EXCEPTIONS" | grep -v '^	' | while IFS= read -r key; do
	grep -qxF -- "$key" "$seen" || echo "$key"
done >"$T_TMP/stale"
is "every entry of EXCEPTIONS is an example of its page" "$(cat "$T_TMP/stale")" ""

done_testing
