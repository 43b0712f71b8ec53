# SPDX-License-Identifier: GPL-2.0-or-later
# A program for the heat map in README.md: for 6 s it does 20 ms of
# arithmetic every 80 ms and, from 0.5 s into each second (of its own clock,
# which starts after building its list), sorts a list of 400,000 floats for
# 200 ms: a phase that a whole-run profile blurs and a heat map shows.
#   pmuprof record -e cpu-clock -- python3 contrib/examples/periodic.py
#   pmuprof timeline --format heatmap -o map.svg
import random, time
data = [random.random() for _ in range(400000)]
t0 = time.monotonic()
def busy(until):
    x = 0
    while time.monotonic() < until:
        x += sum(i * i for i in range(200))
    return x
def flush(until):
    while time.monotonic() < until:
        sorted(data)
while True:
    now = time.monotonic() - t0
    if now >= 6:
        break
    frac = now % 1.0
    if 0.5 <= frac < 0.7:
        flush(t0 + int(now) + 0.7)
    else:
        busy(time.monotonic() + 0.02)
        time.sleep(0.06)
