# options.sh — sourced by tests that hold documentation to the binary.
#
#   help_options FILE    the options `tcpscope --help` (saved in FILE) lists:
#                        one per line, "-b" and "--batch" alike, sorted
#   page_options FILE    the options an mdoc page's OPTIONS section lists as
#                        `.It Fl ...` items, in the same form
#   synopsis_flags FILE  the single-letter flags of the page's SYNOPSIS
#   option_drift HELP PAGE
#                        prints "missing from the page: OPT" and "not in
#                        --help: OPT" lines; nothing when the two agree
#
# Generic on purpose: an option added to --help later is flagged until the
# page documents it, without this file knowing its name.

# An option line of --help starts with blanks and a dash; its options end
# where two blanks start the description ("  -d, --delay SECONDS  time...").
help_options() {
	awk '/^[ \t]+-/ { sub(/^[ \t]+/, ""); split($0, part, /   */); print part[1] }' "$1" |
		tr ', ' '\n\n' | grep -E '^--?[A-Za-z0-9][A-Za-z0-9-]*$' | LC_ALL=C sort -u
}

page_options() {
	awk '/^\.Sh / { in_opts = ($2 == "OPTIONS") }
	     in_opts && /^\.It Fl / {
		for (i = 2; i < NF; i++) if ($i == "Fl") { w = $(i + 1); gsub(/\\/, "", w); print "-" w }
	     }' "$1" | LC_ALL=C sort -u
}

synopsis_flags() {
	awk '/^\.Sh / { in_syn = ($2 == "SYNOPSIS") }
	     in_syn && /^\.Op Fl [A-Za-z]+$/ { n = split($3, c, ""); for (i = 1; i <= n; i++) print "-" c[i] }
	     in_syn && /^\.Op Fl [A-Za-z] / { print "-" $3 }' "$1" | LC_ALL=C sort -u
}

option_drift() {
	help_options "$1" >"$TESTTMP/drift.help"
	page_options "$2" >"$TESTTMP/drift.page"
	LC_ALL=C comm -23 "$TESTTMP/drift.help" "$TESTTMP/drift.page" | sed 's/^/missing from the page: /'
	LC_ALL=C comm -13 "$TESTTMP/drift.help" "$TESTTMP/drift.page" | sed 's/^/not in --help: /'
}
