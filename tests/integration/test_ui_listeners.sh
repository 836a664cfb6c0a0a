#!/bin/sh
# test_ui_listeners.sh — the live Listeners view shows the listener audit:
# EXPOSURE, EPHEM, ACC/S and FINDINGS columns for listeners staged in a
# private namespace (Redis on a wildcard, one in a narrowed ephemeral
# range, one on a veth/dummy address, loopback), the `exposed` filter term,
# and the exposure detector's alerts in the Alerts tab.
. "$(dirname "$0")/../lib/lib.sh"
need_netns "$@"
command -v tmux >/dev/null 2>&1 || skip_all "tmux not installed"
[ -x "$TOOLS/listen" ] || skip_all "$TOOLS/listen not built"
ip link add d0 type dummy 2>/dev/null || ip link add d0 type veth peer name d0p 2>/dev/null ||
	skip_all "cannot create a dummy (or veth) interface"
ip link set d0 up
ip addr add 10.77.0.1/24 dev d0
sysctl -qw net.ipv4.ip_local_port_range="40000 40999" || skip_all "cannot set ip_local_port_range"

SOCK="tcpscope-uil-$$"
T="tmux -L $SOCK -f /dev/null"
export XDG_CONFIG_HOME="$TESTTMP/cfg"
mkdir -p "$TESTTMP/bin"
fifo=$TESTTMP/hold.fifo
mkfifo "$fifo"
exec 3<>"$fifo"
holders=""
hold() {
	name=$1; shift
	cp "$TOOLS/listen" "$TESTTMP/bin/$name"
	"$TESTTMP/bin/$name" -t 90 "$@" <"$fifo" >"$TESTTMP/$name.out" 2>&1 &
	holders="$holders $!"
	wait_for 10 grep -q ready "$TESTTMP/$name.out" || fail "stage $name" "$(cat "$TESTTMP/$name.out")"
}
cleanup() {
	$T kill-server 2>/dev/null
	for p in $holders; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$TESTTMP"
}
trap cleanup EXIT

hold redis-server 0.0.0.0 6379
hold svc-eph 0.0.0.0 40100
hold svc-dummy 10.77.0.1 7005
hold svc-lo 127.0.0.1 7004

screen() { $T capture-pane -p -t ui 2>/dev/null; }
has() { screen | grep -qF -- "$1"; }
row() { screen | grep -F -- "$1" | grep -v "EXPOSURE:" | head -n 1; }
wait_screen() { wait_for "$1" has "$2"; }
start_ui() {
	$T kill-server 2>/dev/null
	sleep 0.2
	$T new-session -d -s ui -x 200 -y 40 \
		"LANG=C.UTF-8 XDG_CONFIG_HOME='$XDG_CONFIG_HOME' '$TCPSCOPE' $*; echo TCPSCOPE-EXITED rc=\$?; sleep 60"
}

start_ui -d 0.3
if ! wait_screen 10 "Connections"; then
	fail "live view starts" "$(screen)"
	finish
fi
$T send-keys -t ui Tab
if wait_screen 5 "EXPOSURE" && wait_screen 5 "FINDINGS"; then
	pass "Listeners view has the audit columns"
else
	fail "audit columns" "$(screen)"
fi
check_row() { # name, row key, fixed strings...
	name=$1 key=$2; shift 2
	r=$(row "$key")
	for want in "$@"; do
		case $r in *"$want"*) ;; *) fail "$name" "row '$r' lacks '$want'"; return ;; esac
	done
	pass "$name"
}
wait_screen 5 "CRIT risky"
check_row "Redis on a wildcard: all IPv4, CRIT risky" ":6379" "all IPv4" "CRIT risky"
check_row "40100: ephemeral yes, WARN ephemeral" ":40100" "yes" "WARN ephemeral"
check_row "10.77.0.1: the interface and scope" "10.77.0.1:7005" "d0 private"
check_row "loopback listener: no finding" "127.0.0.1:7004" "loopback only"
r=$(row "127.0.0.1:7004")
case $r in *WARN*|*CRIT*|*INFO*) fail "loopback has no finding" "$r" ;; *) pass "loopback has no finding" ;; esac

# The exposed filter term in the live view.
start_ui -d 0.3 -F exposed
wait_screen 10 "Connections"
$T send-keys -t ui Tab
if wait_screen 5 ":6379" && wait_screen 5 ":40100" && ! has "127.0.0.1:7004" && ! has "10.77.0.1:7005"; then
	pass "-F exposed keeps only the wildcard listeners"
else
	fail "-F exposed" "$(screen)"
fi

# The exposure alerts in the Alerts tab.
$T send-keys -t ui Tab Tab Tab
if wait_screen 5 "EXPOSURE: 0.0.0.0:6379" && has "reachable unless a firewall blocks it"; then
	pass "Alerts tab shows the exposure alert"
else
	fail "alerts tab" "$(screen)"
fi
$T send-keys -t ui q
wait_screen 5 "TCPSCOPE-EXITED rc=0" && pass "quits cleanly" || fail "quit" "$(screen | tail -3)"
finish
