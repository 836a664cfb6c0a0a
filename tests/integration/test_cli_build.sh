#!/bin/sh
# The command line's basics and the build's promises: --help/--version,
# exit codes, `make deps` doing nothing when everything is present,
# `make install` honouring PREFIX and DESTDIR.
. "$(dirname "$0")/../lib/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)

out=$("$TCPSCOPE" --help); rc=$?
[ $rc -eq 0 ] && echo "$out" | grep -q -- '--netns' && pass "--help exits 0 and documents options" || fail "--help" "rc=$rc"
out=$("$TCPSCOPE" -V); rc=$?
[ $rc -eq 0 ] && echo "$out" | grep -Eq '^tcpscope [0-9]+\.[0-9]+' && pass "-V prints the version" || fail "-V" "$out"
for bad in "--bogus" "-n" "-n abc" "-d 0" "-d -1" "--source kernel"; do
	# shellcheck disable=SC2086
	"$TCPSCOPE" $bad >/dev/null 2>"$TESTTMP/err"; rc=$?
	word=${bad#* }; word=${word#--}
	[ $rc -eq 2 ] && grep -q -- "$word" "$TESTTMP/err" && pass "bad usage '$bad': exit 2 naming it" \
		|| fail "bad usage '$bad'" "rc=$rc: $(cat "$TESTTMP/err")"
done
# A one-shot snapshot when piped, even without -n.
lines=$("$TCPSCOPE" -j | wc -l)
[ "$lines" -eq 1 ] && pass "piped output implies one snapshot" || fail "piped one-shot" "$lines lines"

case "${BUILD_DIR:-build}" in
*-san) skip "make deps / make install" "checked once, in the normal build" ;;
*)
	out=$(make -s -C "$top" deps 2>&1); rc=$?
	[ $rc -eq 0 ] && [ -z "$out" ] && pass "make deps is silent when everything is installed" || fail "make deps" "rc=$rc: $out"
	make -s -C "$top" install PREFIX=/opt/tcps DESTDIR="$TESTTMP/root" >/dev/null 2>&1
	[ -x "$TESTTMP/root/opt/tcps/bin/tcpscope" ] && "$TESTTMP/root/opt/tcps/bin/tcpscope" -V >/dev/null \
		&& pass "make install honours PREFIX and DESTDIR" || fail "make install" "no binary under DESTDIR/PREFIX/bin"
	;;
esac
finish
