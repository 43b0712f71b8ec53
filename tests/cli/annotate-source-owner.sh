#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# annotate --source reads a source file that DWARF names only when everyone
# may read it or it belongs to the owner of the object: a binary of another
# user built with `#line 1 "/etc/shadow"` cannot make root print that file.
. "$srcdir/tests/lib.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root to own files as another user"
cc=$(command -v cc || command -v gcc) || skip_all "no C compiler"

cd "$T_TMP" || exit 1
chmod 755 "$T_TMP"
i=1
while [ $i -le 40 ]; do
	echo "TOPSECRET line $i"
	i=$((i + 1))
done >secret.c
chmod 600 secret.c
cp secret.c public.c
chmod 644 public.c
# every line of the program is charged to the named file's lines 1 to 10
mk() {
	cat >"prog-$1.c" <<EOC
#line 1 "$T_TMP/$2"
int main(void) { volatile unsigned long x = 0;
for (unsigned long i = 0; i < 200000000UL; i++)
x += i;
return (int)(x & 1); }
EOC
	"$cc" -g -O0 -o "$1" "prog-$1.c"
}
mk theirs secret.c
mk public public.c
mk mine secret.c
chown nobody theirs public

for b in theirs public mine; do
	run_pmuprof record -q -e cpu-clock -F 1000 -o $b.data -- ./$b
	is "record $b: exit status" "$RC" 0
	run_pmuprof annotate -i $b.data --color never --source main
	is "annotate --source $b: exit status" "$RC" 0
	cp "$OUT" $b.txt
done
unlike "another user's binary: root's 0600 file it names is not shown" "$(cat theirs.txt)" \
	"TOPSECRET"
like "another user's binary: a file that everyone may read is shown" "$(cat public.txt)" \
	"public\.c:[0-9]+ +TOPSECRET"
like "root's binary: root's 0600 file is shown" "$(cat mine.txt)" "secret\.c:[0-9]+ +TOPSECRET"

done_testing
