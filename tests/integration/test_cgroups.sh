#!/bin/sh
# test_cgroups.sh — owners by cgroup, on real cgroups in the cgroup2
# hierarchy made by the test and shaped like systemd, Docker, Podman and
# Kubernetes paths, with the runtimes' state files staged in a temporary
# root (--runtime-root): each listener is labelled with its service,
# container or pod (JSON, text with -A, the filter terms); a malformed state
# file shows the id instead of a name; connections that open and close
# between two polls get `closed` events whose server side names the
# listener's service (owner_from: listener).
. "$(dirname "$0")/../lib/lib.sh"
need_netns "$@"
command -v jq >/dev/null 2>&1 || skip_all "jq not installed"

CG2=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
[ -n "$CG2" ] || skip_all "no cgroup2 hierarchy mounted"
BASE=$CG2/tcpscope-test-$$
mkdir "$BASE" 2>/dev/null || skip_all "cannot create a cgroup under $CG2"
DOCKER=4f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8
PODMAN=9e8d7c6b5a49382716051f2e3d4c5b6a79881726354f4e3d2c1b0a9f8e7d6c5b
BROKEN=aaaabbbbccccddddeeeeffff0000111122223333444455556666777788889999
KUID=0f2c5a1e-3b4d-4c6e-8f7a-9b0c1d2e3f40
KCTR=1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef
KUID_=$(echo "$KUID" | tr - _)
SVC=$BASE/system.slice/shopfront.service
DCK=$BASE/system.slice/docker-$DOCKER.scope
BRK=$BASE/system.slice/docker-$BROKEN.scope
POD=$BASE/machine.slice/libpod-$PODMAN.scope
K8S=$BASE/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod$KUID_.slice/cri-containerd-$KCTR.scope
PIDS=""
cleanup() {
	exec 3>&- 2>/dev/null
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	# Leaves first: a cgroup is removed only once empty.
	for d in "$K8S" "$(dirname "$K8S")" "$(dirname "$(dirname "$K8S")")" "$BASE/kubepods.slice" \
		"$POD" "$BASE/machine.slice" "$SVC" "$DCK" "$BRK" "$BASE/system.slice" "$BASE"; do
		rmdir "$d" 2>/dev/null
	done
	rm -rf "$TESTTMP"
}
trap cleanup EXIT
for d in "$SVC" "$DCK" "$BRK" "$POD" "$K8S"; do
	mkdir -p "$d" || skip_all "cannot create $d"
done

# The runtimes' state files, where they keep them, under a staged root.
R=$TESTTMP/root
mkdir -p "$R/var/lib/docker/containers/$DOCKER" "$R/var/lib/docker/containers/$BROKEN" \
	"$R/var/lib/containers/storage/overlay-containers" "$R/var/log/pods/shop_web-7d4f9_$KUID"
printf '{"ID":"%s","Config":{"Hostname":"x"},"Name":"/shop-api","State":{"Running":true}}' \
	"$DOCKER" >"$R/var/lib/docker/containers/$DOCKER/config.v2.json"
printf '{"ID":"%s","Name":' "$BROKEN" >"$R/var/lib/docker/containers/$BROKEN/config.v2.json"
printf '[{"id":"%s","names":["cache-podman"],"image":"x"}]' "$PODMAN" \
	>"$R/var/lib/containers/storage/overlay-containers/containers.json"

# One listener per cgroup: the process joins the cgroup, then creates its
# sockets (a socket's cgroup is its creator's at creation).
start_in() { # cgroup port
	sh -c 'echo $$ >"$1/cgroup.procs" && exec "$2" churn "$3" 1 60' sh "$1" "$TOOLS/leak" "$2" \
		>"$TESTTMP/leak-$2.out" 2>&1 &
	PIDS="$PIDS $!"
}
start_in "$SVC" 7401
start_in "$DCK" 7402
start_in "$POD" 7403
start_in "$K8S" 7404
start_in "$BRK" 7405
# A CLOSE_WAIT leak inside the Docker-shaped cgroup.
sh -c 'echo $$ >"$1/cgroup.procs" && exec "$2" closewait 7406 3 60 1' sh "$DCK" "$TOOLS/leak" \
	>"$TESTTMP/leak-7406.out" 2>&1 &
PIDS="$PIDS $!"
for p in 7401 7402 7403 7404 7405 7406; do
	wait_for 10 grep -qx ready "$TESTTMP/leak-$p.out" || skip_all "listener $p did not start: $(cat "$TESTTMP/leak-$p.out")"
done

"$TCPSCOPE" -b -j -n 1 --runtime-root "$R" >"$TESTTMP/snap.json" 2>"$TESTTMP/snap.err"
check "tcpscope -b -j --runtime-root exits 0" $? "$(cat "$TESTTMP/snap.err")"
lbl() { # port jq-expression
	jq -r --argjson p "$1" "[.sockets[] | select(.state == \"LISTEN\" and .local_port == \$p)][0] | $2" \
		"$TESTTMP/snap.json"
}
[ "$(lbl 7401 .service)" = "shopfront.service" ] &&
	[ "$(lbl 7401 .cgroup)" = "/tcpscope-test-$$/system.slice/shopfront.service" ]
check "systemd service: shopfront.service, cgroup path as ss --cgroup prints it" $? \
	"$(lbl 7401 '[.cgroup_id, .cgroup, .service, .container]')"
[ "$(lbl 7402 .container)" = "docker:shop-api" ]
check "Docker: docker:shop-api (name from config.v2.json)" $? "$(lbl 7402 '[.cgroup, .container]')"
[ "$(lbl 7403 .container)" = "podman:cache-podman" ]
check "Podman: podman:cache-podman (name from containers.json)" $? "$(lbl 7403 '[.cgroup, .container]')"
[ "$(lbl 7404 .container)" = "k8s:shop/web-7d4f9" ]
check "Kubernetes: k8s:shop/web-7d4f9 (from the kubelet's pod log directory)" $? \
	"$(lbl 7404 '[.cgroup, .container]')"
[ "$(lbl 7405 .container)" = "docker:$(echo "$BROKEN" | cut -c1-12)" ]
check "malformed state file: the 12-character id, never a guess" $? "$(lbl 7405 '[.cgroup, .container]')"
[ "$(lbl 7401 .cgroup_id)" -gt 1 ] 2>/dev/null
check "cgroup_id is the kernel's (not the root's)" $? "$(lbl 7401 .cgroup_id)"

# Filters: service, container (full or bare name), cgroup PATH (ss's term).
n=$("$TCPSCOPE" -b -j -n 1 --runtime-root "$R" 'service shopfront.service and state listening' | jq '.sockets | length')
check "filter: service shopfront.service" "$([ "$n" = 1 ]; echo $?)" "$n sockets"
n=$("$TCPSCOPE" -b -j -n 1 --runtime-root "$R" 'container shop-api and state listening' | jq '[.sockets[] | .local_port] | sort == [7402, 7406]')
check "filter: container shop-api (the name without docker:): its two listeners" "$([ "$n" = true ]; echo $?)" "$n"
n=$("$TCPSCOPE" -b -j -n 1 --runtime-root "$R" "cgroup $SVC and state listening" | jq '[.sockets[] | select(.local_port == 7401)] | length')
check "filter: cgroup /sys/fs/cgroup/... (the mount path) selects that cgroup" "$([ "$n" = 1 ]; echo $?)" "$n"
n=$("$TCPSCOPE" -b -j -n 1 --runtime-root "$R" 'container k8s:* and state listening' | jq '.sockets | length')
check "filter: container 'k8s:*' (a glob)" "$([ "$n" = 1 ]; echo $?)" "$n sockets"

# Short-lived connections: each churn process opens and closes a
# connection a second to itself; the server side ends between two polls,
# seen only by its destroy message, and takes its listener's owner.
"$TCPSCOPE" -e -j -d 5 -n 2 --runtime-root "$R" 'sport = :7401' >"$TESTTMP/ev.json" 2>"$TESTTMP/ev.err"
jq -e -s 'map(select(.event == "closed" and .seen_by == "destroy" and .local_port == 7401)) |
	length >= 2 and all(.owner_from == "listener" and .service == "shopfront.service" and
	.process == "leak")' "$TESTTMP/ev.json" >/dev/null
check "closed between polls: the server side named by its listener (shopfront.service, leak)" $? \
	"$(jq -c -s 'map(select(.event == "closed")) | map([.seen_by, .owner_from, .local_port, .service, .process]) | .[:6]' "$TESTTMP/ev.json" 2>&1 | head -c 700) $(cat "$TESTTMP/ev.err")"

# The detector names the container its leaking process runs in.
sleep 0.6
"$TCPSCOPE" -b -j -n 1 --runtime-root "$R" --threshold close_wait.age=0.5s >"$TESTTMP/al.json" 2>/dev/null
jq -e '.alerts | map(select(.kind == "close_wait" and .owner.process == "leak" and
	.owner.unit == "docker:shop-api" and (.message | contains("(docker:shop-api)")))) | length == 1' \
	"$TESTTMP/al.json" >/dev/null
check "close_wait alert: held by leak[PID] (docker:shop-api)" $? \
	"$(jq -c '[.alerts[] | select(.kind == "close_wait") | [.owner.unit, .message]]' "$TESTTMP/al.json" | head -c 600)"

# Text with -A: the Unit column.
"$TCPSCOPE" -A -b -n 1 --runtime-root "$R" 'sport = :7402 and state listening' >"$TESTTMP/a.txt" 2>&1
grep -q 'Unit$' "$TESTTMP/a.txt" && grep -q 'docker:shop-api$' "$TESTTMP/a.txt"
check "-A -b: a Unit column names docker:shop-api" $? "$(cat "$TESTTMP/a.txt")"
finish
