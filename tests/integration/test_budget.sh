#!/bin/sh
# test_budget.sh — the CPU budget. A test seam (TCPSCOPE_TEST_DUMP_BURN_MS,
# see docs/ARCHITECTURE.md) makes every poll burn 300 ms of CPU, standing
# in for a table of a few hundred thousand sockets: at -d 1 that is 30% of
# a core, three times the default budget of 10%. -e and the live view must
# stretch their interval, say so, and stay within the budget (CPU from
# /proc/PID/stat, generous margin), and lose no close between polls
# (destroy events); --cpu-budget 0 and a tcpscoperc cpu_budget change
# that. Bad values are refused.
. "$(dirname "$0")/../lib/lib.sh"
need_netns "$@"

HZ=$(getconf CLK_TCK 2>/dev/null || echo 100)
export TCPSCOPE_TEST_DUMP_BURN_MS=300
export XDG_CONFIG_HOME="$TESTTMP/cfg"
mkdir -p "$XDG_CONFIG_HOME/tcpscope"

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null; }

# run_e SECONDS ARGS...: -e in the background for SECONDS; sets EPID (the
# timeout(1) process) and TPID (tcpscope under it).
run_e() {
	secs=$1; shift
	timeout "$secs" "$TCPSCOPE" -e "$@" >"$TESTTMP/e.out" 2>"$TESTTMP/e.err" &
	EPID=$!
	TPID=
	wait_for 5 pgrep -P "$EPID" >/dev/null
	TPID=$(pgrep -P "$EPID" | head -1)
}
# cpu_share PID SECONDS: percent of a core PID used over SECONDS from now.
cpu_share() {
	a=$(cpu_ticks "$1")
	sleep "$2"
	b=$(cpu_ticks "$1")
	[ -n "$a" ] && [ -n "$b" ] || { echo 999; return; }
	awk -v d=$((b - a)) -v hz="$HZ" -v s="$2" 'BEGIN { printf "%d\n", d * 100 / hz / s + 0.5 }'
}

# ------------------------------------------------------------- -e, default budget
run_e 15 -d 1
sleep 2.5 # the first two polls are behind us (the first is not counted)
pct=$(cpu_share "$TPID" 10)
wait "$EPID"
# 0.30 s a poll → 3.1 s; an instrumented build or a loaded machine adds a little.
STRETCH='refresh [34]\.[0-9] s: a poll takes 0\.[34][0-9] s'
if grep -Eq "$STRETCH of CPU \(budget 10% of a core\)" "$TESTTMP/e.err"; then
	pass "-e stretches the refresh and says so"
else
	fail "-e stretch notice" "$(cat "$TESTTMP/e.err")"
fi
# 10% allowed; 20% is a generous margin (unstretched it would be ~30%).
if [ "$pct" -le 20 ]; then
	pass "-e stays within the budget over 10 s ($pct% of a core)"
else
	fail "-e within budget" "$pct% of a core over 10 s"
fi

# ------------------------------------------------------------- -e, no limit
run_e 8 -d 1 --cpu-budget 0
sleep 1.5
pct0=$(cpu_share "$TPID" 5)
wait "$EPID"
if ! grep -q "refresh" "$TESTTMP/e.err" && [ "$pct0" -ge 22 ]; then
	pass "--cpu-budget 0: no stretch, every second ($pct0% of a core)"
else
	fail "--cpu-budget 0" "$pct0%: $(cat "$TESTTMP/e.err")"
fi

# ------------------------------------------------------------- -e, budget 50%
run_e 5 -d 1 --cpu-budget 50
wait "$EPID"
if ! grep -q "refresh" "$TESTTMP/e.err"; then
	pass "--cpu-budget 50: 0.3 s per second fits, no stretch"
else
	fail "--cpu-budget 50" "$(cat "$TESTTMP/e.err")"
fi

# ------------------------------------------------------------- closes between stretched polls
# With the refresh stretched to ~3 s, a burst of connections opened and
# closed between two polls still gives a closed event for every one
# (destroy events), as test_shortlived.sh checks at 1 s.
if command -v jq >/dev/null 2>&1 && [ -x "$TOOLS/scenario" ]; then
	N=200 SP=7300
	timeout 30 "$TCPSCOPE" -e -j -d 1 -n 4 >"$TESTTMP/ev.json" 2>"$TESTTMP/ev.err" &
	JP=$!
	if wait_for 10 grep -q "refresh" "$TESTTMP/ev.err"; then
		"$TOOLS/scenario" burst $SP "$N" >"$TESTTMP/ports"
		wait "$JP"
		grep -v elapsed "$TESTTMP/ports" | sort -n >"$TESTTMP/want"
		jq -r --argjson sp $SP 'select(.event == "closed") |
			if .local_port == $sp then .remote_port else .local_port end' \
			"$TESTTMP/ev.json" | sort -nu >"$TESTTMP/got"
		covered=$(comm -12 "$TESTTMP/want" "$TESTTMP/got" | wc -l)
		if [ "$covered" -eq "$N" ]; then
			pass "stretched refresh: all $N short connections closed (destroy events)"
		else
			fail "closes between stretched polls" "$covered/$N: $(cat "$TESTTMP/ev.err")"
		fi
	else
		wait "$JP"
		fail "closes between stretched polls" "no stretch: $(cat "$TESTTMP/ev.err")"
	fi
else
	skip "closes between stretched polls" "jq or the scenario tool missing"
fi

# ------------------------------------------------------------- bad values
for bad in -1 101 abc ""; do
	"$TCPSCOPE" -e -n 1 --cpu-budget "$bad" >/dev/null 2>"$TESTTMP/bad.err"
	rc=$?
	if [ "$rc" = 2 ] && grep -q "cpu-budget" "$TESTTMP/bad.err"; then
		pass "--cpu-budget '$bad' refused (exit 2)"
	else
		fail "--cpu-budget '$bad'" "rc=$rc $(cat "$TESTTMP/bad.err")"
	fi
done

# ------------------------------------------------------------- live view
if command -v tmux >/dev/null 2>&1; then
	SOCK="tcpscope-budget-$$"
	T="tmux -L $SOCK -f /dev/null"
	trap '$T kill-server 2>/dev/null; rm -rf "$TESTTMP"' EXIT
	screen() { $T capture-pane -p -t ui 2>/dev/null; }
	has() { screen | grep -qF -- "$1"; }
	has_re() { screen | grep -Eq -- "$1"; }
	start_ui() {
		$T kill-server 2>/dev/null
		sleep 0.2
		$T new-session -d -s ui -x 160 -y 40 \
			"LANG=C.UTF-8 TCPSCOPE_TEST_DUMP_BURN_MS=300 XDG_CONFIG_HOME='$XDG_CONFIG_HOME' '$TCPSCOPE' $*; sleep 60"
	}
	ui_pid() { $T list-panes -t ui -F '#{pane_pid}' 2>/dev/null | head -1; }

	start_ui -d 1
	if wait_for 10 has_re "$STRETCH \(budget 10%\)"; then
		pass "live view header: refresh stretched, poll cost and budget"
	else
		fail "live view header" "$(screen | head -8)"
	fi
	sh_pid=$(ui_pid)
	tpid=$(pgrep -P "$sh_pid" tcpscope 2>/dev/null | head -1)
	if [ -n "$tpid" ]; then
		pct=$(cpu_share "$tpid" 10)
		if [ "$pct" -le 20 ]; then
			pass "live view stays within the budget over 10 s ($pct% of a core)"
		else
			fail "live view within budget" "$pct% of a core over 10 s"
		fi
	else
		fail "live view pid" "no tcpscope under the tmux pane"
	fi

	printf 'cpu_budget=50\n' >"$XDG_CONFIG_HOME/tcpscope/tcpscoperc"
	start_ui -d 1
	if wait_for 10 has "Connections" && sleep 3 && ! has "refresh"; then
		pass "tcpscoperc cpu_budget=50: no stretch"
	else
		fail "tcpscoperc cpu_budget" "$(screen | head -8)"
	fi
	start_ui -d 1 --cpu-budget 10
	if wait_for 10 has_re "$STRETCH"; then
		pass "--cpu-budget overrides tcpscoperc"
	else
		fail "--cpu-budget over tcpscoperc" "$(screen | head -8)"
	fi
	$T kill-server 2>/dev/null
else
	skip "live view budget" "tmux not installed"
fi

finish
