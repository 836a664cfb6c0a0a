#!/bin/sh
# tcpscope as an unprivileged user (nobody, no capabilities) in a private
# network namespace holding sockets of root and of nobody:
#  - it succeeds (exit 0) and lists every socket ss (as root) lists;
#  - process names only for nobody's own process, none for root's;
#  - it says so once, as a notice on stderr, not an error;
#  - in batch mode it writes no files (HOME, XDG_CONFIG_HOME and cwd in
#    scratch dirs compared before/after; nothing of nobody's in /tmp etc.).
# As root, the same run attributes everything and prints no notice.
. "$(dirname "$0")/../lib/lib.sh"
need_netns "$@"
command -v setpriv >/dev/null 2>&1 || skip_all "setpriv (util-linux) not installed"
command -v jq >/dev/null 2>&1 || skip_all "jq not installed"
command -v ss >/dev/null 2>&1 || skip_all "ss (iproute2) not installed"
id nobody >/dev/null 2>&1 || skip_all "no user 'nobody'"
case $TCPSCOPE in /*) ;; *) TCPSCOPE=$(pwd)/$TCPSCOPE ;; esac
case $TOOLS in /*) ;; *) TOOLS=$(pwd)/$TOOLS ;; esac
# jqe FILE JQ-ARGS... — jq -e on a file that must not be empty.
jqe() { f=$1; shift; [ -s "$f" ] && jq -e "$@" "$f"; }
GRP=$(id -gn nobody)
AS_NOBODY="setpriv --reuid=nobody --regid=$GRP --clear-groups --"
$AS_NOBODY test -x "$TCPSCOPE" || skip_all "nobody cannot execute $TCPSCOPE"

chmod 711 "$TESTTMP"
U="$TESTTMP/u"
mkdir -p "$U/home/.config" "$U/cwd"
chown -R nobody:"$GRP" "$U"

mkfifo "$TESTTMP/in_root" "$TESTTMP/in_user"
"$TOOLS/stage" 7000 4 <"$TESTTMP/in_root" >"$TESTTMP/stage_root.out" 2>&1 &
S1=$!
exec 3>"$TESTTMP/in_root"
$AS_NOBODY "$TOOLS/stage" 7100 4 <"$TESTTMP/in_user" >"$TESTTMP/stage_user.out" 2>&1 3>&- &
S2=$!
exec 4>"$TESTTMP/in_user"
trap 'exec 3>&- 4>&-; kill $S1 $S2 2>/dev/null; wait; rm -rf "$TESTTMP"' EXIT
wait_for 10 grep -q ready "$TESTTMP/stage_root.out" || skip_all "staging (root) failed: $(cat "$TESTTMP/stage_root.out")"
wait_for 10 grep -q ready "$TESTTMP/stage_user.out" || skip_all "staging (nobody) failed: $(cat "$TESTTMP/stage_user.out")"
rpid=$(sed -n 's/^ready //p' "$TESTTMP/stage_root.out")
upid=$(sed -n 's/^ready //p' "$TESTTMP/stage_user.out")
ok "the user's stage process runs as nobody" sh -c "[ \$(stat -c %U /proc/$upid) = nobody ]"

# A listing of everything the run could have touched, before and after.
files_state() { (cd "$U" && find . -printf '%p %s %T@\n' | sort); }
files_state >"$TESTTMP/files_before"
touch "$TESTTMP/marker"
sleep 0.01

run_nobody() { # args... → $TESTTMP/nb.out, nb.err, $rc
	$AS_NOBODY env -i PATH=/usr/bin:/bin HOME="$U/home" XDG_CONFIG_HOME="$U/home/.config" \
		ASAN_OPTIONS="${ASAN_OPTIONS:-}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" \
		sh -c 'cd "$1" && shift && exec "$@"' sh "$U/cwd" "$TCPSCOPE" "$@" \
		</dev/null >"$TESTTMP/nb.out" 2>"$TESTTMP/nb.err" 3>&- 4>&-
	rc=$?
}

ss -tanH | wc -l >"$TESTTMP/ss_n"
run_nobody -b -j
check_rc() { [ "$rc" -eq 0 ]; }
ok "tcpscope -b -j as nobody exits 0 (exit $rc)" check_rc
ok "it really ran without capabilities" sh -c \
	"$AS_NOBODY grep -q '^CapEff:[[:space:]]*0*$' /proc/self/status"
ok "one valid JSON line" jqe "$TESTTMP/nb.out" '.sockets | length > 0'
n_ss=$(cat "$TESTTMP/ss_n")
n_nb=$(jq '.total' "$TESTTMP/nb.out")
[ "$n_nb" -eq "$n_ss" ] && pass "lists every socket ($n_nb, ss: $n_ss)" || fail "lists every socket" "$n_nb vs ss $n_ss"
ok "from netlink, not partial" jqe "$TESTTMP/nb.out" '.source == "netlink" and .partial == false'
mine=$(jq --argjson p "$upid" '[.sockets[] | select(.pid == $p and .process == "stage")] | length' "$TESTTMP/nb.out")
[ "$mine" -gt 5 ] && pass "own process named on $mine sockets" || fail "own process named" "$mine sockets"
theirs=$(jq --argjson p "$rpid" '[.sockets[] | select(.pid == $p)] | length' "$TESTTMP/nb.out")
[ "$theirs" -eq 0 ] && pass "root's process not named" || fail "root's process not named" "$theirs sockets"
others=$(jq --argjson p "$upid" '[.sockets[] | select(.pid != null and .pid != $p)] | length' "$TESTTMP/nb.out")
[ "$others" -eq 0 ] && pass "no other process named" || fail "no other process named" "$others"
ok "root's sockets still listed (uid 0, port 7000)" jqe "$TESTTMP/nb.out" '[.sockets[] | select(.uid == 0 and .local_port == 7000)] | length > 0'
if grep -q 'own processes' "$TESTTMP/nb.err"; then
	pass "a notice says process names are limited"
else
	fail "a notice says process names are limited" "stderr: $(head -c 300 "$TESTTMP/nb.err")"
fi
lines=$(grep -c . "$TESTTMP/nb.err")
[ "$lines" -eq 1 ] && pass "that notice is all stderr says" || fail "stderr is one notice" "$(head -c 400 "$TESTTMP/nb.err")"

# Text mode, several snapshots, and the /proc source: same story.
run_nobody -b -n 2 -d 0.1
ok "text batch as nobody exits 0" check_rc
ok "text table names the own process" grep -q "stage\\[$upid\\]" "$TESTTMP/nb.out"
notices=$(grep -c 'own processes' "$TESTTMP/nb.err")
[ "$notices" -eq 1 ] && pass "the notice comes once, not per snapshot" || fail "notice once" "$notices times"
run_nobody -b -j --source proc
ok "--source proc as nobody exits 0" check_rc
ok "--source proc names only the own process" jqe "$TESTTMP/nb.out" --argjson p "$upid" \
	'[.sockets[] | select(.pid != null)] | length > 0 and all(.pid == $p)' 

files_state >"$TESTTMP/files_after"
if cmp -s "$TESTTMP/files_before" "$TESTTMP/files_after"; then
	pass "no file written in HOME, XDG_CONFIG_HOME or cwd"
else
	fail "no file written in HOME, XDG_CONFIG_HOME or cwd" "$(diff "$TESTTMP/files_before" "$TESTTMP/files_after" | head -5)"
fi
stray=$(find /tmp /var/tmp /dev/shm -xdev -user nobody -newer "$TESTTMP/marker" 2>/dev/null | head -5)
[ -z "$stray" ] && pass "no file of nobody's in /tmp, /var/tmp, /dev/shm" || fail "stray files" "$stray"

# The contrast: as root everything is attributed and nothing is said.
"$TCPSCOPE" -b -j >"$TESTTMP/root.out" 2>"$TESTTMP/root.err" 3>&- 4>&-
rc=$?
ok "as root: exit 0" check_rc
ok "as root: both processes named" jqe "$TESTTMP/root.out" --argjson a "$rpid" --argjson b "$upid" \
	'([.sockets[] | select(.pid == $a)] | length > 0) and ([.sockets[] | select(.pid == $b)] | length > 0)' 
ok "as root: no notice" sh -c "! grep -q 'own processes' '$TESTTMP/root.err'"
finish
