#!/bin/sh
# Shell completion (src/dist/): the bash function driven the way bash drives
# it (COMP_WORDS, COMP_CWORD, COMP_LINE; then COMPREPLY is read back), for
# options, --threshold keys, state names, --source and -N namespace names;
# every state name it offers is one tcpscope accepts. `make install` puts it
# where bash-completion's loader finds it. The zsh function parses, names
# every long option of --help, and is driven in a zsh on a pty the same way.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/options.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
bashcomp=$top/src/dist/bash-completion/tcpscope
zshcomp=$top/src/dist/zsh/_tcpscope
TS=$(cd "$(dirname "$TCPSCOPE")" && pwd)/$(basename "$TCPSCOPE")

cat >"$TESTTMP/drive.bash" <<'DRIVER'
# drive.bash FILE LINE — complete LINE (the cursor at its end) with the
# function in FILE; prints COMPREPLY sorted, one per line, and "compopt ARGS"
# lines for the options it set.
. /usr/share/bash-completion/bash_completion
. "$1"
compopt() { local IFS=" "; echo "compopt $*"; }
COMP_LINE=$2
COMP_POINT=${#COMP_LINE}
# Split as readline does with the default COMP_WORDBREAKS: on blanks, and
# "=" is a word of its own.
read -ra COMP_WORDS <<<"${COMP_LINE//=/ = }"
[[ $COMP_LINE == *' ' ]] && COMP_WORDS+=('')
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMPREPLY=()
_tcpscope "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort
DRIVER

# comp LINE — the completions of "TCPSCOPE LINE" into $TESTTMP/got.
comp() { bash "$TESTTMP/drive.bash" "$bashcomp" "$TS $1" >"$TESTTMP/got" 2>"$TESTTMP/comperr"; }
# expect NAME LINE WORD... — the completions are exactly WORDs.
expect() {
	name=$1 line=$2; shift 2
	comp "$line"
	printf '%s\n' "$@" | LC_ALL=C sort >"$TESTTMP/want"
	grep -v '^compopt ' "$TESTTMP/got" >"$TESTTMP/got.words"
	if cmp -s "$TESTTMP/want" "$TESTTMP/got.words" && [ ! -s "$TESTTMP/comperr" ]; then
		pass "$name"
	else
		fail "$name" "'$line' gave [$(tr '\n' ' ' <"$TESTTMP/got.words")] want [$*] $(head -c 200 "$TESTTMP/comperr")"
	fi
}

# zsh cannot complete outside its line editor: zdrive.zsh types LINE and a
# Tab into an interactive zsh on a pty, where zinit.zsh has wrapped compadd
# to write every match it adds to a file.
cat >"$TESTTMP/zinit.zsh" <<'ZINIT'
PS1=
fpath=($ZT_DIR $fpath)
autoload -Uz compinit && compinit -u -D
compadd() {
	local a
	for a in "$@"; do
		[[ $a == -[OAD] ]] && { builtin compadd "$@"; return; }
		[[ $a == - || $a == -- ]] && break
	done
	local -a __m
	builtin compadd -O __m "$@"
	(( $#__m )) && print -rl -- $__m >>$ZT_OUT
	builtin compadd "$@"
}
print -r -- ready >$ZT_OUT.ready
ZINIT
cat >"$TESTTMP/zdrive.zsh" <<'ZDRIVE'
# zdrive.zsh DIR LINE OUT INIT
zmodload zsh/zpty || exit 2
export ZT_DIR=$1 ZT_OUT=$3
zpty z zsh -f -i
zpty -w z "source ${(q)4}"
integer i
for i in {1..100}; do [[ -e $3.ready ]] && break; zpty -r -t z junk; sleep 0.05; done
# Tab, then (zle takes its input in order) clear the line and say done.
zpty -w -n z "${2}"$'\t'$'\025'"print -r -- done >${(q)3}.done"$'\n'
for i in {1..100}; do [[ -e $3.done ]] && break; zpty -r -t z junk; sleep 0.05; done
zpty -d z
[[ -e $3.done ]]
ZDRIVE
# zexpect NAME LINE WORD... — zsh offers exactly WORDs for "tcpscope LINE".
zexpect() {
	name=$1 line=$2; shift 2
	rm -f "$TESTTMP/zout" "$TESTTMP/zout.ready" "$TESTTMP/zout.done"
	: >"$TESTTMP/zout"
	if ! PATH="$(dirname "$TS"):$PATH" timeout -k 2 20 zsh -f "$TESTTMP/zdrive.zsh" \
		"$(dirname "$zshcomp")" "tcpscope $line" "$TESTTMP/zout" "$TESTTMP/zinit.zsh"; then
		fail "zsh: $name" "the completion did not finish"
		return
	fi
	LC_ALL=C sort -u "$TESTTMP/zout" >"$TESTTMP/zgot"
	printf '%s\n' "$@" | LC_ALL=C sort -u >"$TESTTMP/want"
	if cmp -s "$TESTTMP/want" "$TESTTMP/zgot"; then
		pass "zsh: $name"
	else
		fail "zsh: $name" "'$line' gave [$(tr '\n' ' ' <"$TESTTMP/zgot")] want [$*]"
	fi
}

bash -n "$bashcomp" && pass "bash completion parses" || fail "bash -n" "$bashcomp"

# Options: exactly the long options of --help.
"$TCPSCOPE" --help >"$TESTTMP/help"
# shellcheck disable=SC2046
expect "options: every long option of --help" "-" $(help_options "$TESTTMP/help" | grep '^--')
expect "options: --th completes to --threshold" "--th" --threshold
expect "options: --no-p completes to --no-processes" "--no-p" --no-processes

# --threshold keys from --list-thresholds, with '=' and no space after.
"$TCPSCOPE" --list-thresholds | awk 'NR > 1 { print $1 "=" }' >"$TESTTMP/keys"
nkeys=$(wc -l <"$TESTTMP/keys")
[ "$nkeys" -ge 20 ] && pass "--list-thresholds lists $nkeys keys" || fail "--list-thresholds" "$nkeys keys"
# shellcheck disable=SC2046
expect "--threshold KEY: every key" "--threshold " $(cat "$TESTTMP/keys")
# shellcheck disable=SC2046
expect "--threshold clo: the close_wait keys" "--threshold clo" $(grep '^close_wait\.' "$TESTTMP/keys")
# shellcheck disable=SC2046
expect "--threshold=syn_s: the syn_sent keys" "--threshold=syn_s" $(grep '^syn_sent\.' "$TESTTMP/keys")
comp "--threshold stalled.a"
grep -qx 'compopt -o nospace' "$TESTTMP/got" && grep -qx 'stalled.age=' "$TESTTMP/got" &&
	pass "--threshold key: no space after the '='" || fail "--threshold nospace" "$(tr '\n' ' ' <"$TESTTMP/got")"
expect "--threshold KEY=: no guess at the value" "--threshold close_wait.age="

# Option values.
expect "--source: auto netlink proc" "--source " auto netlink proc
expect "--source n: netlink" "--source n" netlink
expect "-d: nothing (a number)" "-d "
expect "--iterations: nothing (a number)" "--iterations "

# The filter: terms, then state names after state/exclude.
comp "-b "
grep -qx state "$TESTTMP/got" && grep -qx exclude "$TESTTMP/got" && grep -qx dport "$TESTTMP/got" &&
	pass "filter: the terms after the options" || fail "filter terms" "$(tr '\n' ' ' <"$TESTTMP/got")"
expect "state clo: closed close-wait closing" "-b state clo" close-wait closed closing
expect "exclude fin: fin-wait-1 fin-wait-2" "exclude fin" fin-wait-1 fin-wait-2
expect "portclass: the IANA classes" "-j portclass " dynamic ephemeral registered well-known
comp "-b state "
n=0 bad=""
while read -r st; do
	n=$((n + 1))
	"$TCPSCOPE" -b -n 1 --no-processes --no-info state "$st" >/dev/null 2>&1 || bad="$bad $st"
done <"$TESTTMP/got"
[ "$n" -ge 16 ] && [ -z "$bad" ] && pass "all $n state names offered are accepted by tcpscope" ||
	fail "state names" "$n offered; rejected:$bad"

# -N: names under /run/netns (a real one, made for the test), paths as files.
if [ "$(id -u)" = 0 ] && ip netns add "tcpscope-comp-$$" 2>/dev/null; then
	expect "-N: namespace names from /run/netns" "-N tcpscope-comp-" "tcpscope-comp-$$"
	expect "--netns: namespace names from /run/netns" "--netns tcpscope-comp-$$" "tcpscope-comp-$$"
	expect "-N PATH: files" "-N /run/netns/tcpscope-comp-" "/run/netns/tcpscope-comp-$$"
	zexpect "-N: namespace names from /run/netns" "-N tcpscope-comp-" "tcpscope-comp-$$"
	ip netns delete "tcpscope-comp-$$"
else
	skip "-N namespace names" "needs root to create a named namespace"
fi

# Installed where bash-completion's loader looks.
case "${BUILD_DIR:-build}" in
*-san) skip "completion found when installed" "checked once, in the normal build" ;;
*)
	make -s -C "$top" install PREFIX=/usr DESTDIR="$TESTTMP/root" >/dev/null 2>&1
	out=$(XDG_DATA_DIRS="$TESTTMP/root/usr/share" bash -c '
		. /usr/share/bash-completion/bash_completion
		__load_completion tcpscope && complete -p tcpscope' 2>&1)
	case $out in
	*"-F _tcpscope tcpscope"*) pass "installed completion is found by bash-completion's loader" ;;
	*) fail "completion loader" "$out" ;;
	esac
	;;
esac

# zsh: parses, and knows every long option of --help.
zsh -n "$zshcomp" && pass "zsh completion parses" || fail "zsh -n" "$zshcomp"
missing=""
for o in $(help_options "$TESTTMP/help" | grep '^--'); do
	grep -q -- "$o\\b" "$zshcomp" || missing="$missing $o"
done
[ -z "$missing" ] && pass "zsh completion names every long option of --help" ||
	fail "zsh completion lacks" "$missing"
# shellcheck disable=SC2046
zexpect "options: every option of --help (and --no-colour)" "-" --no-colour $(help_options "$TESTTMP/help")
zexpect "--th completes to --threshold" "--th" --threshold
zexpect "--threshold clo: the close_wait keys" "--threshold clo" $(sed -n 's/=$//; /^close_wait\./p' "$TESTTMP/keys")
zexpect "--threshold=syn_s: the syn_sent keys" "--threshold=syn_s" $(sed -n 's/=$//; /^syn_sent\./p' "$TESTTMP/keys")
zexpect "--source: auto netlink proc" "--source " auto netlink proc
zexpect "state clo: closed close-wait closing" "-b state clo" close-wait closed closing
zexpect "portclass: the IANA classes" "portclass " dynamic ephemeral registered well-known
finish
