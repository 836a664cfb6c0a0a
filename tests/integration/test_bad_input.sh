#!/bin/sh
# Bad command lines, as a table: each is rejected with the right exit status
# and a message on stderr that quotes the offending text; nothing crashes and
# nothing goes to stdout.
#
# Exit status policy (also in `tcpscope --help`):
#   2  bad usage: unknown option, missing value, malformed number, duration,
#      source, or a namespace argument that cannot name one ("", ".", "..")
#   1  runtime failure: a well-formed namespace name or path that does not
#      exist, is not a network namespace, or cannot be entered
# Filter-expression and config-line cases are added by their owners.
. "$(dirname "$0")/../lib/lib.sh"

# t STATUS TEXT ARGS... — expect exit STATUS and TEXT (fixed string) in stderr.
t() {
	want=$1 text=$2; shift 2
	desc="tcpscope $*"
	timeout -k 2 10 "$TCPSCOPE" "$@" </dev/null >"$TESTTMP/out" 2>"$TESTTMP/err"
	rc=$?
	why=""
	[ "$rc" -eq "$want" ] || why="exit $rc, want $want"
	[ "$rc" -ge 124 ] && why="crashed or hung (exit $rc)"
	if [ -n "$text" ]; then
		grep -qF -- "$text" "$TESTTMP/err" || why="${why:+$why; }stderr lacks '$text'"
	fi
	if [ "$want" -ne 0 ]; then
		[ -s "$TESTTMP/out" ] && why="${why:+$why; }wrote to stdout"
		grep -q '^tcpscope: ' "$TESTTMP/err" || why="${why:+$why; }no 'tcpscope: ' message"
	else
		[ -s "$TESTTMP/out" ] || why="${why:+$why; }no output"
	fi
	if [ -z "$why" ]; then pass "$desc → $want"; else fail "$desc" "$why: $(head -c 300 "$TESTTMP/err")"; fi
}

# --- numbers: -n ---------------------------------------------------------
t 2 "'-1'"           -n -1
t 2 "'1x'"           -n 1x
t 2 "'99999999999'"  -n 99999999999
t 2 "'99999999999999999999999'" -n 99999999999999999999999
t 2 "''"             -n ''
t 2 "' 3'"           -n ' 3'
t 2 "'+3'"           -n +3
t 2 "'0x10'"         -n 0x10
t 2 "'abc'"          --iterations=abc
# --- durations: -d ---------------------------------------------------------
t 2 "'0'"            -d 0
t 2 "'abc'"          -d abc
t 2 "'1e400'"        -d 1e400
t 2 "'-1'"           -d -1
t 2 "'nan'"          -d nan
t 2 "'inf'"          -d inf
t 2 "'5x'"           -d 5x
t 2 "'100000'"       -d 100000
t 2 "'0.001'"        -d 0.001
t 2 "''"             --delay=
t 2 "'2 s'"          -d '2 s'
# --- enumerations ------------------------------------------------------------
t 2 "'xyz'"          --source xyz
t 2 "'NETLINK'"      --source NETLINK
t 2 "''"             --source=
# --- unknown options, values where none belong -------------------------------
t 2 "'--bogus'"      --bogus
t 2 "'-x'"           -x
t 2 "'-q' in '-bq'"  -bq
t 2 "'--batch=yes'"  --batch=yes
t 2 "'--no'"         --no
t 2 "'--help=x'"     --help=x
t 2 "unknown option" "-$(printf '\377')"
t 2 "'--$(printf '\303\251')'" "--$(printf '\303\251')"
# --- missing values ------------------------------------------------------------
t 2 "'-n' needs a value"       -n
t 2 "'-d' needs a value"       -b -d
t 2 "'-N' needs a value"       -N
t 2 "'--delay' needs a value"  --delay
t 2 "'--source' needs a value" --source
t 2 "'-n' needs a value"       -bn
# --- namespaces -----------------------------------------------------------------
t 2 "''"             -N ''
t 2 "'.'"            -N .
t 2 "'..'"           --netns ..
t 1 "'nosuch'"       -N nosuch
t 1 "'/nonexistent'" -N /nonexistent
t 1 "'/etc/passwd'"  -N /etc/passwd
t 1 "'/proc/self/ns/mnt'" -N /proc/self/ns/mnt
t 1 "'a/b'"          -N a/b
# --- and good input still works (so the table cannot pass by rejecting all) ----
t 0 "" -b -n 1 -d 0.5
t 0 "" --delay=250ms --iterations=1 --no-processes
t 0 "" -bj --source proc
ok "usage errors point at --help" sh -c "'$TCPSCOPE' --bogus 2>&1 | grep -q -- \"Try 'tcpscope --help'\""
finish
