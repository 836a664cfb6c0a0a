/* metrics.h — the Prometheus / OpenMetrics exposition of what the engine
 * holds (src/out/metrics*.c).
 *
 * CONTRACT
 *  - One table of metric families (metrics_table.c): each entry names a
 *    family (base name, help, type, unit, label names, histogram buckets)
 *    and the fill function that emits its samples. The renderer
 *    (metrics_fmt.c) owns every difference between the two formats: TYPE
 *    and HELP lines, `_total` / `_created` for counters, `# UNIT`, `# EOF`,
 *    escaping. The kernel counters (kstat_table) add one family each.
 *  - Call order: metrics_new() once; after every engine_tick() call
 *    metrics_update(m, ns, g, tick_s) for each namespace's engine (the
 *    events of that tick feed the counters and histograms, the header and
 *    the tracker feed the gauges); then metrics_render() once per format.
 *    Rendering reads only what metrics_update() computed: the engine may
 *    tick again meanwhile (it does not, in tcpscope: one thread).
 *  - Cardinality is bounded by design: no 4-tuples, pids or ephemeral
 *    ports in labels. Owners: the top `top_owners` process names, the rest
 *    summed as owner="other". Listeners: the first `max_listeners` by
 *    (port, address), the rest as addr="other",port="other". Port classes of
 *    the histograms: at most MX_PORT_CAP ports per direction, first come;
 *    later ports go to port="other". Active alerts: at most MX_ALERT_CAP
 *    label sets, then owner="other". docs/EXPORTER.md lists them all.
 *  - Namespaces: `nns` per-namespace slots. With more than one (or a name
 *    given with `ns_label`), per-namespace families carry a `netns` label.
 *  - Memory: fixed per namespace (histograms, top-K arrays) plus a per-tick
 *    owner table that grows with distinct process names and is reused.
 *  - Pure: no I/O, never prints. Out of memory aborts (xmalloc).
 */
#ifndef TCPSCOPE_METRICS_H
#define TCPSCOPE_METRICS_H

#include <stdbool.h>
#include <stddef.h>

struct detector;
struct engine;
struct snapshot;
struct tracker;

enum metrics_format {
	MX_FMT_TEXT,	    /* Prometheus text exposition 0.0.4 */
	MX_FMT_OPENMETRICS, /* OpenMetrics 1.0.0 */
	MX_FMT_COUNT
};

/* The Content-Type each format is served with. */
const char *metrics_content_type(enum metrics_format f);

#define MX_TOP_OWNERS_DEFAULT 20
#define MX_LISTENERS_DEFAULT 64
#define MX_PORT_CAP 8
#define MX_ALERT_CAP 100

struct metrics_opts {
	unsigned top_owners;	     /* 0: MX_TOP_OWNERS_DEFAULT */
	unsigned max_listeners;	     /* 0: MX_LISTENERS_DEFAULT */
	size_t nns;		     /* namespaces (0 = 1) */
	const char *const *ns_names; /* nns names for the netns label, or NULL
				      * (one namespace: no label) */
	double created_wall;	     /* unix seconds counters start from (0: now) */
};

/* A growable text buffer the renderer appends to. */
struct mxbuf {
	char *p; /* owned; NUL-terminated after each append */
	size_t len, cap;
};
void mxbuf_init(struct mxbuf *b);
void mxbuf_done(struct mxbuf *b);
/* Hand the text over (the caller frees it with free()); b is empty after. */
char *mxbuf_take(struct mxbuf *b, size_t *len);

struct metrics;

struct metrics *metrics_new(const struct metrics_opts *o);
void metrics_free(struct metrics *m);
/* After a tick of namespace `ns`'s engine, which took `tick_s` seconds. */
void metrics_update(struct metrics *m, size_t ns, const struct engine *g, double tick_s);
/* The same from the tick's parts (what metrics_update() reads from the
 * engine; tests build them by hand): the poll's header, the tracker and the
 * detector after that poll (t and d NULL: gauges of the header only). */
void metrics_update_parts(struct metrics *m, size_t ns, const struct snapshot *hdr,
			  const struct tracker *t, const struct detector *d, double tick_s);
/* Append the whole exposition in format `f` to `out`. */
void metrics_render(const struct metrics *m, enum metrics_format f, struct mxbuf *out);

/* Families in the table (static and kernel ones): tests check coverage. */
size_t metrics_nfamilies(const struct metrics *m);
const char *metrics_family_name(const struct metrics *m, size_t i);

#endif
