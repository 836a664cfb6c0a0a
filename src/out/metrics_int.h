/* metrics_int.h — between the metric family table (metrics_table.c), the
 * per-tick aggregation (metrics.c) and the renderer (metrics_fmt.c).
 *
 * A family's fill function calls mx_emit_value() / mx_emit_hist() once per
 * label set, with the label values in the order of the family's `labels`;
 * the renderer adds the netns label and writes both formats. Label values
 * are escaped (and made valid UTF-8) by the renderer, never by fills.
 */
#ifndef TCPSCOPE_METRICS_INT_H
#define TCPSCOPE_METRICS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcpscope/conn.h"
#include "tcpscope/detect.h"
#include "tcpscope/kstat.h"
#include "tcpscope/metrics.h"

/* MXT_INFO: base name without _info (text: a gauge named NAME_info). */
enum mx_type { MXT_GAUGE, MXT_COUNTER, MXT_HISTOGRAM, MXT_INFO };

#define MX_MAX_LABELS 4
#define MX_MAX_BUCKETS 16

struct mx_emit;
struct mx_ns;

struct mx_family {
	const char *name; /* base name: counters without _total */
	const char *help;
	enum mx_type type;
	const char *unit;		   /* OpenMetrics # UNIT (the name ends with it), or NULL */
	const char *labels[MX_MAX_LABELS]; /* NULL-terminated */
	bool per_ns;			   /* one set of samples per namespace (netns label) */
	const double *buckets;		   /* histograms: upper bounds, ascending; +Inf implied */
	size_t nbuckets;
	int arg; /* for the fill: e.g. the kstat id */
	void (*fill)(struct mx_emit *w, const struct mx_family *f, const struct mx_ns *ns);
	bool no_created; /* counters that did not start with tcpscope (the
			  * kernel's): no OpenMetrics _created */
};

/* The static families (metrics_table.c), indexed by enum mx_fam; the
 * build info stays last (the kernel families are inserted before it). */
enum mx_fam {
	MXF_SOCKETS,
	MXF_OWNER_SOCKETS,
	MXF_UNIT_SOCKETS,
	MXF_NETNS_SOCKETS,
	MXF_LISTEN_QUEUE,
	MXF_LISTEN_BACKLOG,
	MXF_ALERTS_ACTIVE,
	MXF_ALERTS_RAISED,
	MXF_ALERTS_CLEARED,
	MXF_CONNECTIONS_OPENED,
	MXF_CONNECTIONS_CLOSED,
	MXF_CONNECTION_LIFETIME_SECONDS,
	MXF_CONNECTION_RETRANSMITS,
	MXF_RTT_SECONDS,
	MXF_EPHEMERAL_PORTS_USED,
	MXF_EPHEMERAL_PORTS_USABLE,
	MXF_POLLS,
	MXF_POLL_DURATION_SECONDS,
	MXF_LAST_POLL_TIMESTAMP_SECONDS,
	MXF_SOCKETS_POLLED,
	MXF_SOCKETS_TRACKED,
	MXF_OWNERS_LIMITED,
	MXF_BUILD,
	MXF_COUNT
};
extern const struct mx_family mx_families[MXF_COUNT];
extern const size_t mx_nfamilies;
/* The fill of generated kernel-counter families. */
void mx_fill_kernel(struct mx_emit *w, const struct mx_family *f, const struct mx_ns *ns);

/* A histogram's state: per-bucket counts (not cumulative; [nbuckets] is the
 * +Inf overflow), the sum and the count of observations. */
struct mx_hist {
	uint64_t b[MX_MAX_BUCKETS + 1];
	double sum;
	uint64_t count;
};
void mx_hist_observe(struct mx_hist *h, const double *buckets, size_t nb, double v);

/* The label values of a port class: direction and port. */
enum mx_dir { MXD_INBOUND, MXD_OUTBOUND, MXD_OTHER };
#define MX_NCLASS (2 * MX_PORT_CAP + 1)
struct mx_class {
	uint8_t dir; /* enum mx_dir; MXD_OTHER = the overflow class */
	uint16_t port;
	bool used;
};

struct mx_owner {
	char name[64];  /* a process name, or a unit (service, container, pod) */
	unsigned n[3]; /* ESTABLISHED, SYN_SENT, CLOSE_WAIT */
	unsigned total;
};

#define MX_NETNS_CAP 64

struct mx_netns {
	char name[64];
	unsigned states[TCPS_COUNT];
};

struct mx_listener {
	uint8_t family;
	union conn_addr addr;
	uint16_t port; /* 0 with `other` */
	bool other;    /* the overflow bucket */
	uint64_t queue, backlog;
};

struct mx_alert {
	uint8_t kind, severity;
	char owner[64];
	unsigned n;
};

/* One namespace's state: what metrics_update() computed. */
struct mx_ns {
	const char *name; /* netns label value, or NULL: no label */
	bool updated;	  /* at least one update */
	/* gauges of the last tick */
	unsigned states[TCPS_COUNT];
	size_t polled, tracked;
	double tick_s, last_wall;
	bool procs_limited;
	struct kstat kernel;
	unsigned ports_used, ports_usable;
	bool have_ports;
	struct mx_owner *owners; /* top K, then "other" last when it holds any */
	size_t nowners;
	struct mx_owner *units;  /* the same by service/container/pod (cgroup), when known */
	size_t nunits;
	struct mx_netns *netns;  /* -A: sockets per namespace, capped, then "other" */
	size_t nnetns;
	struct mx_listener *listeners; /* capped, then the "other" bucket */
	size_t nlisteners;
	struct mx_alert *alerts;
	size_t nalerts;
	/* counters since start */
	uint64_t ticks, opened, closed;
	uint64_t raised[DK_COUNT], cleared[DK_COUNT];
	struct mx_class classes[MX_NCLASS];
	struct mx_hist lifetime[MX_NCLASS], retrans[MX_NCLASS], rtt[MX_NCLASS];
};

/* Label values for a port class ("inbound"/"outbound"/"other", port text). */
const char *mx_dir_name(int dir);

/* Emitting samples (metrics_fmt.c). `lv` holds the family's label values. */
void mx_emit_value(struct mx_emit *w, const char *const *lv, double v);
void mx_emit_hist(struct mx_emit *w, const char *const *lv, const struct mx_hist *h);

/* Escape `s` as a label value (the same in both formats) into b; invalid
 * UTF-8 bytes become U+FFFD. */
void mx_escape_label(struct mxbuf *b, const char *s);
void mxbuf_puts(struct mxbuf *b, const char *s);
void mxbuf_putn(struct mxbuf *b, const char *s, size_t n);
void mxbuf_printf(struct mxbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A sample value as both formats accept it: integers plainly, NaN, +Inf,
 * -Inf, else the shortest %g that reads back exactly. */
void mx_put_number(struct mxbuf *b, double v);

/* Render families[0..n) for the namespaces ns[0..nns) (metrics_fmt.c). */
void mx_render(const struct mx_family *fams, size_t n, const struct mx_ns *ns, size_t nns,
	       double created_wall, enum metrics_format f, struct mxbuf *out);

#endif
