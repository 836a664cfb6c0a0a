#!/bin/sh
# `make deb`: the package holds what `make install` installs (binary, both
# manual pages compressed, completion, docs with copyright and changelog),
# its Depends are computed (every library the binary links is there), it
# installs into a throwaway root with `dpkg --root`, runs `tcpscope
# --version` from there and leaves nothing behind when removed, and lintian
# reports no error and no warning.
. "$(dirname "$0")/../lib/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
case "${BUILD_DIR:-build}" in
*-san) skip_all "checked once, in the normal build" ;;
esac

version=$(sed -n 's/^VERSION *:= *//p' "$top/Makefile")
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
out=$TESTTMP/deb
if ! make -s -C "$top" deb DEB_BUILD="$out" >"$TESTTMP/log" 2>&1; then
	fail "make deb" "$(tail -n 20 "$TESTTMP/log")"
	finish
fi
deb=$out/tcpscope_${version}_$arch.deb
[ -f "$deb" ] && pass "make deb built $(basename "$deb") ($(stat -c %s "$deb") bytes)" || fail "make deb" "no $deb"

field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = tcpscope ] && [ "$(field Version)" = "$version" ] && [ "$(field Architecture)" = "$arch" ] &&
	pass "control: tcpscope $version $arch" || fail "control" "$(dpkg-deb -f "$deb")"
[ "$(dpkg-parsechangelog -l "$top/src/dist/debian/changelog" -S Version)" = "$version" ] &&
	pass "src/dist/debian/changelog is at the Makefile's version" || fail "changelog version" "differs from $version"
if sh "$top/src/dist/debian/mkdeb.sh" 9.9.9 "$TESTTMP/nodeb" >/dev/null 2>&1; then
	fail "mkdeb.sh" "packed version 9.9.9 though the changelog says $version"
else
	pass "mkdeb.sh refuses a version the changelog does not have"
fi

# Depends: every shared library the binary needs, by the package owning it.
depends=$(field Depends)
dpkg-deb -x "$deb" "$TESTTMP/x"
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
missing=""
n=0
for lib in $(objdump -p "$TESTTMP/x/usr/bin/tcpscope" | awk '$1 == "NEEDED" { print $2 }'); do
	n=$((n + 1))
	pkg=$(dpkg -S "*/$multiarch/$lib" 2>/dev/null | head -n 1 | cut -d: -f1)
	case ", $depends" in
	*", $pkg "* | *", $pkg,"* | *", $pkg") ;;
	*) missing="$missing $lib($pkg)" ;;
	esac
done
[ "$n" -ge 3 ] && [ -z "$missing" ] && pass "Depends covers all $n linked libraries: $depends" ||
	fail "Depends" "'$depends' lacks$missing"

dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|' >"$TESTTMP/contents"
bad=""
for f in /usr/bin/tcpscope /usr/share/man/man1/tcpscope.1.gz /usr/share/man/man7/tcpscope-filter.7.gz \
	/usr/share/bash-completion/completions/tcpscope /usr/share/zsh/vendor-completions/_tcpscope \
	/usr/share/doc/tcpscope/copyright /usr/share/doc/tcpscope/changelog.gz /usr/share/doc/tcpscope/README.md; do
	grep -qx "$f" "$TESTTMP/contents" || bad="$bad $f"
done
[ -z "$bad" ] && pass "the package holds the binary, both pages, completion, docs" || fail "contents" "missing:$bad"
dpkg-deb -c "$deb" | awk '$2 != "root/root" { bad = 1 } END { exit bad }' &&
	pass "every file is owned by root" || fail "ownership" "$(dpkg-deb -c "$deb" | head -n 3)"

# Installed into a throwaway root; the libraries come from this host.
r=$TESTTMP/root
mkdir -p "$r/var/lib/dpkg/info" "$r/var/lib/dpkg/updates"
: >"$r/var/lib/dpkg/status"
if dpkg --root="$r" --force-depends -i "$deb" >"$TESTTMP/log" 2>&1; then
	pass "dpkg --root installs it"
else
	fail "dpkg --root -i" "$(tail -n 5 "$TESTTMP/log")"
fi
v=$("$r/usr/bin/tcpscope" --version 2>&1); rc=$?
[ $rc -eq 0 ] && [ "$(echo "$v" | head -n 1)" = "tcpscope $version" ] && echo "$v" | grep -q '^  libmnl ' &&
	pass "tcpscope --version from the installed package: $(echo "$v" | head -n 1)" || fail "installed --version" "rc=$rc: $v"
MANPATH="$r/usr/share/man" MANWIDTH=80 man tcpscope 2>/dev/null | grep -q -- '--list-thresholds' &&
	MANPATH="$r/usr/share/man" MANWIDTH=80 man 7 tcpscope-filter 2>/dev/null | grep -q 'portclass' &&
	pass "man tcpscope and man 7 tcpscope-filter read the installed pages" || fail "installed man pages" "not readable"
n=$(dpkg --root="$r" -L tcpscope | wc -l)
dpkg --root="$r" -r tcpscope >"$TESTTMP/log" 2>&1 || fail "dpkg --root -r" "$(tail -n 5 "$TESTTMP/log")"
left=$(find "$r" -path "$r/var" -prune -o -type f -print | head -n 5)
[ -z "$left" ] && [ ! -e "$r/usr/bin" ] && pass "dpkg -r removes all $n paths it installed" || fail "dpkg -r" "left: $left"
# On this Debian, apt resolves its Depends from installed packages.
if apt-get -s install "$deb" >"$TESTTMP/apt" 2>&1 && grep -q '^Inst tcpscope' "$TESTTMP/apt"; then
	pass "apt-get -s install resolves its Depends here"
else
	fail "apt-get -s install" "$(tail -n 5 "$TESTTMP/apt")"
fi

# lintian: no errors, no warnings (info and pedantic tags are listed).
lintian -I --pedantic "$deb" >"$TESTTMP/lintian" 2>"$TESTTMP/lintian.err"; rc=$?
tags=$(grep -Ec '^[EWIPX]: ' "$TESTTMP/lintian")
if [ $rc -eq 0 ] && ! grep -Eq '^[EW]: ' "$TESTTMP/lintian"; then
	pass "lintian: no errors or warnings ($tags info/pedantic tags)"
else
	fail "lintian" "rc=$rc: $(head -n 10 "$TESTTMP/lintian") $(grep -v 'root privileges' "$TESTTMP/lintian.err" | head -n 3)"
fi
cat "$TESTTMP/lintian"
finish
