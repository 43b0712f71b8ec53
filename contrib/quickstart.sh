#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The README's first command: install what is missing, build pmuprof, and
# run it on the demo workload in contrib/demo/.
set -eu
cd "$(dirname "$0")/.."

sh contrib/install-deps.sh
[ -x configure ] || autoreconf -fi
[ -f Makefile ] || ./configure --quiet
make -s -j"$(nproc)"

echo
echo "== pmuprof stat -- contrib/demo/demo"
./src/pmuprof stat -- ./contrib/demo/demo
