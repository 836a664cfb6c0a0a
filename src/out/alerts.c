/* alerts.c — detector alerts in the batch outputs: the "alerts" array of
 * the snapshot JSON, the short section above the text table, and the
 * alert_raised / alert_cleared lines of the event stream (text and JSON).
 * Every JSON key is documented in README.md. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tcpscope/audit.h"
#include "tcpscope/detect.h"
#include "tcpscope/out.h"

static void k_count(struct jw *w, const char *k, bool known, uint64_t v)
{
	if (known)
		jw_ku64(w, k, v);
	else
		jw_knull(w, k);
}

static void owner_json(struct jw *w, const struct detect_owner *o)
{
	char a[CONN_ADDR_STRLEN];
	jw_key(w, "owner");
	jw_obj_begin(w);
	jw_kstr(w, "by", detect_owner_by_name(o->by));
	if (o->pid >= 0) {
		jw_ki64(w, "pid", o->pid);
		jw_kstr(w, "process", o->comm);
	} else {
		jw_knull(w, "pid");
		jw_knull(w, "process");
	}
	jw_kstr(w, "local_addr", o->have_laddr ? conn_addr_format(o->family, &o->laddr, a, sizeof a)
					       : NULL);
	k_count(w, "local_port", o->lport != 0, o->lport);
	jw_kstr(w, "remote_addr", o->have_raddr ? conn_addr_format(o->family, &o->raddr, a, sizeof a)
						: NULL);
	k_count(w, "remote_port", o->rport != 0, o->rport);
	jw_kstr(w, "unit", o->unit[0] ? o->unit : NULL);
	char text[160];
	jw_kstr(w, "text", detect_owner_format(o, text, sizeof text));
	jw_obj_end(w);
}

void out_json_alert_fields(struct jw *w, const struct detect_alert *a, double now_wall)
{
	jw_kstr(w, "kind", detect_kind_name(a->kind));
	jw_kstr(w, "severity", detect_severity_name(a->severity));
	owner_json(w, &a->owner);
	jw_ku64(w, "count", a->count);
	jw_ku64(w, "total", a->total);
	jw_kdouble(w, "oldest_s", a->oldest_s, 3);
	jw_kbool(w, "oldest_known", isfinite(a->oldest_s) && !a->oldest_lower);
	jw_kdouble(w, "growth_per_min", a->growth_per_min, 2);
	jw_kdouble(w, "value", a->value, 3);
	jw_kdouble(w, "limit", a->limit, 3);
	jw_kdouble(w, "share_pct", a->share_pct, 2);
	jw_kdouble(w, "rate", a->rate, 3);
	k_count(w, "unread", a->kind == DK_CLOSE_WAIT, a->nqueued);
	k_count(w, "distinct_sources", a->kind == DK_SYN_RECV, a->distinct);
	k_count(w, "bytes_unsent", a->kind == DK_STALLED, a->bytes);
	k_count(w, "persist", a->kind == DK_STALLED, a->persist);
	k_count(w, "backoff", a->kind == DK_STALLED, a->backoff);
	k_count(w, "time_wait", a->kind == DK_PORT_EXHAUSTION, a->ntime_wait);
	jw_key(w, "findings");
	if (a->kind == DK_EXPOSURE) {
		jw_arr_begin(w);
		for (int f = 0; f < AF_COUNT; f++)
			if (a->findings >> f & 1u)
				jw_str(w, audit_findings[f].name);
		jw_arr_end(w);
	} else {
		jw_null(w);
	}
	jw_key(w, "top_destination");
	if (a->top.family) {
		char s[CONN_ADDR_STRLEN];
		jw_obj_begin(w);
		jw_kstr(w, "addr", conn_addr_format(a->top.family, &a->top.addr, s, sizeof s));
		jw_ku64(w, "port", a->top.port);
		jw_kbool(w, "local", a->top.local);
		jw_ku64(w, "count", a->top.count);
		jw_obj_end(w);
	} else {
		jw_null(w);
	}
	jw_kdouble(w, "raised", a->raised_wall, 6);
	jw_kbool(w, "clearing", a->clearing);
	jw_kdouble(w, "active_s", now_wall >= a->raised_wall ? now_wall - a->raised_wall : 0, 3);
	jw_kstr(w, "message", a->message);
}

void out_json_alerts(struct jw *w, const struct detector *d, double now_wall)
{
	size_t n;
	const struct detect_alert *const *al = detector_alerts(d, &n);
	jw_key(w, "alerts");
	jw_arr_begin(w);
	for (size_t i = 0; i < n; i++) {
		jw_obj_begin(w);
		out_json_alert_fields(w, al[i], now_wall);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

static const char *sev_short(enum detect_severity s)
{
	return s == DS_CRITICAL ? "CRIT" : s == DS_WARNING ? "WARN" : "INFO";
}

int out_text_alerts(FILE *f, const struct detector *d)
{
	size_t n;
	const struct detect_alert *const *al = detector_alerts(d, &n);
	if (!n)
		return 0;
	fprintf(f, "ALERTS (%zu):\n", n);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "  %s  %s\n", sev_short(al[i]->severity), al[i]->message);
	return ferror(f) ? -1 : 0;
}

int out_alert_event_json(FILE *f, struct jw *w, const struct detect_event *ev)
{
	jw_reset(w);
	jw_obj_begin(w);
	jw_kdouble(w, "time", ev->time, 6);
	jw_kstr(w, "event", detect_event_name(ev->kind));
	out_json_alert_fields(w, &ev->alert, ev->time);
	jw_obj_end(w);
	jw_raw(w, "\n", 1);
	return jw_flush(w, f);
}

int out_alert_event_text(FILE *f, const struct detect_event *ev)
{
	const struct detect_alert *a = &ev->alert;
	const struct detect_owner *o = &a->owner;
	char tbuf[32], ms[16], pid[16] = "-", la[64] = "-", ra[64] = "-";
	time_t tt = (time_t)ev->time;
	struct tm tm;
	localtime_r(&tt, &tm);
	strftime(tbuf, sizeof tbuf, "%H:%M:%S", &tm);
	snprintf(ms, sizeof ms, ".%03d", (int)((ev->time - floor(ev->time)) * 1000) % 1000);
	if (o->pid >= 0)
		snprintf(pid, sizeof pid, "%d", (int)o->pid);
	if (o->lport || o->have_laddr) {
		union conn_addr any;
		memset(&any, 0, sizeof any);
		conn_endpoint_format(o->family, o->have_laddr ? &o->laddr : &any, o->lport, true, la,
				     sizeof la);
	}
	if (o->have_raddr)
		conn_endpoint_format(o->family, &o->raddr, o->rport, true, ra, sizeof ra);
	if (fprintf(f, "%s%s %-6s %7s %-15s %-27s %-27s [%s] %s\n", tbuf, ms,
		    ev->kind == DEV_RAISED ? "alert+" : "alert-", pid, o->pid >= 0 ? o->comm : "-",
		    la, ra, detect_severity_name(a->severity), a->message) < 0)
		return -1;
	return 0;
}
