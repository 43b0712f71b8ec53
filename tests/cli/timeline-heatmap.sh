# SPDX-License-Identifier: GPL-2.0-or-later
# pmuprof timeline --format heatmap on the phase workload (300 ms of CPU in
# phase_work, 1 s into a 2 s run): the cells with phase_work's samples lie
# within 20 ms of the phase as the workload timed it; in a real browser
# (headless chromium), selecting the phase's cells draws the flame graph of
# that range with phase_work on top and prints a --time argument with which
# report reads exactly the selection's samples, phase_work on top; the
# off-CPU views say what they count; bad options and inputs are refused.
. "$srcdir/tests/lib.sh"

run_pmuprof record -q -o "$T_TMP/probe.data" -- true
[ "$RC" -eq 0 ] || skip_all "perf_event_open sampling is not usable here: $(cat "$ERR")"
command -v python3 >/dev/null || skip_all "python3 is needed to read the SVG's data"
cd "$T_TMP" || exit 1

# check DESC SCRIPT ARGS...: runs a python3 checker; its stdout is left in $OUT
check() {
	desc=$1
	shift
	run python3 "$@"
	if [ "$RC" -eq 0 ]; then pass "$desc"; else fail "$desc" "$(cat "$ERR")"; fi
}

run_pmuprof record -q -e cpu-clock -o ph.data -- "$WORKLOADS/phase"
is "record: exit status" "$RC" 0
truth=$(cat "$OUT")
like "the workload's truth" "$truth" '^phase [0-9]+ [0-9]+$'

run_pmuprof timeline -i ph.data --format heatmap -o ph.svg
is "--format heatmap: exit status" "$RC" 0
is "--format heatmap: nothing on stdout with -o" "$(cat "$OUT")" ""
ok "--format heatmap: file written" [ -s ph.svg ]

# The truth against the embedded data: every cell with a sample of phase_work
# within 20 ms of the phase, on the recording's clock (data-origin-ns).
cat >cells.py <<'PY'
import json, sys, xml.etree.ElementTree as ET
svg, truth = sys.argv[1], sys.argv[2].split("\n")
ns = {"s": "http://www.w3.org/2000/svg"}
root = ET.parse(svg).getroot()
origin, start = int(root.get("data-origin-ns")), int(root.get("data-start-ns"))
bucket = int(root.get("data-bucket-ns"))
d = json.loads(root.find(".//s:script[@id='hm-data']", ns).text)
assert d["bucket"] == bucket and d["rows"] * bucket == 10**9
t = dict((l.split()[0], [int(x) for x in l.split()[1:]]) for l in truth if l)
p0, p1 = t["start"][0] + t["phase"][0], t["start"][0] + t["phase"][1]
fn = [i for i, f in enumerate(d["funcs"]) if f[0] == "phase_work"]
assert fn, "no phase_work among the functions"
cells, n = set(), 0
for st, counts in zip(d["stacks"], d["counts"]):
    if fn[0] in st[1]:
        for k in range(0, len(counts), 2):
            cells.add(counts[k])
            n += counts[k + 1]
assert n >= 10, "only %d samples of phase_work" % n
bad = [b for b in cells
       if origin + b * bucket < p0 - 20000000 or origin + (b + 1) * bucket > p1 + 20000000]
assert not bad, "cells %s lie outside the phase %d..%d (origin %d)" % (bad, p0, p1, origin)
# the phase in seconds from the recording's start, as #select takes it
print("%.6f,%.6f %d" % ((p0 - start) / 1e9, (p1 - start) / 1e9, n))
PY
check "the cells with phase_work lie within 20 ms of the phase" cells.py ph.svg "$truth"
phase=$(cut -d' ' -f1 "$OUT")
diag_n=$(cut -d' ' -f2 "$OUT")
ok "phase_work's samples in the map ($diag_n)" [ "${diag_n:-0}" -gt 0 ]

# ---- in a real browser ----
browser=$(command -v chromium || command -v chromium-browser || true)
# dump URL: the DOM after the scripts ran, into dom.xml
dump() {
	timeout 120 "$browser" --headless --no-sandbox --disable-gpu --user-data-dir="$T_TMP/chr" \
		--dump-dom "$1" >dom.xml 2>browser.err
}
if [ -z "$browser" ]; then
	skip "the browser checks" "chromium is not installed (contrib/install-deps.sh --test installs it)"
else
	dump "file://$T_TMP/ph.svg#select=$phase"
	ok "chromium dumped the DOM" [ -s dom.xml ]
	cat >dom.py <<'PY'
import re, sys, xml.etree.ElementTree as ET
ns = {"s": "http://www.w3.org/2000/svg"}
root = ET.parse(sys.argv[1]).getroot()
cmd = root.find(".//s:text[@id='hm-command']", ns)
sel = root.find(".//s:text[@id='hm-selection']", ns)
assert cmd is not None and cmd.get("data-time"), "no --time argument printed"
assert cmd.text == "pmuprof report -i ph.data --time " + cmd.get("data-time"), cmd.text
fg = root.find(".//s:svg[@id='pmuprof-fg']", ns)
assert fg is not None, "no flame graph drawn"
frames = [(g.get("data-n"), int(g.get("data-w")), int(g.get("data-d")))
          for g in fg.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "f"]
total = [w for n, w, d in frames if d == 0][0]
assert total == int(sel.get("data-total")), "flame graph %d, selection %s" % (total, sel.get("data-total"))
# the widest function (not all, not the thread's name) is the hot one
top = max((w, n) for n, w, d in frames if d >= 2 and n not in ("_start", "main")
          and not n.startswith("__libc"))
assert top[1] == "phase_work" and top[0] >= 0.8 * total, "on top: %s of %d" % (top, total)
print(cmd.get("data-time"), total, sel.get("data-cells"))
PY
	check "browser: the selection's flame graph has phase_work on top, and a --time argument" \
		dom.py dom.xml
	arg=$(cut -d' ' -f1 "$OUT")
	selected=$(cut -d' ' -f2 "$OUT")
	cells=$(cut -d' ' -f3 "$OUT")
	like "the --time argument is START,END in seconds" "$arg" '^[0-9.]+,[0-9.]+$'

	run_pmuprof report -i ph.data --time "$arg" --no-children --stdio
	is "report --time $arg: exit status" "$RC" 0
	like "report --time $arg: phase_work on top" \
		"$(grep -v '^#' "$OUT" | grep -m1 '%')" 'phase_work$'
	like "report --time $arg: the selection's $selected samples, no more, no fewer" \
		"$(cat "$OUT")" "^# selected: $selected samples "

	# the same flame graph as report's for that range: frames by depth, name and samples
	run_pmuprof report -i ph.data --time "$arg" --format svg -o range.svg
	cat >same.py <<'PY'
import re, sys, xml.etree.ElementTree as ET
G = "{http://www.w3.org/2000/svg}g"
def frames(root, tip):
    out = []
    for g in root.iter(G):
        if g.get("class") == "f":
            out.append((int(g.get("data-d")), g.get("data-n"), tip(g)))
    return sorted(out)
dom = ET.parse(sys.argv[1]).getroot()
fg = [e for e in dom.iter("{http://www.w3.org/2000/svg}svg") if e.get("id") == "pmuprof-fg"][0]
ours = frames(fg, lambda g: int(g.get("data-w")))
title = lambda g: int(re.search(r": (\d+) samples?", g.find("{http://www.w3.org/2000/svg}title").text).group(1))
theirs = frames(ET.parse(sys.argv[2]).getroot(), title)
assert ours == theirs, "heat map %s\nreport   %s" % (ours, theirs)
print(len(ours))
PY
	check "browser: the selection's flame graph has report --format svg's frames for --time $arg" \
		same.py dom.xml range.svg

	# the mouse: a page that holds the map in a frame drags across the phase's
	# cells, then clicks two cells, hovers one, and clicks a frame of the flame graph
	cat >mouse.html <<HTML
<!DOCTYPE html>
<html><body><iframe id="f" src="ph.svg" width="1200" height="1000"></iframe>
<pre id="out">not run</pre>
<script>
function at(doc, b) {
	var D = JSON.parse(doc.getElementById("hm-data").textContent);
	var m = doc.getElementById("hm-map").getScreenCTM();
	return { x: m.e + (Math.floor(b / D.rows) + 0.5) * D.cw, y: m.f + (b % D.rows + 0.5) * D.rh };
}
function mouse(doc, target, type, p) {
	target.dispatchEvent(new MouseEvent(type, { bubbles: true, clientX: p.x, clientY: p.y,
		view: doc.defaultView }));
}
document.getElementById("f").addEventListener("load", function () {
	var doc = this.contentDocument, map = doc.getElementById("hm-map"), out = [];
	var cells = "$cells".split(","), a = at(doc, +cells[0]), b = at(doc, +cells[1]);
	mouse(doc, map, "mousedown", a);
	mouse(doc, map, "mousemove", b);
	mouse(doc, map, "mouseup", b);
	out.push("drag " + doc.getElementById("hm-command").getAttribute("data-time"));
	mouse(doc, map, "mousedown", b);
	mouse(doc, map, "mouseup", b);
	mouse(doc, map, "mousedown", a);
	mouse(doc, map, "mouseup", a);
	out.push("clicks " + doc.getElementById("hm-command").getAttribute("data-time"));
	mouse(doc, map, "mousemove", a);
	out.push("hover " + doc.getElementById("hm-details").textContent);
	var gs = doc.getElementById("pmuprof-fg").getElementsByTagName("g");
	for (var i = 0; i < gs.length; i++)
		if (gs[i].getAttribute("data-n") === "phase_work")
			gs[i].getElementsByTagName("rect")[0].dispatchEvent(new MouseEvent("click",
				{ bubbles: true }));
	out.push("zoom " + doc.getElementById("pf-unzoom").getAttribute("class"));
	document.getElementById("out").textContent = out.join("\\n");
});
</script></body></html>
HTML
	timeout 120 "$browser" --headless --no-sandbox --disable-gpu --user-data-dir="$T_TMP/chr" \
		--allow-file-access-from-files --virtual-time-budget=10000 \
		--dump-dom "file://$T_TMP/mouse.html" 2>browser.err |
		sed -n '/<pre id="out">/,/<\/pre>/p' >mouse.out
	is "mouse: a drag from the phase's first cell to its last selects it" \
		"$(grep -o 'drag [0-9.,]*' mouse.out)" "drag $arg"
	is "mouse: a click on each, the end first, selects it too" \
		"$(grep -o 'clicks [0-9.,]*' mouse.out)" "clicks $arg"
	like "mouse: hovering a cell shows its range and count" "$(cat mouse.out)" \
		"hover ${arg%%,*}[0-9.]* s to [0-9.]+ s: [0-9]+ samples?"
	is "mouse: a click on a frame zooms (Reset Zoom shows)" \
		"$(grep -o 'zoom [a-z ]*' mouse.out)" "zoom button"

	# screenshots, to look at: the map, then a selection with its flame graph
	for shot in map:"" sel:"#select=$phase"; do
		timeout 120 "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
			--user-data-dir="$T_TMP/chr" --window-size=1200,1000 \
			--screenshot="$T_TMP/${shot%%:*}.png" "file://$T_TMP/ph.svg${shot#*:}" \
			>/dev/null 2>&1
		ok "screenshot of the ${shot%%:*}" [ -s "${shot%%:*}.png" ]
	done
	[ -n "${HEATMAP_SHOTS:-}" ] && cp map.png sel.png ph.svg "$HEATMAP_SHOTS"/
fi

# data FILE KEY: a value of the SVG's embedded data, as JSON
data() {
	python3 -c 'import json, sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot()
e = r.find(".//{http://www.w3.org/2000/svg}script[@id=\"hm-data\"]")
print(json.dumps(json.loads(e.text)[sys.argv[2]]))' "$1" "$2"
}

# ---- --time and the off-CPU views ----
run_pmuprof timeline -i ph.data --format heatmap --time 0,0.5 -o early.svg
is "--time 0,0.5: exit status" "$RC" 0
unlike "--time 0,0.5: none of the phase's samples" "$(data early.svg funcs)" '"phase_work"'
like "--time 0,0.5: the phase's are in the whole map" "$(data ph.svg funcs)" '"phase_work"'
run_pmuprof timeline -i ph.data --format heatmap --time 1.2,1.5 -o window.svg
is "--time 1.2,1.5: exit status" "$RC" 0
is "--time 1.2,1.5: the one column of second 1, labelled from the recording's start" \
	"$(data window.svg cols) $(data window.svg offset)" "1 1000000000"

run_pmuprof record -q -e cpu-clock --off-cpu -o off.data -- "$WORKLOADS/phase"
if [ "$RC" -ne 0 ]; then
	skip "the off-CPU views" "record --off-cpu failed: $(cat "$ERR")"
else
	run_pmuprof timeline -i off.data --format heatmap -o off-cpu.svg
	is "off-CPU recording, default view: exit status" "$RC" 0
	sub=$(grep -o '<text id="hm-subtitle"[^<]*' off-cpu.svg)
	like "the default view counts CPU samples" "$sub" 'samples per 20.0 ms \(cpu view\)'
	like "and says how to see the waits" "$sub" 'off-CPU time: --view off-cpu or wall'
	is "its report command names the view (report's default is wall)" \
		"$(data off-cpu.svg report)" '"pmuprof report -i off.data --view cpu"'
	run_pmuprof timeline -i off.data --format heatmap --view off-cpu -o waits.svg
	is "--view off-cpu: exit status" "$RC" 0
	like "--view off-cpu counts the time waited, each wait where it began" \
		"$(grep -o '<text id="hm-subtitle"[^<]*' waits.svg)" \
		'off-CPU time per 20.0 ms \(off-cpu view; a wait counts whole in the cell where it began\)'
	is "--view off-cpu: values are time" "$(data waits.svg time)" true
	is "--view off-cpu: its report command" "$(data waits.svg report)" \
		'"pmuprof report -i off.data --view off-cpu"'
fi

# ---- refused ----
expect_error "--view without --format heatmap" 2 \
	"pmuprof: --view chooses what --format heatmap counts; the text view shows every kind" \
	timeline -i ph.data --view cpu
expect_error "--view of no view" 2 "pmuprof: --view takes cpu, off-cpu or wall, not 'idle'" \
	timeline -i ph.data --format heatmap --view idle -o x.svg
run_pmuprof timeline -i missing.data --format heatmap -o x.svg
is "a missing file: exit status" "$RC" 1
like "a missing file: says so" "$(cat "$ERR")" "^pmuprof: cannot open 'missing.data'"
run_pmuprof timeline -i ph.data --format heatmap -o ph.data
is "-o the input itself: exit status" "$RC" 2

done_testing
