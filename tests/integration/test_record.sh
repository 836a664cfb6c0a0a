#!/bin/sh
# test_record.sh — record and replay (docs/RECORDING.md), in a private
# network namespace (and, for the full disk, a private mount namespace):
#   - differential: a CLOSE_WAIT leak recorded while live `-b -j` snapshots
#     are taken; `--at` each snapshot's time gives the same sockets (the
#     fields compared are listed at proj below), and the events between two
#     times are those a live `-e -j` stream printed;
#   - crash: the recorder killed with SIGKILL at random moments (20 runs
#     into one directory): every frame written before reads back;
#   - damage: flipped bytes and truncated files are skipped with a notice,
#     exit 0;
#   - disk full: a small tmpfs fills; the recorder goes on, says so once,
#     resumes when space is freed, and the recording reads back;
#   - -A: a recording of every namespace, with a CLOSE_WAIT leak in a
#     namespace the test made, by a process in a cgroup shaped like a
#     systemd service; the replayed -j at a live `-A -b -j`'s time carries
#     the same namespace names, cgroup ids, cgroups and units, and the
#     recorded alert's owner the namespace and unit the live sockets show;
#   - -N: a recording of that namespace alone names it in --record-info,
#     and its last frame equals a live `-N NAME -b -j`;
#   - bad input: exit 2 naming the directory, file or time.
. "$(dirname "$0")/../lib/lib.sh"
need_netns "$@"
command -v jq >/dev/null 2>&1 || skip_all "jq not installed"
[ -x "$TOOLS/leak" ] || skip_all "no $TOOLS/leak"
now() { date +%s.%N; }

# Wait (bounded) for a line in a file.
wait_line() { wait_for 15 grep -q "$2" "$1"; }

# ------------------------------------------------------------- differential
R=$TESTTMP/rec
TH="--threshold close_wait.age=1s"
"$TCPSCOPE" -e -j -d 0.5 --cpu-budget 0 >"$TESTTMP/live_ev.json" 2>"$TESTTMP/live_ev.err" &
EV_PID=$!
"$TCPSCOPE" --record "$R" -d 0.5 --cpu-budget 0 $TH 2>"$TESTTMP/rec.err" &
REC_PID=$!
sleep 1
"$TOOLS/leak" closewait 7201 8 6 2 >"$TESTTMP/leak.out" 2>&1 &
LEAK_PID=$!
wait_line "$TESTTMP/leak.out" ready
sleep 1
"$TCPSCOPE" -b -j -n 1 >"$TESTTMP/live1.json" 2>/dev/null
sleep 1
"$TCPSCOPE" -b -j -n 1 >"$TESTTMP/live2.json" 2>/dev/null
wait_line "$TESTTMP/leak.out" closed
sleep 1.2
"$TCPSCOPE" -b -j -n 1 >"$TESTTMP/live3.json" 2>/dev/null
wait "$LEAK_PID"
sleep 0.8
kill -TERM "$REC_PID" "$EV_PID"
wait "$REC_PID"
RC=$?
wait "$EV_PID"
check "recorder exits 0 on SIGTERM" "$RC" "exit $RC: $(cat "$TESTTMP/rec.err")"
[ "$(stat -c %a "$R")" = 700 ] && [ "$(stat -c %a "$R"/tcpscope-*.data)" = 600 ] &&
	[ "$(stat -c %a "$R"/tcpscope-*.index)" = 600 ]
check "directory 0700, files 0600" $? "$(ls -la "$R")"

# The fields compared: identity, state, queues and owner. Left out, as they
# move between two polls a moment apart: every time, age and rate, the
# timers, tcp_info counters and RTTs; and the owner of sockets without an
# inode (TIME_WAIT), which the recorder's tracker remembers and a one-shot
# -b cannot know.
proj='[.sockets[] | select(.local_port == 7201 or .remote_port == 7201) |
	{family, state, local_addr, local_port, remote_addr, remote_port, recv_q, send_q, uid,
	 inode, cookie, congestion,
	 pid: (if .inode == 0 then null else .pid end),
	 process: (if .inode == 0 then null else .process end)}] | sort_by(.cookie, .local_port)'
for i in 1 2 3; do
	T=$(jq -r .time "$TESTTMP/live$i.json")
	"$TCPSCOPE" -r "$R" --at "@$T" -j >"$TESTTMP/rep$i.json" 2>"$TESTTMP/rep$i.err"
	RC=$?
	jq -c "$proj" "$TESTTMP/live$i.json" >"$TESTTMP/live$i.p"
	jq -c "$proj" "$TESTTMP/rep$i.json" >"$TESTTMP/rep$i.p" 2>/dev/null
	# The third is after the close: nothing left on the port, in both.
	[ "$RC" -eq 0 ] && [ -s "$TESTTMP/live$i.p" ] &&
		{ [ "$i" -eq 3 ] || [ "$(cat "$TESTTMP/live$i.p")" != "[]" ]; } && cmp -s "$TESTTMP/live$i.p" "$TESTTMP/rep$i.p"
	check "--at the time of live snapshot $i: the same sockets" $? \
		"rc $RC $(cat "$TESTTMP/rep$i.err") live $(head -c 400 "$TESTTMP/live$i.p") replay $(head -c 400 "$TESTTMP/rep$i.p")"
done
# Same keys as the live JSON, in the same order.
[ "$(jq -c '[keys_unsorted, (.sockets[0] | keys_unsorted)]' "$TESTTMP/live1.json")" = \
  "$(jq -c '[keys_unsorted, (.sockets[0] | keys_unsorted)]' "$TESTTMP/rep1.json")" ]
check "replayed -j has the live keys" $?
jq -e '.alerts | map(select(.kind == "close_wait" and .owner.process == "leak")) | length == 1' \
	"$TESTTMP/rep2.json" >/dev/null
check "replayed snapshot carries the recorded close_wait alert" $? "$(jq -c .alerts "$TESTTMP/rep2.json" | head -c 300)"
"$TCPSCOPE" -r "$R" --at "@$(jq -r .time "$TESTTMP/live2.json")" -b >"$TESTTMP/rep2.txt" 2>&1 &&
	grep -q "CLOSE-WAIT" "$TESTTMP/rep2.txt" && grep -q "^ALERTS (1):" "$TESTTMP/rep2.txt"
check "replayed text table with its alert section" $? "$(head -5 "$TESTTMP/rep2.txt")"
"$TCPSCOPE" -r "$R" --at "@$(jq -r .time "$TESTTMP/live2.json")" -j state close-wait \
	>"$TESTTMP/rep2f.json" 2>&1
jq -e '(.sockets | length) == 8 and (.sockets | all(.state == "CLOSE_WAIT"))' \
	"$TESTTMP/rep2f.json" >/dev/null
check "a filter applies to the replay" $? "$(head -c 300 "$TESTTMP/rep2f.json")"

# Events: the replay between the first and last frame against the live
# stream over the same run: the same sockets opened and closed.
evset='select((.local_port == 7201 or .remote_port == 7201) and (.event == "new" or .event == "closed")) | "\(.event) \(.cookie)"'
"$TCPSCOPE" -r "$R" -e -j >"$TESTTMP/rep_ev.json" 2>"$TESTTMP/rep_ev.err"
RC=$?
jq -r "$evset" "$TESTTMP/live_ev.json" | sort >"$TESTTMP/live_ev.set"
jq -r "$evset" "$TESTTMP/rep_ev.json" | sort >"$TESTTMP/rep_ev.set"
[ "$RC" -eq 0 ] && [ "$(wc -l <"$TESTTMP/live_ev.set")" -ge 16 ] &&
	cmp -s "$TESTTMP/live_ev.set" "$TESTTMP/rep_ev.set"
check "replayed events equal the live -e -j stream (new and closed, by cookie)" $? \
	"rc $RC live $(wc -l <"$TESTTMP/live_ev.set") replay $(wc -l <"$TESTTMP/rep_ev.set"): $(diff "$TESTTMP/live_ev.set" "$TESTTMP/rep_ev.set" | head -5)"
grep -q '"event":"alert_raised".*"kind":"close_wait"' "$TESTTMP/rep_ev.json"
check "replayed events include the alert raised" $?
T2=$(jq -r .time "$TESTTMP/live2.json")
"$TCPSCOPE" -r "$R" -e -j --from "@$T2" --to "@$(jq -r .time "$TESTTMP/live3.json")" \
	>"$TESTTMP/rep_ev2.json" 2>&1
jq -e -s --argjson t "$T2" 'length > 0 and all(.[]; .event != "new")' "$TESTTMP/rep_ev2.json" >/dev/null
check "--from/--to selects the span (only the closes)" $? "$(head -c 300 "$TESTTMP/rep_ev2.json")"
"$TCPSCOPE" -r "$R" --record-info >"$TESTTMP/info" 2>&1 &&
	grep -q "^frames: *[0-9]" "$TESTTMP/info" && grep -q "^gaps:" "$TESTTMP/info" &&
	grep -q "^span:" "$TESTTMP/info"
check "--record-info summarises" $? "$(cat "$TESTTMP/info")"

# ------------------------------------------------------------- -A: names
NSA=tsR$$a
CG2=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
CGB=${CG2:+$CG2/tcpscope-rec-$$}
SVCD=$CGB/system.slice/recleak.service
APIDS=""
cleanup_a() {
	for p in $APIDS; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	ip netns del "$NSA" 2>/dev/null
	[ -n "$CGB" ] && rmdir "$SVCD" "$CGB/system.slice" "$CGB" 2>/dev/null
	APIDS=""
}
trap 'cleanup_a; rm -rf "$TESTTMP"' EXIT
if ip netns add "$NSA" 2>/dev/null; then
	ip netns exec "$NSA" ip link set lo up
	[ -n "$CGB" ] && mkdir -p "$SVCD" 2>/dev/null || SVCD=""
	RA=$TESTTMP/recA
	# Into the cgroup first: `ip netns exec` mounts a sysfs of its own.
	sh -c '[ -n "$1" ] && echo $$ >"$1/cgroup.procs"; exec ip netns exec "$2" "$3" closewait 7301 5 40 1' \
		sh "$SVCD" "$NSA" "$TOOLS/leak" >"$TESTTMP/leakA.out" 2>&1 &
	APIDS="$APIDS $!"
	TA="--threshold close_wait.age=0.5s"
	wait_line "$TESTTMP/leakA.out" ready
	"$TCPSCOPE" -A --record "$RA" -d 0.5 --cpu-budget 0 $TA 2>"$TESTTMP/recA.err" &
	RAPID=$!
	APIDS="$APIDS $RAPID"
	# Until the recording holds the alert (bounded; that frame kept), then a
	# live snapshot, then one more recorded frame.
	i=0
	while [ $i -lt 60 ]; do
		"$TCPSCOPE" -r "$RA" -j >"$TESTTMP/repAl.json" 2>/dev/null
		jq -e --arg n "$NSA" '.alerts | any(.kind == "close_wait" and (.owner.text | contains($n)))' \
			"$TESTTMP/repAl.json" >/dev/null 2>&1 && break
		sleep 0.25; i=$((i + 1))
	done
	"$TCPSCOPE" -A -b -j -n 1 $TA >"$TESTTMP/liveA.json" 2>"$TESTTMP/liveA.err"
	NA=$("$TCPSCOPE" -r "$RA" --record-info 2>/dev/null | sed -n 's/^frames: *\([0-9]*\).*/\1/p')
	i=0
	while [ $i -lt 60 ] && [ "$("$TCPSCOPE" -r "$RA" --record-info 2>/dev/null |
		sed -n 's/^frames: *\([0-9]*\).*/\1/p')" -le "${NA:-0}" ] 2>/dev/null; do
		sleep 0.25; i=$((i + 1))
	done
	kill -TERM "$RAPID"
	wait "$RAPID"
	TL=$(jq -r .time "$TESTTMP/liveA.json")
	"$TCPSCOPE" -r "$RA" --at "@$TL" -j >"$TESTTMP/repA.json" 2>"$TESTTMP/repA.err"
	RC=$?
	# Other namespaces on the host may have anything: only ours, by name
	# (a replay without the names would select nothing).
	projA='[.sockets[] | select(.netns.name == $n and (.local_port == 7301 or .remote_port == 7301)) |
		{state, local_port, remote_port, cookie, netns, cgroup_id, cgroup, service, container}] |
		sort_by(.cookie, .local_port)'
	jq -c --arg n "$NSA" "$projA" "$TESTTMP/liveA.json" >"$TESTTMP/liveA.p" 2>/dev/null
	jq -c --arg n "$NSA" "$projA" "$TESTTMP/repA.json" >"$TESTTMP/repA.p" 2>/dev/null
	[ "$RC" -eq 0 ] && jq -e 'length >= 10' "$TESTTMP/liveA.p" >/dev/null &&
		cmp -s "$TESTTMP/liveA.p" "$TESTTMP/repA.p"
	check "-A: replayed sockets carry the live namespace names and cgroups" $? \
		"rc $RC $(head -c 300 "$TESTTMP/repA.err") live $(head -c 400 "$TESTTMP/liveA.p") replay $(head -c 400 "$TESTTMP/repA.p")"
	if [ -n "$SVCD" ]; then
		jq -e 'map(select(.local_port == 7301 and .state == "CLOSE_WAIT")) |
			length == 5 and all(.service == "recleak.service")' "$TESTTMP/repA.p" >/dev/null
		check "-A: the replayed leak's sockets name their service" $? "$(head -c 400 "$TESTTMP/repA.p")"
	else
		skip "-A: service names" "cannot create a cgroup"
	fi
	# The recorded alert's owner: its namespace and unit as the live
	# sockets name them (a one-shot -A -b may not judge the leak old enough
	# to alert, so the live alert is not the reference).
	UNIT=$(jq -r 'map(select(.state == "CLOSE_WAIT")) | .[0].service // ""' "$TESTTMP/liveA.p" 2>/dev/null)
	jq -e --arg n "$NSA" --arg u "$UNIT" '[.alerts[] |
		select(.kind == "close_wait" and (.owner.text | contains($n)))] |
		length == 1 and .[0].owner.unit == (if $u == "" then null else $u end) and
		(.[0].owner.text | endswith(" in " + $n))' "$TESTTMP/repAl.json" >/dev/null
	check "-A: the recorded alert's owner names the live namespace and unit" $? \
		"unit '$UNIT': $(jq -c '[.alerts[] | [.kind, .owner.text, .owner.unit]]' "$TESTTMP/repAl.json" 2>&1 | head -c 400)"
	# -N: one named namespace (the leak's, still up). The recording says
	# which, and its last frame holds the sockets a live -N one-shot shows
	# (the leak's are still: same cookies, states and ports), no others.
	RN=$TESTTMP/recN
	"$TCPSCOPE" -N "$NSA" --record "$RN" -d 0.3 -n 4 --cpu-budget 0 2>"$TESTTMP/recN.err"
	RC=$?
	"$TCPSCOPE" -r "$RN" --record-info >"$TESTTMP/infoN" 2>&1
	[ "$RC" -eq 0 ] && grep -q "^namespace: *$NSA\$" "$TESTTMP/infoN" &&
		grep -q '^frames: *4,' "$TESTTMP/infoN"
	check "-N: the recording's summary names its namespace" $? \
		"rc $RC $(head -c 300 "$TESTTMP/recN.err") $(cat "$TESTTMP/infoN")"
	"$TCPSCOPE" -N "$NSA" -b -j -n 1 >"$TESTTMP/liveN.json" 2>"$TESTTMP/liveN.err"
	"$TCPSCOPE" -r "$RN" -j >"$TESTTMP/repN.json" 2>"$TESTTMP/repN.err"
	RC=$?
	projN='[.sockets[] | {state, local_port, remote_port, cookie}] | sort_by(.cookie, .local_port)'
	jq -c "$projN" "$TESTTMP/liveN.json" >"$TESTTMP/liveN.p" 2>/dev/null
	jq -c "$projN" "$TESTTMP/repN.json" >"$TESTTMP/repN.p" 2>/dev/null
	[ "$RC" -eq 0 ] && jq -e 'length >= 10 and all(.local_port == 7301 or .remote_port == 7301)' \
		"$TESTTMP/liveN.p" >/dev/null && cmp -s "$TESTTMP/liveN.p" "$TESTTMP/repN.p"
	check "-N: the replay holds that namespace's sockets as live -N shows them" $? \
		"rc $RC $(head -c 200 "$TESTTMP/repN.err") live $(head -c 300 "$TESTTMP/liveN.p") replay $(head -c 300 "$TESTTMP/repN.p")"
	cleanup_a
else
	skip "-A recording" "ip netns add refused"
fi

# ------------------------------------------------------------- bad input
"$TCPSCOPE" -r "$TESTTMP/nope" -j --at now >/dev/null 2>"$TESTTMP/bad.err"
[ $? -eq 2 ] && grep -q "$TESTTMP/nope" "$TESTTMP/bad.err"
check "missing recording: exit 2 naming it" $? "$(cat "$TESTTMP/bad.err")"
mkdir -p "$TESTTMP/empty"
"$TCPSCOPE" -r "$TESTTMP/empty" --record-info >/dev/null 2>"$TESTTMP/bad.err"
[ $? -eq 2 ] && grep -q "not a tcpscope recording" "$TESTTMP/bad.err"
check "a directory that is not a recording: exit 2" $? "$(cat "$TESTTMP/bad.err")"
"$TCPSCOPE" -r "$R" -j --at "@1000" >/dev/null 2>"$TESTTMP/bad.err"
[ $? -eq 2 ] && grep -q "outside the recording (it covers" "$TESTTMP/bad.err"
check "a time before the recording: exit 2 naming the range" $? "$(cat "$TESTTMP/bad.err")"
"$TCPSCOPE" -r "$R" -j --at "@$(($(date +%s) + 3600))" >/dev/null 2>"$TESTTMP/bad.err"
[ $? -eq 2 ] && grep -q "covers" "$TESTTMP/bad.err"
check "a time after the recording: exit 2" $? "$(cat "$TESTTMP/bad.err")"
"$TCPSCOPE" -r "$R" -j --at "half past three" >/dev/null 2>"$TESTTMP/bad.err"
[ $? -eq 2 ] && grep -q "is not a time" "$TESTTMP/bad.err"
check "a malformed time: exit 2" $? "$(cat "$TESTTMP/bad.err")"
NV=$TESTTMP/newer
cp -r "$R" "$NV"
DF=$(ls "$NV"/tcpscope-*.data | head -n 1)
printf '\011' | dd of="$DF" bs=1 seek=8 conv=notrunc 2>/dev/null
"$TCPSCOPE" -r "$NV" --record-info >/dev/null 2>"$TESTTMP/bad.err"
[ $? -eq 2 ] && grep -q "$(basename "$DF"): format version 9 is newer" "$TESTTMP/bad.err"
check "a shard from a newer format: exit 2 naming the file" $? "$(cat "$TESTTMP/bad.err")"
for args in "--record $R -b" "--at 03:10 -j" "-r $R --from -1h -j" "-r $R --at -1h -e" \
	"--record $R -r $R" "--record-keep 0 --record $R" "--record-max 2Q --record $R"; do
	# shellcheck disable=SC2086
	"$TCPSCOPE" $args >/dev/null 2>"$TESTTMP/bad.err"
	check "usage error: $args" $([ $? -eq 2 ] && echo 0 || echo 1) "$(cat "$TESTTMP/bad.err")"
done
"$TCPSCOPE" -r "$R" -j >"$TESTTMP/last.json" 2>&1 && jq -e '.sockets | type == "array"' "$TESTTMP/last.json" >/dev/null
check "-r DIR -j without --at: the last frame" $? "$(head -c 200 "$TESTTMP/last.json")"

# ------------------------------------------------------------- damage
DM=$TESTTMP/damaged
cp -r "$R" "$DM"
DF=$(ls "$DM"/tcpscope-*.data | head -n 1)
IF=${DF%.data}.index
SZ=$(stat -c %s "$DF")
NF=$("$TCPSCOPE" -r "$DM" --record-info | sed -n 's/^frames: *\([0-9]*\).*/\1/p')
for off in $((SZ / 3)) $((SZ / 2)) $((SZ * 3 / 4)); do
	printf '\377\000\377' | dd of="$DF" bs=1 seek="$off" conv=notrunc 2>/dev/null
done
printf 'XX' | dd of="$IF" bs=1 seek=$((40 + 48 * 3 + 10)) conv=notrunc 2>/dev/null
truncate -s $(( $(stat -c %s "$IF") - 20 )) "$IF"
"$TCPSCOPE" -r "$DM" -e -j >"$TESTTMP/dm.json" 2>"$TESTTMP/dm.err"
RC=$?
[ "$RC" -eq 0 ] && grep -q "skipped" "$TESTTMP/dm.err" && [ -s "$TESTTMP/dm.json" ]
check "damaged frames and entries skipped with a notice, exit 0" $? "rc $RC: $(head -c 400 "$TESTTMP/dm.err")"
"$TCPSCOPE" -r "$DM" --record-info >"$TESTTMP/dm.info" 2>&1
RC=$?
NF2=$(sed -n 's/^frames: *\([0-9]*\).*/\1/p' "$TESTTMP/dm.info")
[ "$RC" -eq 0 ] && [ "$NF2" -eq $((NF - 2)) ] && grep -q "^damaged: *1 " "$TESTTMP/dm.info"
check "a flipped entry and a torn last entry count as never written" $? "$NF -> $NF2: $(cat "$TESTTMP/dm.info")"
"$TCPSCOPE" -r "$DM" -j --at "@$T2" >/dev/null 2>&1
check "--at on a damaged recording: exit 0" $?
truncate -s $((SZ / 2)) "$DF"
"$TCPSCOPE" -r "$DM" -e -j >/dev/null 2>"$TESTTMP/dm.err"
check "a data file cut in half: exit 0, frames past the cut skipped" $? "$(head -c 300 "$TESTTMP/dm.err")"

# ------------------------------------------------------------- crash
C=$TESTTMP/crash
PREV=0
BAD=""
WROTE=0
i=0
while [ $i -lt 20 ]; do
	"$TCPSCOPE" --record "$C" -d 0.05 --cpu-budget 0 2>>"$TESTTMP/crash.err" &
	P=$!
	sleep "0.$(( (i * 37 % 9) + 1 ))$(( i % 10 ))"
	kill -KILL "$P" 2>/dev/null
	wait "$P" 2>/dev/null
	"$TCPSCOPE" -r "$C" --record-info >"$TESTTMP/crash.info" 2>"$TESTTMP/crash.ierr"
	RC=$?
	N=$(sed -n 's/^frames: *\([0-9]*\).*/\1/p' "$TESTTMP/crash.info")
	"$TCPSCOPE" -r "$C" -e -j >/dev/null 2>"$TESTTMP/crash.rerr"
	RC2=$?
	# Killed before its first frame: the shard is there, with no frame.
	if [ "$PREV" -eq 0 ] && [ "$RC" -eq 2 ] && grep -q "no frame yet" "$TESTTMP/crash.ierr"; then
		i=$((i + 1))
		continue
	fi
	if [ "$RC" -ne 0 ] || [ "$RC2" -ne 0 ] || [ -z "$N" ] || [ "$N" -lt "$PREV" ] ||
	   [ -s "$TESTTMP/crash.rerr" ] || ! grep -q "^damaged: *0 " "$TESTTMP/crash.info"; then
		BAD="$BAD run $i (rc $RC/$RC2, $PREV -> $N: $(head -c 200 "$TESTTMP/crash.rerr"))"
	fi
	[ -n "$N" ] && [ "$N" -gt "$PREV" ] && WROTE=$((WROTE + 1))
	PREV=${N:-$PREV}
	i=$((i + 1))
done
[ -z "$BAD" ]
check "kill -9 at 20 random moments: every earlier frame reads back" $? "$BAD"
[ "$WROTE" -ge 10 ]
check "most killed runs had appended frames ($WROTE of 20, $PREV frames)" $?

# ------------------------------------------------------------- disk full
if unshare -m true 2>/dev/null; then
	FULL=$TESTTMP/full
	mkdir -p "$FULL"
	unshare -m sh -c '
		mount -t tmpfs -o size=256k tmpfs "$1" || exit 77
		"$2" --record "$1/rec" -d 0.05 --cpu-budget 0 2>"$3/full.err" &
		P=$!
		sleep 0.5
		dd if=/dev/zero of="$1/fill" bs=4k 2>/dev/null
		i=0; while [ $i -lt 100 ] && ! grep -q "disk full" "$3/full.err"; do sleep 0.1; i=$((i+1)); done
		sleep 0.5
		kill -0 $P || exit 3
		"$2" -r "$1/rec" --record-info >"$3/full.info1" 2>&1 || exit 4
		rm -f "$1/fill"
		i=0; while [ $i -lt 100 ] && ! grep -q "resumed" "$3/full.err"; do sleep 0.1; i=$((i+1)); done
		sleep 0.3
		kill -TERM $P; wait $P || exit 5
		"$2" -r "$1/rec" --record-info >"$3/full.info2" 2>&1 || exit 6
		"$2" -r "$1/rec" -e -j >/dev/null 2>"$3/full.rerr" || exit 7
		[ -s "$3/full.rerr" ] && exit 8
		exit 0
	' sh "$FULL" "$TCPSCOPE" "$TESTTMP"
	RC=$?
	if [ "$RC" -eq 77 ]; then
		skip "disk full" "cannot mount a tmpfs here"
	else
		check "disk full: the recorder keeps running, the recording reads back" "$RC" \
			"exit $RC: $(cat "$TESTTMP/full.err" "$TESTTMP/full.rerr" 2>/dev/null | head -c 400)"
		[ "$(grep -c "disk full" "$TESTTMP/full.err")" -eq 1 ]
		check "disk full reported once" $? "$(cat "$TESTTMP/full.err")"
		grep -q "recording resumed; [1-9][0-9]* frames were lost" "$TESTTMP/full.err"
		check "resumes when space returns, saying how many frames were lost" $? "$(cat "$TESTTMP/full.err")"
		N1=$(sed -n 's/^frames: *\([0-9]*\).*/\1/p' "$TESTTMP/full.info1")
		N2=$(sed -n 's/^frames: *\([0-9]*\).*/\1/p' "$TESTTMP/full.info2")
		[ -n "$N1" ] && [ -n "$N2" ] && [ "$N2" -gt "$N1" ] &&
			grep -q "^dropped: *[1-9]" "$TESTTMP/full.info2" && grep -q "^gaps: *[1-9]" "$TESTTMP/full.info2"
		check "frames after the space returned; the gap and the drops are shown" $? \
			"$N1 -> $N2: $(cat "$TESTTMP/full.info2")"
	fi
else
	skip "disk full" "unshare -m refused"
fi
finish
