/* out.h — batch renderers: the aligned text table and JSON lines.
 *
 * Renderers read a snapshot (and, later, tracker state) and write to a
 * FILE; they never touch the kernel. Each call writes one whole snapshot.
 */
#ifndef TCPSCOPE_OUT_H
#define TCPSCOPE_OUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "tcpscope/jsonw.h"
#include "tcpscope/snapshot.h"

struct detector;

struct out_opts {
	const struct detector *detector; /* alerts above the table (text); NULL none */
	bool numeric;   /* reserved: ports as numbers (always, today) */
	bool header;    /* print the column header (text) */
	bool owners;    /* -A: a Netns column first and a Unit column (service,
			 * container or pod) last, named by the snapshot's labels */
	bool info;      /* show tcp_info columns (text) */
	bool procs;     /* show the process column (text) */
};

/* The owner keys: netns {id, name}, cgroup_id, cgroup, service, container
 * (null when unknown); l may be NULL. */
struct labels;
void out_json_owner_fields(struct jw *w, const struct conn *c, const struct labels *l);
/* The JSON keys of one socket, written as members of the object the caller
 * has opened (so events and snapshots share them). */
/* x: the rest of tcp_info (snapshot_tix, an event's tix), NULL when not
 * collected: those keys are then null. */
void out_json_conn_fields(struct jw *w, const struct conn *c, const struct conn_tcpinfo_x *x,
			  const struct snapshot *s);
/* The tcp_info keys and the "skmem" object of one socket (fields.c's
 * table): null where the kernel did not supply a field or the socket's
 * state gives it no meaning (conn_field_table). */
void out_json_info_fields(struct jw *w, const struct conn *c, const struct conn_tcpinfo_x *x);
/* The detail view's tcp_info and socket-memory lines from the same table,
 * "-" where JSON has null; `add` is called once per line (not kept). */
void out_detail_info(const struct conn *c, const struct conn_tcpinfo_x *x,
		     void (*add)(void *ctx, const char *line), void *ctx);
/* One line: {"time":..,"source":..,"counts":{..},"sockets":[..]}\n */
int out_json_snapshot(FILE *f, struct jw *w, const struct snapshot *s);
/* Text: a summary line, then the aligned table. */
int out_text_snapshot(FILE *f, const struct snapshot *s, const struct out_opts *o);
/* The table (column header and rows) of a large snapshot formatted on a
 * second thread while the caller runs the tracker and the detectors, which
 * only read the snapshot too; NULL when not worth it (small) or no thread.
 * out_text_snapshot_job() then prints the summary, the alerts and that
 * table (job NULL: formats it itself) and frees the job. Pass the same
 * snapshot, unchanged, and the same header/info/procs options. */
struct out_text_job;
struct out_text_job *out_text_begin(const struct snapshot *s, const struct out_opts *o);
int out_text_snapshot_job(FILE *f, const struct snapshot *s, const struct out_opts *o,
			  struct out_text_job *job);

/* Human formats used by the text renderer and the UI. */
/* 1234567 → "1.2M" (SI, base 1000 when si, else 1024 "1.2Mi"-less style). */
char *out_fmt_bytes(double v, char *buf, size_t len);
/* TCP memory against the kernel's limits, for the headers: "12 MiB of
 * 3.1 GiB (pressure at 2.3 GiB)", or "12 MiB" when the limits are unknown
 * (net.ipv4.tcp_mem exists only in the host's namespace), "" when the use is
 * unknown too. Returns kstat_tcp_mem_level(k). */
enum kstat_mem_level out_fmt_tcp_mem(const struct kstat *k, char *buf, size_t len);
/* seconds → "850ms", "12s", "3m12s", "4h05m", "2d03h" */
char *out_fmt_duration(double secs, char *buf, size_t len);

/* --- tracker output (src/out/events.c, src/out/json_track.c) ------------ */
struct kstat;
struct kstat_rates;
struct tracker;
struct track_entry;
struct track_event;

/* Snapshot JSON plus, when `t` is given (the tracker updated with `s`), the
 * per-socket tracker keys and the kernel counters and rates at top level.
 * out_json_snapshot(f, w, s) is this with t = NULL. */
int out_json_snapshot_tracked(FILE *f, struct jw *w, const struct snapshot *s,
			      const struct tracker *t);
/* Per-socket tracker keys (state_age_s, rx_bps, ...) as members of the
 * object the caller has opened; e may be NULL (all unknown). */
void out_json_track_fields(struct jw *w, const struct track_entry *e, uint64_t now_ns);
/* "kernel":{...} and "kernel_rates":{...} members; either may be NULL. */
void out_json_kernel(struct jw *w, const struct kstat *k, const struct kstat_rates *r);

/* One event per line: JSON ({"time","event","from","to",...} plus the
 * socket keys of the snapshot JSON), or text in the spirit of tcpstates /
 * tcplife. `s` is the snapshot the events came from (for congestion names).
 * Both return 0 or -1 with errno set (EPIPE when the reader went away). */
int out_event_json(FILE *f, struct jw *w, const struct track_event *ev,
		   const struct snapshot *s);
int out_event_text(FILE *f, const struct track_event *ev, const struct snapshot *s);
void out_event_text_header(FILE *f);
const char *out_event_kind_name(int kind);   /* "new", "state", "closed" */
const char *out_event_seen_by_name(int seen_by); /* "poll", "destroy" */

/* --- detector alerts (src/out/alerts.c) ---------------------------------- */
struct detect_alert;
struct detect_event;

/* Snapshot JSON with the tracker keys and, when `d` is given (updated with
 * `s`), the "alerts" array. */
int out_json_snapshot_alerts(FILE *f, struct jw *w, const struct snapshot *s,
			     const struct tracker *t, const struct detector *d);
/* One alert's keys as members of the object the caller opened. */
void out_json_alert_fields(struct jw *w, const struct detect_alert *a, double now_wall);
/* "alerts":[...] member: the active alerts, most severe first. */
void out_json_alerts(struct jw *w, const struct detector *d, double now_wall);
/* "ALERTS (n):" and one line per active alert; nothing when there are none. */
int out_text_alerts(FILE *f, const struct detector *d);
/* alert_raised / alert_cleared lines for the event stream. */
int out_alert_event_json(FILE *f, struct jw *w, const struct detect_event *ev);
int out_alert_event_text(FILE *f, const struct detect_event *ev);

/* --- the listener audit (src/out/listeners.c) ---------------------------- */
struct audit;

/* The audit as a text table: a summary line and the column header (unless
 * !header: --no-header), one row per listener and its findings indented
 * below it, most severe first. */
int out_listeners_text(FILE *f, const struct audit *a, bool header);
/* The audit as one JSON line: {"time", "port_range", "reserved_ports",
 * "summary", "listeners":[...]} (keys in docs/LISTENERS.md). */
int out_listeners_json(FILE *f, struct jw *w, const struct audit *a, double now_wall);

#endif
