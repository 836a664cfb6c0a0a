# lib.sh — sourced by the shell tests in tests/integration.
#
#   . "$(dirname "$0")/../lib/lib.sh"
#   need_netns "$@"          # re-exec inside a private network namespace, lo up
#   ok "name" COMMAND...     # pass if COMMAND succeeds
#   check "name" COND_STATUS # pass/fail on an exit status already computed
#   now_ms                   # wall-clock milliseconds
#   skip "name" "reason"
#   finish                   # prints "name: N passed, N failed, N skipped", exits
#   ss -tanH | norm_ss [Q]    # ss rows as "STATE laddr lport raddr rport" [rq sq]
#
# Environment from tests/run.sh: TCPSCOPE (the binary), TOOLS (helper
# binaries), TESTTMP (a scratch dir removed afterwards).

T_PASS=0 T_FAIL=0 T_SKIP=0
T_NAME=$(basename "$0" .sh)
: "${TCPSCOPE:=build/tcpscope}"
: "${TOOLS:=build/tools}"
if [ -z "${TESTTMP:-}" ]; then
	TESTTMP=$(mktemp -d /tmp/tcpscope-test.XXXXXX)
	trap 'rm -rf "$TESTTMP"' EXIT
fi

pass() { T_PASS=$((T_PASS + 1)); echo "ok   $1"; }
fail() { T_FAIL=$((T_FAIL + 1)); echo "FAIL $1${2:+: $2}"; }
skip() { T_SKIP=$((T_SKIP + 1)); echo "SKIP $1: $2"; }
ok() {
	name=$1; shift
	if "$@" >/dev/null; then pass "$name"; else fail "$name" "command failed: $*"; fi
}
# check NAME STATUS [DETAIL]: pass when STATUS is 0, else fail with DETAIL.
check() { if [ "$2" -eq 0 ]; then pass "$1"; else fail "$1" "$3"; fi; }
# Milliseconds on the wall clock, for timing what a test waits for.
now_ms() { echo $(($(date +%s%N) / 1000000)); }
finish() {
	echo "$T_NAME: $T_PASS passed, $T_FAIL failed, $T_SKIP skipped"
	[ "$T_FAIL" -eq 0 ]
	exit $?
}
# Skip the whole script with one reason (counted as one skip).
skip_all() {
	skip "$T_NAME" "$1"
	finish
}

# Re-run this script inside a fresh network namespace with lo up. Skips the
# whole script, saying why, when namespaces are not available.
need_netns() {
	if [ -n "${TCPS_IN_NETNS:-}" ]; then
		ip link set lo up 2>/dev/null || skip_all "cannot bring up lo in the namespace"
		return 0
	fi
	command -v unshare >/dev/null 2>&1 || skip_all "unshare(1) not installed"
	command -v ip >/dev/null 2>&1 || skip_all "ip(8) not installed (iproute2)"
	if [ "$(id -u)" != 0 ]; then
		skip_all "needs root for a private network namespace (CI runs as root)"
	fi
	unshare -n true 2>/dev/null || skip_all "unshare(CLONE_NEWNET) refused here (no CAP_SYS_ADMIN?)"
	TCPS_IN_NETNS=1 exec unshare -n -- sh "$0" "$@"
}

# Wait (bounded) until COMMAND succeeds: wait_for SECONDS COMMAND...
wait_for() {
	limit=$1; shift
	i=0
	while [ "$i" -lt $((limit * 10)) ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# ss: "STATE RQ SQ LOCAL PEER" → "STATE laddr lport raddr rport" in tcpscope's
# spelling (netstat state names, bare addresses, port 0 for '*').
norm_ss() { # [Q]: also the queues
	awk '
	function split_ep(ep, out,   i) {
		i = match(ep, /:[^:]*$/)
		out["a"] = substr(ep, 1, i - 1); out["p"] = substr(ep, i + 1)
		gsub(/^\[|\]$/, "", out["a"])
		if (out["a"] == "*") out["a"] = "::"
		if (out["p"] == "*") out["p"] = 0
	}
	BEGIN {
		m["ESTAB"]="ESTABLISHED"; m["SYN-SENT"]="SYN_SENT"; m["SYN-RECV"]="SYN_RECV"
		m["FIN-WAIT-1"]="FIN_WAIT1"; m["FIN-WAIT-2"]="FIN_WAIT2"; m["TIME-WAIT"]="TIME_WAIT"
		m["UNCONN"]="CLOSE"; m["CLOSE-WAIT"]="CLOSE_WAIT"; m["LAST-ACK"]="LAST_ACK"
		m["LISTEN"]="LISTEN"; m["CLOSING"]="CLOSING"
	}
	{ split_ep($4, l); split_ep($5, r)
	  if (Q) print m[$1], l["a"], l["p"], r["a"], r["p"], $2, $3
	  else   print m[$1], l["a"], l["p"], r["a"], r["p"] }' Q="${1:-}"
}
