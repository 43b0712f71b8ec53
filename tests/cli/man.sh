# SPDX-License-Identifier: GPL-2.0-or-later
# The man pages lint clean, document every long option --help prints, and
# `pmuprof help CMD` opens them.
. "$srcdir/tests/lib.sh"

: "${MANDIR:?MANDIR must point at man/}"
command -v groff >/dev/null || skip_all "groff is not installed (Debian: apt-get install groff-base)"

for page in pmuprof pmuprof-list pmuprof-stat pmuprof-record pmuprof-report pmuprof-script pmuprof-compare pmuprof-annotate pmuprof-diff pmuprof-timeline; do
	f=$MANDIR/$page.1
	ok "$page.1 exists" [ -s "$f" ]
	is "$page.1 lints clean with groff -t -man -ww -z" "$(groff -t -man -ww -z "$f" 2>&1)" ""
	for section in NAME SYNOPSIS DESCRIPTION OPTIONS EXAMPLES 'EXIT STATUS' ENVIRONMENT NOTES 'SEE ALSO'; do
		like "$page.1 has $section" "$(grep '^\.SH' "$f")" "^\.SH \"?$section\"?\$"
	done
done

f=$MANDIR/pmuprof-data.5
ok "pmuprof-data.5 exists" [ -s "$f" ]
is "pmuprof-data.5 lints clean with groff -t -man -ww -z" "$(groff -t -man -ww -z "$f" 2>&1)" ""
for section in NAME DESCRIPTION 'SEE ALSO'; do
	like "pmuprof-data.5 has $section" "$(grep '^\.SH' "$f")" "^\.SH \"?$section\"?\$"
done

for cmd in list stat record report script compare annotate diff timeline; do
	run_pmuprof "$cmd" --help
	page=$(sed 's/\\-/-/g' "$MANDIR/pmuprof-$cmd.1")
	for opt in $(grep -oE -- '--[a-z][a-z-]*' "$OUT" | sort -u); do
		like "pmuprof-$cmd.1 documents $opt" "$page" "$opt"
	done
done
page=$(sed 's/\\-/-/g' "$MANDIR/pmuprof.1")
for opt in --help --version; do
	like "pmuprof.1 documents $opt" "$page" "$opt"
done

if command -v man >/dev/null; then
	MANPAGER=cat PAGER=cat MANWIDTH=80 run_pmuprof help stat
	is "help stat: exit status" "$RC" 0
	like "help stat shows the stat page" "$(cat "$OUT")" 'pmuprof-stat - '
else
	fail "man is not installed (Debian: apt-get install man-db)"
fi

done_testing
