#!/bin/sh
# test_filter_vs_ss.sh — differential test of the filter language against ss.
#
# Stages a socket population in a private network namespace (LISTEN,
# ESTABLISHED, CLOSE_WAIT, FIN_WAIT2, TIME_WAIT, SYN_SENT; IPv4, IPv6 and
# v4-mapped; several 127.x addresses and ports), then for every expression
# below checks that `tcpscope -b -j EXPR` selects exactly the sockets
# (state, local, peer) that `ss -tanH EXPR` prints.
. "$(dirname "$0")/../lib/lib.sh"
need_netns "$@"
command -v ss >/dev/null 2>&1 || skip_all "ss(8) not installed (iproute2)"
command -v jq >/dev/null 2>&1 || skip_all "jq not installed"
[ -x "$TOOLS/filter_stage" ] || skip_all "$TOOLS/filter_stage not built"

fifo=$TESTTMP/stage.fifo
mkfifo "$fifo"
"$TOOLS/filter_stage" 90 <"$fifo" >"$TESTTMP/stage.out" 2>&1 &
stage_pid=$!
exec 3>"$fifo"
cleanup() { exec 3>&-; wait "$stage_pid" 2>/dev/null; }
if ! wait_for 10 grep -q ready "$TESTTMP/stage.out"; then
	cat "$TESTTMP/stage.out"
	fail "stage the population" "filter_stage did not get ready"
	cleanup
	finish
fi
grep -q "no SYN_SENT" "$TESTTMP/stage.out" && echo "note: no SYN_SENT socket staged"

# Canonical socket keys: "STATE LOCAL PEER" with "*" for any address and
# 0 for "any port"; brackets dropped. ss omits its State column when the
# filter selects one state only: then keys have no state (both sides).
norm() { # stdin: "STATE LADDR LPORT RADDR RPORT" → canonical line
	awk '{ for (i = 2; i <= 5; i++) { if ($i == "0.0.0.0" || $i == "::" || $i == "*") $i = "*" }
	       if ($3 == "*") $3 = 0; if ($5 == "*") $5 = 0; print }' | sort
}
ss_keys() { # args: filter words
	ss -tanH "$@" 2>"$TESTTMP/ss.err" | awk '
		function ep(s,   i) { i = match(s, /:[^:]*$/); return substr(s, 1, i - 1) " " substr(s, i + 1) }
		NF == 5 { l = ep($4); r = ep($5); gsub(/[][]/, "", l); gsub(/[][]/, "", r); print $1, l, r }
		NF == 4 { l = ep($3); r = ep($4); gsub(/[][]/, "", l); gsub(/[][]/, "", r); print "-", l, r }' | norm
}
ts_keys() { # $1: "state" or "-" ; rest: filter words
	withstate=$1; shift
	"$TCPSCOPE" -b -j -n 1 --no-processes "$@" 2>"$TESTTMP/ts.err" |
		jq -r --arg ws "$withstate" '
		  {"ESTABLISHED":"ESTAB","SYN_SENT":"SYN-SENT","SYN_RECV":"SYN-RECV","FIN_WAIT1":"FIN-WAIT-1",
		   "FIN_WAIT2":"FIN-WAIT-2","TIME_WAIT":"TIME-WAIT","CLOSE":"UNCONN","CLOSE_WAIT":"CLOSE-WAIT",
		   "LAST_ACK":"LAST-ACK","LISTEN":"LISTEN","CLOSING":"CLOSING"} as $ab
		  | .sockets[] | [(if $ws == "state" then $ab[.state] else "-" end),
		    .local_addr, (.local_port|tostring), .remote_addr, (.remote_port|tostring)] | join(" ")' | norm
}

n=0
while IFS= read -r line; do
	case $line in "" | "#"*) continue ;; esac
	[ "$line" = "ALL" ] && line=""
	eval "set -- $line"
	n=$((n + 1))
	ss_keys "$@" >"$TESTTMP/ss.keys"
	ss_rc=$?
	if [ -s "$TESTTMP/ss.err" ]; then
		fail "ss accepts: $line" "$(head -c 200 "$TESTTMP/ss.err")"
		continue
	fi
	if head -n 1 "$TESTTMP/ss.keys" | grep -q '^-'; then ws=-; else ws=state; fi
	ts_keys "$ws" "$@" >"$TESTTMP/ts.keys"
	if [ -s "$TESTTMP/ts.err" ]; then
		fail "tcpscope accepts: $line" "$(head -c 300 "$TESTTMP/ts.err")"
		continue
	fi
	cnt=$(wc -l <"$TESTTMP/ss.keys")
	if cmp -s "$TESTTMP/ss.keys" "$TESTTMP/ts.keys"; then
		pass "same $cnt sockets as ss: $line"
	else
		fail "same sockets as ss: $line" "$(diff "$TESTTMP/ss.keys" "$TESTTMP/ts.keys" | head -n 12 | tr '\n' ';')"
	fi
	: "$ss_rc"
done <<'EXPRS'
ALL
# The TCP examples of the ss man page (addresses adapted to the namespace)
state established '( dport = :ssh or sport = :ssh )'
state fin-wait-2 '( sport = :http or sport = :https )' dst 127.0/8
state close-wait '( dport = :443 or dport = :80 )'
# Every state and group
state established
state syn-sent
state fin-wait-2
state time-wait
state close-wait
state listening
state closed
state connected
state synchronized
state bucket
state big
state all
exclude established
exclude listening exclude time-wait
state established state close-wait
exclude bucket state listening
# Ports, every operator spelling, service names, number bases
dport = :443
dport :https
sport == :80
dport eq :0x1bb
'dport != :443'
sport ne :80
'dport > :1024'
dport gt :32767
'sport < :1024'
sport lt :100
'sport >= :8080'
sport ge :8080
'dport <= :443'
dport le :80
'sport = :*'
# Hosts: addresses, prefixes, wildcards, IPv6, families, names
dst 127.0.0.1
dst = 127.0.0.3
src 127.0.0.2:8080
src 127.0.0.0/8
src 127.0.0.0/255.255.255.0
dst 127.1
dst '[::1]'
src '[::1]:443'
'dst [::ffff:127.0.0.1]'
'dst *:443'
src '*'
dst inet6:'[::1]'
src inet:127.0.0.1
src inet:'*:80'
dst localhost
src 0.0.0.0/0
'! src 0.0.0.0/0'
dst any
dst :80
# Boolean structure: and/or/not spellings, implicit and, equal precedence
'( sport = :80 or sport = :443 ) and dst 127.0.0.3'
'sport = :80 or sport = :443 and dst 127.0.0.3'
'sport = :80 || sport = :443 && dst 127.0.0.3'
'sport = :80 | sport = :443 & dst 127.0.0.3'
'not dst 127.0.0.1'
'! ( sport = :22 || dport = :22 )'
src 127.0.0.1 dport = :443
'dst 127.0.0.1 & sport gt :32767'
'! ! dport = :443'
'( ( sport = :80 ) )'
state established '( src 127.0.0.1 or src [::1] ) ! dport = :443'
exclude time-wait 'dst 127.0.0.1 or dst [::1] and sport > :1024'
state syn-sent dport = :7000
autobound
'not autobound'
state CLOSE-WAIT
excl listening
state unconnected
dst 127.0.0.1:http
'src 127.0.0.0/8:80'
src inet6:'*'
EXPRS

# Extensions, checked against what ss prints for the same sockets.
ext_check() { # name, awk condition on ss -tanpH fields ($2 Recv-Q ...), filter words
	name=$1 cond=$2; shift 2
	ss -tanpH | awk '
		function ep(s,   i) { i = match(s, /:[^:]*$/); return substr(s, 1, i - 1) " " substr(s, i + 1) }
		function port(s) { return substr(s, match(s, /:[^:]*$/) + 1) + 0 }
		{ lp = port($4); rp = port($5) }
		'"$cond"' { l = ep($4); r = ep($5); gsub(/[][]/, "", l); gsub(/[][]/, "", r); print $1, l, r }' |
		norm >"$TESTTMP/ss.keys"
	"$TCPSCOPE" -b -j -n 1 "$@" 2>"$TESTTMP/ts.err" | jq -r '
		  {"ESTABLISHED":"ESTAB","SYN_SENT":"SYN-SENT","FIN_WAIT2":"FIN-WAIT-2","TIME_WAIT":"TIME-WAIT",
		   "CLOSE_WAIT":"CLOSE-WAIT","LISTEN":"LISTEN"} as $ab
		  | .sockets[] | [$ab[.state], .local_addr, (.local_port|tostring), .remote_addr,
		    (.remote_port|tostring)] | join(" ")' | norm >"$TESTTMP/ts.keys"
	cnt=$(wc -l <"$TESTTMP/ss.keys")
	if [ "$cnt" -gt 0 ] && cmp -s "$TESTTMP/ss.keys" "$TESTTMP/ts.keys"; then
		pass "extension $name: same $cnt sockets as ss shows"
	else
		fail "extension $name" "$(cat "$TESTTMP/ts.err"; diff "$TESTTMP/ss.keys" "$TESTTMP/ts.keys" | head -n 12 | tr '\n' ';')"
	fi
}
ext_check "recvq > 0" '$2 > 0' recvq '>' 0
ext_check "sendq = 0" '$3 == 0' sendq = 0
ext_check "portclass well-known" '(lp > 0 && lp < 1024) || (rp > 0 && rp < 1024)' portclass well-known
ext_check "process filter_stage" '/"filter_stage"/' process filter_stage
ext_check "process filter_st*" '/"filter_stage"/' process 'filter_st*'
ext_check "pid" '/pid='"$stage_pid"',/' pid "$stage_pid"
ext_check "not process + state" '$1 == "ESTAB" && !/"filter_stage"/' state established not process filter_stage
ext_check "uid 0 (root owns all; TIME-WAIT reports 0)" '1' uid 0

cleanup
[ "$n" -ge 25 ] && pass "at least 25 expressions compared ($n)" || fail "at least 25 expressions" "$n"
finish
