# report.awk — turns tests/bench/run.sh's "POP KEY VALUE" lines into the
# markdown tables of `make bench`. Variables: pops (space-separated list).
{ v[$1, $2] = $3; for (i = 4; i <= NF; i++) v[$1, $2] = v[$1, $2] " " $i }

function num(p, k) { return ((p, k) in v) && v[p, k] ~ /^[0-9.]+$/ }
function ms(p, k) { return num(p, k) ? sprintf("%.1f", v[p, k]) : (((p, k) in v) ? v[p, k] : "-") }
function ratio(p, a, b) {
	return (num(p, a) && num(p, b) && v[p, b] > 0) ? sprintf("%.2f×", v[p, a] / v[p, b]) : "n/a"
}
function verdict(x, lim) {
	if (x !~ /^[0-9.]+/) return "n/a"
	sub(/×/, "", x)
	return (x + 0 <= lim) ? "met" : "MISSED"
}

END {
	np = split(pops, P, " ")
	nr = 0
	R[++nr] = "bare.in|bare dump, in-process (floor)"
	R[++nr] = "bare_i.in|bare dump + tcp_info, in-process"
	R[++nr] = "bare2_i.in|  same as two family dumps (IPv4, then IPv6: ss's way)"
	R[++nr] = "coll.in|collector cycle (dump+parse), in-process"
	R[++nr] = "coll_i.in|collector cycle + tcp_info, in-process"
	R[++nr] = "coll_ip.in|collector cycle + tcp_info + processes (warm)"
	R[++nr] = "coll_ip.first|  same, first tick (full /proc walk)"
	R[++nr] = "track.in|tracker diff (streamed poll minus plain poll), per tick"
	R[++nr] = "cyc_t.in|collector + tcp_info streamed into the tracker, per tick"
	R[++nr] = "attr.warm|process attribution, warm tick"
	R[++nr] = "attr.full|process attribution, cold (tcpscope's full walk)"
	R[++nr] = "attr.plain|plain /proc/*/fd walk (readlink every fd)"
	R[++nr] = "bare|baredump (process)"
	R[++nr] = "bare_i|baredump -i (process)"
	R[++nr] = "bare2_i|baredump -i -2 (process, two family dumps)"
	R[++nr] = "ts_text|tcpscope -b -n1 --no-processes"
	R[++nr] = "ts_text_nh|tcpscope -b -n1 --no-processes --no-header"
	R[++nr] = "ts_json|tcpscope -b -n1 -j --no-processes"
	R[++nr] = "ts_text_p|tcpscope -b -n1 (process names)"
	R[++nr] = "ts_json_p|tcpscope -b -n1 -j (process names)"
	R[++nr] = "ss|ss -tanH"
	R[++nr] = "ss_i|ss -tanHi"
	R[++nr] = "ss_p|ss -tanHp"
	R[++nr] = "netstat|netstat -tan"

	printf "### Populations\n\n"
	for (j = 1; j <= np; j++) {
		p = P[j]
		printf "- %s: %s sockets (%s); at the end: %s\n", p, v[p, "sockets"], v[p, "ready"], v[p, "ready_end"]
	}
	printf "\n### Median wall time, milliseconds\n\n| what |"
	for (j = 1; j <= np; j++) printf " %s |", P[j]
	printf "\n|---|"
	for (j = 1; j <= np; j++) printf "---:|"
	printf "\n"
	for (i = 1; i <= nr; i++) {
		split(R[i], kl, "|")
		printf "| %s |", kl[2]
		for (j = 1; j <= np; j++) printf " %s |", ms(P[j], kl[1])
		printf "\n"
	}

	printf "\n### Ratios\n\n| ratio |"
	for (j = 1; j <= np; j++) printf " %s |", P[j]
	printf "\n|---|"
	for (j = 1; j <= np; j++) printf "---:|"
	printf "\n"
	nq = 0
	Q[++nq] = "coll_i.in|bare_i.in|collector cycle / bare dump (tcp_info)"
	Q[++nq] = "cyc_t.in|bare_i.in|collector + tracker diff / bare dump (tcp_info)"
	Q[++nq] = "bare_i.in|bare2_i.in|bare dump, one walk / two family dumps (tcp_info)"
	Q[++nq] = "ts_text|ss_i|tcpscope -b -n1 --no-processes / ss -tanHi"
	Q[++nq] = "ts_text_nh|ss_i|tcpscope -b -n1 --no-processes --no-header / ss -tanHi"
	Q[++nq] = "ts_text|bare_i|tcpscope -b -n1 --no-processes / baredump -i"
	Q[++nq] = "ts_json|ss_i|tcpscope -b -n1 -j --no-processes / ss -tanHi"
	Q[++nq] = "ts_text|ss|tcpscope -b -n1 --no-processes / ss -tanH"
	Q[++nq] = "ts_text_p|ss_p|tcpscope -b -n1 / ss -tanHp"
	Q[++nq] = "ts_json_p|ss_p|tcpscope -b -n1 -j / ss -tanHp"
	Q[++nq] = "attr.warm|attr.plain|warm attribution tick / plain /proc fd walk"
	Q[++nq] = "attr.warm|attr.full|warm attribution tick / tcpscope's full walk"
	Q[++nq] = "ss|bare|ss -tanH / bare dump"
	Q[++nq] = "netstat|bare|netstat -tan / bare dump"
	for (i = 1; i <= nq; i++) {
		split(Q[i], q, "|")
		printf "| %s |", q[3]
		for (j = 1; j <= np; j++) printf " %s |", ratio(P[j], q[1], q[2])
		printf "\n"
	}

	printf "\n### Memory (peak RSS / sockets, bytes)\n\n| what |"
	for (j = 1; j <= np; j++) printf " %s |", P[j]
	printf "\n|---|"
	for (j = 1; j <= np; j++) printf "---:|"
	printf "\n| collector + snapshot (RSS added), per socket |"
	for (j = 1; j <= np; j++) printf " %s |", ms(P[j], "coll_i.bps")
	printf "\n| live loop: collector + snapshot + tracker + detectors, per tracked socket |"
	for (j = 1; j <= np; j++) printf " %s |", ms(P[j], "track.bps")
	printf "\n| same with process attribution |"
	for (j = 1; j <= np; j++) printf " %s |", ms(P[j], "track_p.bps")
	printf "\n| RSS growth between tick 2 and the last tick, KiB |"
	for (j = 1; j <= np; j++) printf " %s |", ms(P[j], "track.growth")
	split("ts_text ts_text_p ts_json_p ss_i ss_p", M, " ")
	split("tcpscope -b -n1 --no-processes|tcpscope -b -n1|tcpscope -b -n1 -j|ss -tanHi|ss -tanHp", ML, "|")
	for (m = 1; m <= 5; m++) {
		printf "\n| %s, whole process |", ML[m]
		for (j = 1; j <= np; j++) {
			p = P[j]
			if (num(p, M[m] ".rss") && num(p, "sockets"))
				printf " %.0f |", v[p, M[m] ".rss"] * 1024 / v[p, "sockets"]
			else
				printf " - |"
		}
	}
	printf "\n"

	printf "\n### Live view\n\n| what | figure |\n|---|---|\n"
	printf "| real live view in tmux, 10k sockets, 1 s refresh: CPU (utime+stime of tcpscope) | %s |\n", ms("ui", "cpu")
	printf "| real live view in tmux, 100k sockets: key → screen (send-keys → capture-pane shows it) | %s |\n", ms("ui", "key")
	printf "| real live view in tmux, 100k sockets, with process names: peak RSS | %s |\n", ms("ui", "live_rss")
	printf "| in-process, 100k synthetic sockets (ui_bench): tick = tracker_update + filter/sort + draw | %s ms |\n", ms("ui", "inproc.tick")
	printf "| in-process: rebuild (filter + sort by RTT) | %s ms |\n", ms("ui", "inproc.rebuild")
	printf "| in-process: key Down / PgDn / End → screen drawn | %s / %s / %s ms |\n", ms("ui", "inproc.down"), ms("ui", "inproc.pgdn"), ms("ui", "inproc.end")
	printf "| in-process: key I (invert: full re-sort by RTT) → screen drawn | %s ms |\n", ms("ui", "inproc.sort")
	printf "| in-process: key > / < (re-sort LOCAL ↔ REMOTE) → screen drawn | %s ms |\n", ms("ui", "inproc.resort")

	big = "100k"
	printf "\n### Targets (issue 7, at %s)\n\n| target | measured | verdict |\n|---|---:|---|\n", big
	r = ratio(big, "coll_i.in", "bare_i.in")
	printf "| collector cycle ≤ 1.3× bare dump with tcp_info | %s | %s |\n", r, verdict(r, 1.3)
	r = ratio(big, "ts_text", "ss_i")
	printf "| tcpscope -b -n1 (tcp_info columns) ≤ 0.3× ss -tanHi | %s | %s |\n", r, verdict(r, 0.3)
	worst = ""; wp = ""
	for (j = 1; j <= np; j++) {
		rq = ratio(P[j], "ts_text", "ss_i")
		if (rq != "n/a" && (worst == "" || rq + 0 > worst + 0)) { worst = rq; wp = P[j] }
	}
	if (worst != "")
		printf "| the same on every population (the worst: %s) | %s | %s |\n", wp, worst, verdict(worst, 0.3)
	r = ratio("heavy100k", "ts_text", "ss_i")
	printf "| issue 17: the one-shot on heavy100k (alert section included) ≤ 0.3× ss -tanHi | %s | %s |\n", r, verdict(r, 0.3)
	if (num("big500k", "ts_text")) {
		r = ratio("big500k", "ts_text", "bare_i")
		printf "| issue 19: the one-shot at 500k ≤ 1.3× the bare dump (baredump -i) | %s | %s |\n", r, verdict(r, 1.3)
	}
	if (num("big1m", "ts_text")) {
		r = ratio("big1m", "ts_text", "bare_i")
		printf "| issue 19: the one-shot at 1M ≤ 1.3× the bare dump (baredump -i) | %s | %s |\n", r, verdict(r, 1.3)
	}
	r = ratio(big, "ts_text_p", "ss_p")
	printf "| one-shot with process names ≤ 0.5× ss -tanHp | %s | %s |\n", r, verdict(r, 0.5)
	r = ratio(big, "attr.warm", "attr.plain")
	printf "| warm per-tick attribution ≤ 0.1× a full /proc fd walk | %s | %s |\n", r, verdict(r, 0.1)
	if (num(big, "track.bps"))
		printf "| ≤ 300 B RSS per tracked socket | %s B (%s B with processes; the live view, whole process: %s) | %s |\n", v[big, "track.bps"], v[big, "track_p.bps"], ms("ui", "live_rss"), verdict(v[big, "track.bps"], 300)
	else
		printf "| ≤ 300 B RSS per tracked socket | n/a (needs the tracker); collector alone %s B | n/a |\n", ms(big, "coll_i.bps")
	printf "| live UI at 10k, 1 s refresh ≤ 2%% of a core | %s | %s |\n", ms("ui", "cpu"), ((("ui", "cpu") in v) && v["ui", "cpu"] ~ /^[0-9]/) ? verdict(v["ui", "cpu"], 2) : "n/a"
	printf "| selection move / scroll / re-sort / filter at 100k ≤ 100 ms (live view, slowest median) | %s | %s |\n", ms("ui", "key"), ((("ui", "key") in v) && v["ui", "key"] ~ /^[0-9]/) ? verdict(v["ui", "key"], 100) : "n/a"
	printf "| churn 2,000 conn/s, 1 s poll: ≥ 99.9%% in the event stream | %s | %s |\n", ms("churn", "coverage"), (v["churn", "coverage"] ~ /^[0-9]/) ? ((v["churn", "coverage"] + 0 >= 99.9) ? "met" : "MISSED") : "n/a"
	printf "\nChurn generator: %s\n", ms("churn", "churn")
}
