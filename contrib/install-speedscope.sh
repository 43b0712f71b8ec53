#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Installs speedscope's release build (the files of its npm package's
# dist/release: a static web page) where tests/cli/timeline-trace.sh finds
# it: the test opens pmuprof's trace event files in it, in headless chromium.
# Nothing is run from the package; npm checks its integrity on download.
#
# Usage: contrib/install-speedscope.sh [--dir]
#   --dir   print the directory (installed or not) and do nothing else
# The directory is $PMUPROF_TEST_TOOLS/speedscope-VERSION, by default under
# ${XDG_CACHE_HOME:-$HOME/.cache}/pmuprof-test.
set -eu

version=1.25.0
tools=${PMUPROF_TEST_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/pmuprof-test}
dest=$tools/speedscope-$version

if [ "${1:-}" = "--dir" ]; then
	echo "$dest"
	exit 0
fi
[ -f "$dest/index.html" ] && exit 0
if ! command -v npm >/dev/null; then
	echo "contrib/install-speedscope.sh: cannot download speedscope: npm is not installed (apt-get install npm)" >&2
	exit 1
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pmuprof-speedscope.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "contrib/install-speedscope.sh: installing speedscope $version into $dest"
if ! (cd "$tmp" && npm pack --silent "speedscope@$version" >/dev/null); then
	echo "contrib/install-speedscope.sh: cannot download speedscope@$version from the npm registry" >&2
	exit 1
fi
tar -xzf "$tmp/speedscope-$version.tgz" -C "$tmp"
if [ ! -f "$tmp/package/dist/release/index.html" ]; then
	echo "contrib/install-speedscope.sh: speedscope@$version has no dist/release/index.html" >&2
	exit 1
fi
mkdir -p "$tools"
rm -rf "$dest.new"
cp -R "$tmp/package/dist/release" "$dest.new"
cp "$tmp/package/LICENSE" "$dest.new/LICENSE"
rm -rf "$dest"
mv "$dest.new" "$dest"
