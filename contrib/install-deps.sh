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
	# jq, xz-utils: the man pages' examples use them; chromium: a real browser, headless, that
	# renders timeline's heat map SVG and runs its script (selection, flame graph, --time)
	pkgs="$pkgs clang libclang-rt-14-dev linux-perf python3 util-linux procps golang-go libc6-dbg
jq xz-utils chromium"
fi

missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "contrib/install-deps.sh: missing packages:$missing (run as root, or apt-get install them)" >&2
	exit 1
fi
echo "contrib/install-deps.sh: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
