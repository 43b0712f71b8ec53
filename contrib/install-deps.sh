#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Installs what building and testing pmuprof needs on Debian 12, if missing.
# Usage: contrib/install-deps.sh [--test]   (--test adds the test-only tools)
set -eu

pkgs="gcc make autoconf automake pkg-config libc6-dev linux-libc-dev
libpfm4-dev libcapstone-dev libzstd-dev libelf-dev libdw-dev zlib1g-dev groff-base man-db"
if [ "${1:-}" = "--test" ]; then
	# clang: the sanitizer build; linux-perf: the reference the tests compare
	# with; python3: parses --json output; util-linux: setpriv for the
	# unprivileged tests and tmpfs mounts; procps: pkill; golang-go: go tool
	# pprof, the reference reader of pprof files; libc6-dbg: libc's separate
	# debug file, found by build-id (names start_thread, __libc_start_call_main);
	# jq, xz-utils: the man pages' examples use them
	pkgs="$pkgs clang libclang-rt-14-dev linux-perf python3 util-linux procps golang-go libc6-dbg
jq xz-utils"
	# chromium: a real browser, headless, that renders timeline's heat map SVG and runs its
	# script (selection, flame graph, --time), and opens timeline --format trace files in
	# speedscope (tests/cli/timeline-heatmap.sh, timeline-trace.sh); npm: fetches speedscope
	# (contrib/install-speedscope.sh), unless an npm of another origin (nodesource's) is there
	pkgs="$pkgs chromium"
	command -v npm >/dev/null || pkgs="$pkgs npm"
	# nodejs: a real JIT runtime, whose --perf-basic-prof and --perf-prof write the perf
	# map and the jitdump that report names JavaScript frames from (tests/cli/report-jit.sh),
	# unless a node of another origin is there
	command -v node >/dev/null || pkgs="$pkgs nodejs"
fi

# speedscope, from the npm registry, after the packages (npm may be one of them); a test
# that needs it says why it skips when it could not be had
speedscope() {
	[ "${1:-}" = "--test" ] || return 0
	sh "$(dirname "$0")/install-speedscope.sh" ||
		echo "contrib/install-deps.sh: speedscope is not installed: tests/cli/timeline-trace.sh will skip its checks in speedscope" >&2
}

missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
if [ -z "$missing" ]; then
	speedscope "${1:-}"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "contrib/install-deps.sh: missing packages:$missing (run as root, or apt-get install them)" >&2
	exit 1
fi
echo "contrib/install-deps.sh: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
speedscope "${1:-}"
