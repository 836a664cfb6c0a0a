#!/bin/sh
# The manual pages (docs/man/, mdoc) against the binary: every option of
# `tcpscope --help` is documented in tcpscope(1)'s OPTIONS and every option
# documented there exists, the SYNOPSIS names every short flag, both pages
# are clean under `mandoc -T lint` and `man --warnings`, and every example
# command line in them is accepted by tcpscope. Also `--version`'s feature
# lines.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/options.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
page1=$top/docs/man/tcpscope.1
page7=$top/docs/man/tcpscope-filter.7

"$TCPSCOPE" --help >"$TESTTMP/help" || fail "--help" "exit $?"

# --- the drift check, first on doctored input: it must notice both ways.
{ cat "$TESTTMP/help"; echo "  -Z, --zap-all           a new option"; } >"$TESTTMP/help+"
drift=$(option_drift "$TESTTMP/help+" "$page1")
echo "$drift" | grep -qx 'missing from the page: --zap-all' &&
	echo "$drift" | grep -qx 'missing from the page: -Z' &&
	pass "drift check flags an option --help has and the page lacks" ||
	fail "drift check (new option)" "said: $drift"
grep -v '^\.It Fl \\-readonly$' "$page1" >"$TESTTMP/page-"
drift=$(option_drift "$TESTTMP/help" "$TESTTMP/page-")
[ "$drift" = "missing from the page: --readonly" ] &&
	pass "drift check flags an option the page dropped" || fail "drift check (dropped)" "said: $drift"
sed 's/^\.It Fl \\-readonly$/.It Fl \\-read-only/' "$page1" >"$TESTTMP/page~"
drift=$(option_drift "$TESTTMP/help" "$TESTTMP/page~")
echo "$drift" | grep -qx 'not in --help: --read-only' &&
	pass "drift check flags a documented option --help does not have" ||
	fail "drift check (stale)" "said: $drift"
n=$(help_options "$TESTTMP/help" | wc -l)
[ "$n" -ge 30 ] && pass "--help lists $n options" || fail "--help parsing" "only $n options found"

# --- the real thing.
drift=$(option_drift "$TESTTMP/help" "$page1")
[ -z "$drift" ] && pass "tcpscope(1) OPTIONS and --help list the same $n options" ||
	fail "tcpscope(1) and --help disagree" "$(echo "$drift" | tr '\n' ';')"
help_options "$TESTTMP/help" | grep -E '^-[A-Za-z]$' >"$TESTTMP/short"
synopsis_flags "$page1" >"$TESTTMP/syn"
if cmp -s "$TESTTMP/short" "$TESTTMP/syn"; then
	pass "SYNOPSIS names every short option"
else
	fail "SYNOPSIS short options" "--help: $(tr '\n' ' ' <"$TESTTMP/short"); SYNOPSIS: $(tr '\n' ' ' <"$TESTTMP/syn")"
fi

for p in "$page1" "$page7"; do
	name=$(basename "$p")
	out=$(mandoc -T lint -W warning "$p" 2>&1); rc=$?
	[ $rc -eq 0 ] && [ -z "$out" ] && pass "mandoc -T lint: $name has no warnings or errors" ||
		fail "mandoc -T lint $name" "rc=$rc: $out"
	# Style notes too, except links to pages this machine lacks (the pair
	# link each other before they are installed) and mandoc's own index.
	out=$(mandoc -T lint -W style "$p" 2>&1 | grep -v -e 'referenced manual not found' -e 'mandoc.db')
	[ -z "$out" ] && pass "mandoc -T lint -W style: $name is clean" || fail "mandoc style $name" "$out"
	out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$p" 2>&1 >"$TESTTMP/rendered"); rc=$?
	[ $rc -eq 0 ] && [ -z "$out" ] && pass "man --warnings: $name renders without a warning" ||
		fail "man --warnings $name" "rc=$rc: $out"
	# Every example command line is one tcpscope accepts (run piped: one
	# batch snapshot; the few that poll forever are cut short).
	awk '/^\.Bd -literal/ { lit = 1; next } /^\.Ed/ { lit = 0 } lit && /^tcpscope /' "$p" >"$TESTTMP/examples"
	ne=0
	while IFS= read -r line; do
		case $line in *'$('*) continue ;; esac
		args=${line#tcpscope }
		args=${args%% | *}
		ne=$((ne + 1))
		eval "set -- $args"
		timeout -k 2 3 "$TCPSCOPE" "$@" </dev/null >/dev/null 2>"$TESTTMP/err"; rc=$?
		case $rc in
		0 | 124) pass "$name example: $line" ;;
		*) fail "$name example: $line" "exit $rc: $(head -c 300 "$TESTTMP/err")" ;;
		esac
	done <"$TESTTMP/examples"
	[ "$ne" -ge 3 ] && pass "$name has $ne runnable examples" || fail "$name examples" "only $ne found"
done
LC_ALL=C.UTF-8 MANWIDTH=80 man -l "$page1" 2>/dev/null | grep -q 'tcpscope .* live TCP connection monitor' &&
	pass "tcpscope(1) renders its NAME line" || fail "tcpscope(1) NAME" "not found in the rendered page"
# Both checkers do complain about a broken page (so silence above means clean).
{ cat "$page1"; printf '.Xyz bogus\n.Bl -tag\n.It x\n'; } >"$TESTTMP/broken.1"
out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$TESTTMP/broken.1" 2>&1 >/dev/null)
[ -n "$out" ] && pass "man --warnings reports a broken page" || fail "man --warnings" "silent on a broken page"
if mandoc -T lint -W warning "$TESTTMP/broken.1" >/dev/null 2>&1; then
	fail "mandoc -T lint" "passed a broken page"
else
	pass "mandoc -T lint fails a broken page"
fi

# --- --version: the version, then one line per feature of the table.
"$TCPSCOPE" --version >"$TESTTMP/version"; rc=$?
want=$(sed -n 's/^VERSION *:= *//p' "$top/Makefile")
[ $rc -eq 0 ] && [ "$(head -n 1 "$TESTTMP/version")" = "tcpscope $want" ] &&
	pass "--version's first line is 'tcpscope $want'" || fail "--version" "$(head -n 1 "$TESTTMP/version")"
for f in libmnl ncursesw; do
	v=$(pkg-config --modversion "$f" 2>/dev/null)
	grep -Eq "^  $f +yes +$v " "$TESTTMP/version" && pass "--version names $f $v" ||
		fail "--version $f" "want $f yes $v in: $(cat "$TESTTMP/version")"
done
for f in exporter recorder; do
	grep -Eq "^  $f +(yes|no) " "$TESTTMP/version" && pass "--version says whether the $f is built" ||
		fail "--version $f" "$(cat "$TESTTMP/version")"
done
finish
