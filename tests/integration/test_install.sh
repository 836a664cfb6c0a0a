#!/bin/sh
# `make install` and `make uninstall` (PREFIX, DESTDIR): install writes the
# binary, both manual pages, the docs, bash and zsh completion and every
# systemd unit of src/dist/systemd where each belongs, and nothing else;
# `man` finds the pages there; uninstall removes exactly those files and
# leaves what else was in the tree.
. "$(dirname "$0")/../lib/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
case "${BUILD_DIR:-build}" in
*-san) skip_all "checked once, in the normal build" ;;
esac

root=$TESTTMP/root
p=/opt/tcps
# Somebody else's files in the same tree, which uninstall must not touch.
mkdir -p "$root$p/bin" "$root$p/share/man/man1" "$root$p/share/doc/other"
echo other >"$root$p/bin/other"
echo other >"$root$p/share/man/man1/other.1"
echo other >"$root$p/share/doc/other/README"
# A unit, as the exporter and recorder will drop them into src/dist/systemd.
printf '[Unit]\nDescription=test\n' >"$TESTTMP/tcpscope-test.service"
mk() { make -s -C "$top" "$@" PREFIX=$p DESTDIR="$root" UNITS="$TESTTMP/tcpscope-test.service"; }

mk install >"$TESTTMP/log" 2>&1 || fail "make install" "$(tail -n 5 "$TESTTMP/log")"
(cd "$root" && find . -type f | sed 's|^\./|/|' | LC_ALL=C sort) >"$TESTTMP/files"
{
	echo "$p/bin/other"
	echo "$p/bin/tcpscope"
	echo "$p/lib/systemd/system/tcpscope-test.service"
	echo "$p/share/bash-completion/completions/tcpscope"
	echo "$p/share/doc/other/README"
	echo "$p/share/doc/tcpscope/FILTER.md"
	echo "$p/share/doc/tcpscope/README.md"
	for m in "$top"/docs/man/*.[1-9]; do
		echo "$p/share/man/man${m##*.}/$(basename "$m")"
	done
	echo "$p/share/man/man1/other.1"
	echo "$p/share/zsh/site-functions/_tcpscope"
} | LC_ALL=C sort >"$TESTTMP/want"
if cmp -s "$TESTTMP/want" "$TESTTMP/files"; then
	pass "make install writes binary, man pages, docs, completion, units: $(wc -l <"$TESTTMP/files") files"
else
	fail "make install files" "$(diff "$TESTTMP/want" "$TESTTMP/files" | grep '^[<>]' | tr '\n' ' ')"
fi
[ -f "$root$p/share/man/man1/tcpscope.1" ] && [ -f "$root$p/share/man/man7/tcpscope-filter.7" ] &&
	pass "both manual pages installed (tcpscope.1, tcpscope-filter.7)" || fail "manual pages" "missing"
"$root$p/bin/tcpscope" --version | head -n 1 | grep -q '^tcpscope ' &&
	pass "the installed binary runs" || fail "installed binary" "--version failed"
[ "$(stat -c %a "$root$p/bin/tcpscope")" = 755 ] && [ "$(stat -c %a "$root$p/share/man/man1/tcpscope.1")" = 644 ] &&
	pass "modes 0755 (binary) and 0644 (pages)" || fail "modes" "$(stat -c '%a %n' "$root$p/bin/tcpscope" "$root$p/share/man/man1/tcpscope.1")"
for page in tcpscope tcpscope-filter; do
	w=$(MANPATH="$root$p/share/man" man -w "$page" 2>&1)
	case $w in
	"$root$p/share/man/"*) pass "man -w $page finds the installed page" ;;
	*) fail "man -w $page" "$w" ;;
	esac
done
MANPATH="$root$p/share/man" MANWIDTH=80 man tcpscope 2>/dev/null | grep -q -- '--threshold' &&
	pass "man tcpscope shows the installed page" || fail "man tcpscope" "no page text"

mk uninstall >"$TESTTMP/log" 2>&1 || fail "make uninstall" "$(tail -n 5 "$TESTTMP/log")"
left=$(cd "$root" && find . -type f | sed 's|^\./|/|' | LC_ALL=C sort | tr '\n' ' ')
want="$p/bin/other $p/share/doc/other/README $p/share/man/man1/other.1 "
[ "$left" = "$want" ] && pass "make uninstall removes exactly what install wrote" ||
	fail "make uninstall" "left: $left"
[ ! -d "$root$p/share/doc/tcpscope" ] && pass "make uninstall removes the emptied doc directory" ||
	fail "uninstall doc dir" "still there"
# The units of src/dist/systemd (the exporter's) go to PREFIX/lib/systemd/system,
# 0644, naming the binary where this install put it.
make -s -C "$top" install PREFIX=$p DESTDIR="$TESTTMP/root2" >/dev/null 2>&1
u="$TESTTMP/root2$p/lib/systemd/system/tcpscope-exporter.service"
if [ -f "$u" ] && [ "$(stat -c %a "$u")" = 644 ] && grep -q "^ExecStart=$p/bin/tcpscope " "$u" &&
	! grep -q /usr/local/bin "$u"; then
	pass "the exporter's unit installed, 0644, ExecStart=$p/bin/tcpscope"
else
	fail "unit install" "$(ls -R "$TESTTMP/root2$p" 2>&1 | head -c 300) $(grep ExecStart "$u" 2>&1)"
fi
finish
