#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The README's first command: install what is missing, build pmuprof, and
# run it on the demo workload in contrib/demo/: count it, record it, print
# the call-graph report and write an SVG flame graph.
set -eu
cd "$(dirname "$0")/.."

sh contrib/install-deps.sh
[ -x configure ] || autoreconf -fi
[ -f Makefile ] || ./configure --quiet
make -s -j"$(nproc)"

echo
echo "== pmuprof stat -- contrib/demo/demo"
./src/pmuprof stat -- ./contrib/demo/demo

echo
echo "== pmuprof record -o /tmp/pmuprof-demo.data -- contrib/demo/demo"
./src/pmuprof record -o /tmp/pmuprof-demo.data -- ./contrib/demo/demo
echo
echo "== pmuprof report -i /tmp/pmuprof-demo.data --percent-limit 5"
./src/pmuprof report -i /tmp/pmuprof-demo.data --percent-limit 5
echo
echo "== pmuprof report -i /tmp/pmuprof-demo.data --format svg -o /tmp/pmuprof-demo.svg"
./src/pmuprof report -i /tmp/pmuprof-demo.data --format svg -o /tmp/pmuprof-demo.svg
echo "The flame graph is /tmp/pmuprof-demo.svg: open it in a web browser (click to zoom, Ctrl-F to search)."

