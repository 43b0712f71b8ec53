# SPDX-License-Identifier: GPL-2.0-or-later
# pmuprof report --format folded|speedscope|json|svg on a workload with a known
# hot function: each file is well formed for its readers, names burn(), and the
# formats agree with each other on the totals.
. "$srcdir/tests/lib.sh"

run_pmuprof record -q -o "$T_TMP/probe.data" -- true
[ "$RC" -eq 0 ] || skip_all "perf_event_open sampling is not usable here: $(cat "$ERR")"
command -v python3 >/dev/null || skip_all "python3 is needed to parse JSON and XML"
cd "$T_TMP" || exit 1

# check DESC SCRIPT FILE: runs a python3 checker; its stdout is left in $OUT
check() {
	run python3 "$2" "$3"
	if [ "$RC" -eq 0 ]; then pass "$1"; else fail "$1" "$(cat "$ERR")"; fi
}

# burn 2 300: two threads, each 300 ms of CPU in burn(), called from main()
# and from the second thread's start routine
run_pmuprof record -q -o x.data -- "$WORKLOADS/burn" 2 300
is "record: exit status" "$RC" 0

for fmt in folded speedscope json svg; do
	run_pmuprof report -i x.data --format $fmt -o x.$fmt
	is "--format $fmt: exit status" "$RC" 0
	is "--format $fmt: nothing on stdout with -o" "$(cat "$OUT")" ""
	ok "--format $fmt: file written" [ -s x.$fmt ]
done

# ---- folded ----
bad=$(grep -Evc '^[^ ]+( [0-9]+)$' x.folded)
is "folded: every line matches ^[^ ]+( [0-9]+)\$" "$bad" 0
like "folded: burn() is a leaf under the comm" "$(cat x.folded)" '^burn;.*;burn [0-9]+$'
is "folded: lines are sorted and distinct" "$(LC_ALL=C sort -u x.folded | cmp -s - x.folded && echo yes)" yes
folded_total=$(awk '{ n += $NF } END { print n + 0 }' x.folded)

# ---- json ----
cat >check_json.py <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
keys = ["event", "weight_unit", "title", "samples", "weight", "time_start", "time_end",
        "functions", "locations", "stacks"]
missing = [k for k in keys if k not in d]
if missing:
    sys.exit("missing keys: %s" % missing)
st, fn, lo = d["stacks"], d["functions"], d["locations"]
assert sum(s["samples"] for s in st) == d["samples"], "stack samples do not add up"
assert sum(s["weight"] for s in st) == d["weight"], "stack weights do not add up"
for s in st:
    assert s["frames"] and all(0 <= f < len(lo) for f in s["frames"]), "bad frame index"
for l in lo:
    assert 0 <= l["function"] < len(fn), "bad function index"
    int(l["address"], 16)
names = {fn[lo[s["frames"][0]]["function"]]["name"] for s in st}
assert "burn" in names, "burn() is no leaf: %s" % sorted(names)
print(d["samples"], d["weight"])
EOF
check "json: parses, has the keys, totals and indexes consistent" check_json.py x.json
json_samples=$(cut -d' ' -f1 "$OUT")
json_weight=$(cut -d' ' -f2 "$OUT")
ok "json: samples recorded ($json_samples)" [ "${json_samples:-0}" -gt 0 ]
is "folded and json agree on the samples" "$folded_total" "$json_samples"

# ---- speedscope ----
cat >check_speedscope.py <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
for k in ["$schema", "shared", "profiles", "name", "activeProfileIndex", "exporter"]:
    assert k in d, "missing key " + k
assert d["$schema"] == "https://www.speedscope.app/file-format-schema.json"
frames = d["shared"]["frames"]
assert all("name" in f for f in frames)
total = 0
ends = []
for p in d["profiles"]:
    assert p["type"] == "sampled" and p["unit"] in ("nanoseconds", "none")
    assert p["startValue"] == 0 and len(p["samples"]) == len(p["weights"])
    assert sum(p["weights"]) == p["endValue"], "weights do not add up to endValue"
    assert all(0 <= i < len(frames) for s in p["samples"] for i in s)
    assert " (tid " in p["name"]
    total += p["endValue"]
    ends.append(p["endValue"])
assert ends == sorted(ends, reverse=True), "busiest thread is not first"
leaves = {frames[s[-1]]["name"] for p in d["profiles"] for s in p["samples"] if s}
assert "burn" in leaves, "burn() is no leaf"
print(len(d["profiles"]), total)
EOF
check "speedscope: parses, has the keys, weights consistent" check_speedscope.py x.speedscope
ok "speedscope: a profile per thread, two threads ran" [ "$(cut -d' ' -f1 "$OUT")" -ge 2 ]
is "speedscope and json agree on the weight" "$(cut -d' ' -f2 "$OUT")" "$json_weight"

# ---- svg ----
cat >check_svg.py <<'EOF'
import sys
import xml.etree.ElementTree as ET
ns = "{http://www.w3.org/2000/svg}"
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == ns + "svg", root.tag
assert root.find(ns + "script") is not None, "no script"
titles = [t.text for t in root.iter(ns + "title")]
assert any(t.startswith("burn (burn): ") for t in titles), "no burn() frame"
assert any(t.startswith("all: ") and t.endswith("100.00%") for t in titles), "no root frame"
print(len(titles))
EOF
check "svg: parses as XML, has a script, names burn()" check_svg.py x.svg
if command -v node >/dev/null; then
	sed -n '/<!\[CDATA\[/,/\]\]>/p' x.svg | sed '1d;$d' >fg.js
	run node --check fg.js
	is "svg: its script is valid JavaScript" "$RC" 0
fi

# ---- errors ----
run_pmuprof report -i x.data --format svg -o "$T_TMP/no/such/dir/x.svg"
is "-o into a missing directory: exit status" "$RC" 1
like "-o into a missing directory: names the path" "$(cat "$ERR")" "^pmuprof: .*'$T_TMP/no/such/dir/x.svg'"
if [ -w /dev/full ]; then
	run_pmuprof report -i x.data --format folded -o /dev/full
	is "-o /dev/full (a failed write): exit status" "$RC" 1
	like "-o /dev/full: names the path" "$(cat "$ERR")" "^pmuprof: .*'/dev/full'"
fi
run_pmuprof report -i x.data --format bogus
is "unknown --format: exit status" "$RC" 2
err=$(cat "$ERR")
like "unknown --format: names it" "$err" "bogus"
for fmt in folded speedscope json svg; do
	like "unknown --format: lists $fmt" "$err" "$fmt"
done

done_testing
