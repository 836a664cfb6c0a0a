/* events.c — the event stream (`tcpscope -e`): one line per event, JSON or
 * text in the spirit of tcpstates / tcplife. Every JSON key is documented in
 * README.md. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tcpscope/labels.h"
#include "tcpscope/out.h"
#include "tcpscope/track.h"

static const char *const kind_names[] = {
	[TEV_NEW] = "new",
	[TEV_STATE] = "state",
	[TEV_CLOSED] = "closed",
};

static const char *const seen_by_names[] = {
	[SEEN_POLL] = "poll",
	[SEEN_DESTROY] = "destroy",
};

const char *out_event_kind_name(int kind)
{
	if (kind < 0 || kind >= (int)(sizeof kind_names / sizeof kind_names[0]))
		return "unknown";
	return kind_names[kind];
}

const char *out_event_seen_by_name(int seen_by)
{
	if (seen_by < 0 || seen_by >= (int)(sizeof seen_by_names / sizeof seen_by_names[0]))
		return "unknown";
	return seen_by_names[seen_by];
}

int out_event_json(FILE *f, struct jw *w, const struct track_event *ev,
		   const struct snapshot *s)
{
	jw_reset(w);
	jw_obj_begin(w);
	jw_kdouble(w, "time", ev->time, 6);
	jw_kstr(w, "event", out_event_kind_name(ev->kind));
	jw_kstr(w, "from", ev->kind == TEV_NEW ? NULL : tcp_state_name(ev->from));
	jw_kstr(w, "to", tcp_state_name(ev->to));
	jw_kdouble(w, "in_state_s", ev->in_state_s, 3);
	jw_kbool(w, "in_state_known", isfinite(ev->in_state_s) && !ev->in_state_lower);
	jw_kdouble(w, "lifetime_s", ev->lifetime_s, 3);
	jw_kbool(w, "lifetime_known", isfinite(ev->lifetime_s) && !ev->lifetime_lower);
	jw_kstr(w, "seen_by", out_event_seen_by_name(ev->seen_by));
	/* What the owner (pid, process, cgroup) rests on. */
	jw_kstr(w, "owner_from", ev->owner_from == TOWNER_LISTENER ? "listener" : "socket");
	out_json_conn_fields(w, &ev->conn, ev->tix.have ? &ev->tix : NULL, s);
	jw_obj_end(w);
	jw_raw(w, "\n", 1);
	return jw_flush(w, f);
}

/* "850ms", "1.2s", "12.0s", then out_fmt_duration's "3m12s"... */
static char *fmt_secs(double secs, bool lower, char *buf, size_t len)
{
	char tmp[32];
	if (!isfinite(secs))
		snprintf(tmp, sizeof tmp, "?");
	else if (secs < 1)
		snprintf(tmp, sizeof tmp, "%.0fms", secs * 1000);
	else if (secs < 60)
		snprintf(tmp, sizeof tmp, "%.1fs", secs);
	else
		out_fmt_duration(secs, tmp, sizeof tmp);
	snprintf(buf, len, "%s%s", lower ? ">=" : "", tmp);
	return buf;
}

void out_event_text_header(FILE *f)
{
	fprintf(f, "%-12s %-6s %7s %-15s %-27s %-27s %s\n", "TIME", "EVENT", "PID", "COMM",
		"LOCAL", "REMOTE", "DETAIL");
}

int out_event_text(FILE *f, const struct track_event *ev, const struct snapshot *s)
{
	const struct conn *c = &ev->conn;
	char tbuf[32], ms[16], la[64], ra[64], pid[16], detail[200], d1[48], b1[16], b2[16];
	time_t tt = (time_t)ev->time;
	struct tm tm;
	localtime_r(&tt, &tm);
	strftime(tbuf, sizeof tbuf, "%H:%M:%S", &tm);
	snprintf(ms, sizeof ms, ".%03d", (int)((ev->time - floor(ev->time)) * 1000) % 1000);
	conn_endpoint_str(c, false, la, sizeof la);
	conn_endpoint_str(c, true, ra, sizeof ra);
	if (c->have & CONN_HAVE_PROC)
		snprintf(pid, sizeof pid, "%d", (int)c->pid);
	else
		snprintf(pid, sizeof pid, "-");
	switch (ev->kind) {
	case TEV_NEW:
		snprintf(detail, sizeof detail, "%s", tcp_state_name(ev->to));
		break;
	case TEV_STATE:
		snprintf(detail, sizeof detail, "%s -> %s after %s", tcp_state_name(ev->from),
			 tcp_state_name(ev->to),
			 fmt_secs(ev->in_state_s, ev->in_state_lower, d1, sizeof d1));
		break;
	default: {
		const struct conn_tcpinfo *ti = &c->ti;
		bool bytes = ti->have & TI_BYTES_ACKED;
		snprintf(detail, sizeof detail, "%s lived %s rx %s tx %s (%s)",
			 tcp_state_name(ev->from),
			 fmt_secs(ev->lifetime_s, ev->lifetime_lower, d1, sizeof d1),
			 bytes ? out_fmt_bytes((double)ti->bytes_received, b1, sizeof b1) : "?",
			 bytes ? out_fmt_bytes((double)ti->bytes_acked, b2, sizeof b2) : "?",
			 out_event_seen_by_name(ev->seen_by));
		break;
	}
	}
	/* -A: where it lives and who owns it, when known. */
	const char *ns = c->netns ? labels_netns(s ? s->labels : NULL, c->netns) : "";
	const char *unit = (c->have & CONN_HAVE_CGROUP) && s
				   ? labels_cgroup_text(s->labels, c->cgroup_id) : "";
	size_t dl = strlen(detail);
	if (*ns && dl < sizeof detail)
		dl += (size_t)snprintf(detail + dl, sizeof detail - dl, " netns %s", ns);
	if (*unit && strcmp(unit, "/") && dl < sizeof detail)
		dl += (size_t)snprintf(detail + dl, sizeof detail - dl, " %s%s", unit,
				       ev->owner_from == TOWNER_LISTENER ? " (its listener's)" : "");
	if (fprintf(f, "%s%s %-6s %7s %-15s %-27s %-27s %s\n", tbuf, ms,
		    out_event_kind_name(ev->kind), pid, (c->have & CONN_HAVE_PROC) ? c->comm : "-",
		    la, ra, detail) < 0)
		return -1;
	return 0;
}
