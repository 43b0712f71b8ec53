#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Reads a trace event file of pmuprof timeline --format trace (tests/cli/timeline-trace.sh).

  trace-check.py check FILE        the structure: prints one line per fault, exits 1 on any
  trace-check.py threads FILE      "PID TID NAME" per thread_name event
  trace-check.py spans FILE CAT    "TID NAME STATE DUR_NS STACK" per X event of CAT
                                   (on-cpu, off-cpu); STACK is the frames joined by ';'
  trace-check.py instants FILE CAT "TID TS_NS NAME ARGS" per instant of CAT (ARGS as JSON)
  trace-check.py flows FILE CAT    "FROM_TID TO_TID TS_NS" per flow of CAT
  trace-check.py samples FILE      "IN OUT": CPU samples within an on-CPU span of their thread,
                                   and not
  trace-check.py start FILE        otherData.start_ns: the CLOCK_MONOTONIC ns of ts 0
  trace-check.py shown FILE DOM    what speedscope showed of FILE (DOM: chromium's dump of
                                   tests/speedscope-harness.html) against the file: a profile
                                   per thread, named by its process and thread; its sandwich
                                   view's frames, each an X event's name with its args, exactly
                                   those of the thread's X events, each with their summed
                                   durations (within speedscope's rounding to 3 digits); prints
                                   "TID NAME ROWS" per thread shown and a line per fault

Times are printed in nanoseconds, and compared in 1024ths of a microsecond, the unit the
writer counts in, so that comparisons are exact.
"""
import json
import sys

PHASES = {"X", "i", "s", "t", "f", "M"}


def ns(v):
    return int(round(float(v) * 1000))


def units(v):
    """a time in 1024ths of a microsecond: exact for the writer's times, so that orders,
    overlaps and sums are exact too (nanoseconds rounded one by one are not)"""
    return int(round(float(v) * 1024))


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def check(doc):
    faults = []
    if not isinstance(doc, dict) or not isinstance(doc.get("traceEvents"), list):
        return ["no traceEvents array in an object"]
    events = doc["traceEvents"]
    threads, processes = set(), set()
    last_ts = {}
    spans = {}
    flows = {}
    for n, e in enumerate(events):
        where = "event %d" % n
        if not isinstance(e, dict):
            faults.append(where + ": not an object")
            continue
        ph = e.get("ph")
        if ph not in PHASES:
            faults.append("%s: phase %r" % (where, ph))
            continue
        for key in ("name", "pid", "tid"):
            if key not in e:
                faults.append("%s (%s): no %s" % (where, ph, key))
        if not isinstance(e.get("name"), str) or not e.get("name"):
            faults.append("%s (%s): name %r" % (where, ph, e.get("name")))
        if not isinstance(e.get("pid"), int) or not isinstance(e.get("tid"), int):
            faults.append("%s (%s): pid or tid not an integer" % (where, ph))
            continue
        track = (e["pid"], e["tid"])
        if ph == "M":
            args = e.get("args")
            if e["name"] not in ("process_name", "thread_name"):
                faults.append("%s: metadata %r" % (where, e["name"]))
            elif not isinstance(args, dict) or not isinstance(args.get("name"), str):
                faults.append("%s: metadata without args.name" % where)
            elif e["name"] == "process_name":
                processes.add(e["pid"])
            else:
                threads.add(track)
            continue
        ts = e.get("ts")
        if not isinstance(ts, (int, float)) or ts < 0:
            faults.append("%s (%s): ts %r" % (where, ph, ts))
            continue
        t = units(ts)
        if track not in threads:
            faults.append("%s (%s): thread %d/%d has no thread_name before it" % ((where, ph) + track))
        if t < last_ts.get(track, 0):
            faults.append("%s (%s): ts %s goes back on thread %d" % (where, ph, ts, e["tid"]))
        last_ts[track] = t
        if not isinstance(e.get("cat"), str):
            faults.append("%s (%s): no cat" % (where, ph))
        if ph == "X":
            dur = e.get("dur")
            args = e.get("args")
            if not isinstance(dur, (int, float)) or dur <= 0:
                faults.append("%s: dur %r" % (where, dur))
                continue
            if not isinstance(args, dict) or args.get("state") not in ("running", "blocked", "runnable"):
                faults.append("%s: args.state missing or wrong" % where)
            elif (args["state"] == "running") != (e.get("cat") == "on-cpu"):
                faults.append("%s: state %s in cat %s" % (where, args["state"], e.get("cat")))
            spans.setdefault(track, []).append((t, t + units(dur), n))
        elif ph == "i":
            if e.get("s") not in ("t", "p", "g"):
                faults.append("%s: instant scope %r" % (where, e.get("s")))
            if e.get("cat") == "cpu-sample":
                stack = (e.get("args") or {}).get("stack")
                if not isinstance(stack, list) or not stack or not all(isinstance(f, str) for f in stack):
                    faults.append("%s: a sample without a stack of names" % where)
        else:
            if "id" not in e:
                faults.append("%s (%s): flow without id" % (where, ph))
                continue
            flows.setdefault((e.get("cat"), e["id"]), []).append((ph, t, n))
    for pid, tid in threads:
        if pid not in processes:
            faults.append("process %d has no process_name" % pid)
    for track, xs in spans.items():
        xs.sort()
        for a, b in zip(xs, xs[1:]):
            if b[0] < a[1]:
                faults.append("events %d and %d overlap on thread %d" % (a[2], b[2], track[1]))
    for key, fs in flows.items():
        phases = [f[0] for f in fs]
        if phases.count("s") != 1 or phases.count("f") != 1 or phases[0] != "s" or phases[-1] != "f":
            faults.append("flow %s %s: phases %s" % (key[0], key[1], "".join(phases)))
        elif fs[-1][1] < fs[0][1]:
            faults.append("flow %s %s ends before it starts" % key)
    return faults


def key(e):
    """speedscope's name of an X event's frame: its name, a space and JSON.stringify(args)"""
    if "args" not in e:
        return e["name"]
    return e["name"] + " " + json.dumps(e["args"], separators=(",", ":"), ensure_ascii=False)


def speedscope_us(text):
    """a time as speedscope prints it ("27.81µs", "4.34ms", "2.00s") in microseconds"""
    for unit, scale in (("µs", 1.0), ("ms", 1e3), ("s", 1e6)):
        if text.endswith(unit):
            try:
                return float(text[: -len(unit)]) * scale
            except ValueError:
                return None
    return None


def shown(doc, dom_path):
    import html
    import re

    with open(dom_path, encoding="utf-8") as f:
        m = re.search(r'<pre id="shown">(.*?)</pre>', f.read(), re.S)
    if not m:
        return ["the page has no harness output"], []
    lines = html.unescape(m.group(1)).split("\n")
    faults, out = [], []
    events = doc["traceEvents"]
    pnames = {e["pid"]: e["args"]["name"] for e in events
              if e.get("ph") == "M" and e["name"] == "process_name"}
    tnames = {(e["pid"], e["tid"]): e["args"]["name"] for e in events
              if e.get("ph") == "M" and e["name"] == "thread_name"}
    want = {}
    for e in events:
        if e.get("ph") == "X":
            t = want.setdefault((e["pid"], e["tid"]), {})
            t[key(e)] = t.get(key(e), 0) + ns(e["dur"]) / 1000.0
    if "== done" not in lines:
        return ["speedscope did not show every profile: " + " | ".join(lines[-5:])], []
    profiles, cur, section = {}, None, None
    for line in lines:
        if line.startswith("== "):
            head = line[3:]
            if head in ("profiles", "sandwich"):
                section = head
            elif head == "done":
                cur = None
            else:
                m = re.match(r"^(.*) \(pid (\d+)\), (.*) \(tid (\d+)\)( \(\d+/\d+\))?$", head)
                if not m:
                    faults.append("a profile named %r" % head)
                    cur = None
                    continue
                cur = (int(m.group(2)), int(m.group(4)))
                profiles[cur] = {"title": (m.group(1), m.group(3)), "rows": {}}
                section = None
            continue
        cells = line.split("\t")
        if cur is None or section != "sandwich" or len(cells) != 3 or cells[0] == "Total":
            continue
        total = speedscope_us(cells[0].split(" (")[0])
        profiles[cur]["rows"][cells[2]] = total
    if set(profiles) != set(want):
        faults.append("profiles of threads %s, the file's X events are of %s"
                      % (sorted(profiles), sorted(want)))
    for track, prof in sorted(profiles.items()):
        wanted = (pnames.get(track[0]), tnames.get(track))
        if prof["title"] != wanted:
            faults.append("thread %d shown as %r, the file names it %r" % (track[1], prof["title"], wanted))
        rows, spans = prof["rows"], want.get(track, {})
        for k in sorted(set(spans) - set(rows)):
            faults.append("thread %d: no frame %s" % (track[1], k[:200]))
        for k in sorted(set(rows) - set(spans)):
            faults.append("thread %d: a frame %s that the file has no event for" % (track[1], k[:200]))
        for k in sorted(set(rows) & set(spans)):
            got, exp = rows[k], spans[k]
            # three significant digits: half a unit of the third
            if got is None or abs(got - exp) > max(exp * 0.006, 0.006):
                faults.append("thread %d: %s for %s, the file's events last %.3f us"
                              % (track[1], got, k[:200], exp))
        out.append("%d %s %d" % (track[1], prof["title"][1], len(rows)))
    return faults, out


def main():
    what, path = sys.argv[1], sys.argv[2]
    doc = load(path)
    events = doc.get("traceEvents", []) if isinstance(doc, dict) else []
    if what == "check":
        faults = check(doc)
        for f in faults[:50]:
            print(f)
        return 1 if faults else 0
    if what == "threads":
        for e in events:
            if e.get("ph") == "M" and e.get("name") == "thread_name":
                print(e["pid"], e["tid"], e["args"]["name"])
    elif what == "spans":
        for e in events:
            if e.get("ph") == "X" and e.get("cat") == sys.argv[3]:
                args = e.get("args", {})
                print(e["tid"], e["name"], args.get("state"), ns(e["dur"]),
                      ";".join(args.get("stack", [])) or "-")
    elif what == "instants":
        for e in events:
            if e.get("ph") == "i" and e.get("cat") == sys.argv[3]:
                print(e["tid"], ns(e["ts"]), e["name"], json.dumps(e.get("args", {}), sort_keys=True))
    elif what == "flows":
        starts = {}
        for e in events:
            if e.get("ph") in ("s", "f") and e.get("cat") == sys.argv[3]:
                if e["ph"] == "s":
                    starts[e["id"]] = e
                elif e["id"] in starts:
                    s = starts.pop(e["id"])
                    print(s["tid"], e["tid"], ns(s["ts"]))
    elif what == "samples":
        running = {}
        for e in events:
            if e.get("ph") == "X" and e.get("cat") == "on-cpu":
                t = units(e["ts"])
                running.setdefault(e["tid"], []).append((t, t + units(e["dur"])))
        inside = outside = 0
        for e in events:
            if e.get("ph") == "i" and e.get("cat") == "cpu-sample":
                t = units(e["ts"])
                if any(a <= t <= b for a, b in running.get(e["tid"], [])):
                    inside += 1
                else:
                    outside += 1
        print(inside, outside)
    elif what == "shown":
        faults, out = shown(doc, sys.argv[3])
        for line in out:
            print(line)
        for f in faults[:50]:
            print("fault:", f)
        return 1 if faults else 0
    elif what == "start":
        print(doc["otherData"]["start_ns"])
    else:
        print("trace-check.py: unknown request %r" % what, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
