/* columns.h — the column catalogue of the live table: one entry per column.
 *
 * Each entry says everything about a column in one place: its config/CLI
 * name, its title, its default width and alignment, what the collector must
 * gather for it (NEED_* of collect.h), how to format a row's cell and how to
 * compare two rows.  Nothing else in the program switches on a column id.
 *
 * Formatters and comparators read a tracker entry (track.h) plus a small
 * context (clock, snapshot for congestion names, a uid→name cache).  They
 * never allocate per call; the user cache is filled lazily and owned by the
 * context (col_ctx_init / col_ctx_done).
 */
#ifndef TCPSCOPE_COLUMNS_H
#define TCPSCOPE_COLUMNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcpscope/hmap.h"
#include "tcpscope/snapshot.h"
#include "tcpscope/track.h"

struct audit;

enum col_id {
	COL_STATE,
	COL_LOCAL,
	COL_REMOTE,
	COL_LPORT,
	COL_RPORT,
	COL_PORTCLASS,
	COL_SERVICE,
	COL_RECVQ,
	COL_SENDQ,
	COL_AGE,
	COL_LIFETIME,
	COL_PID,
	COL_PROCESS,
	COL_USER,
	COL_UID,
	COL_RTT,
	COL_RTTVAR,
	COL_MINRTT,
	COL_RTO,
	COL_CWND,
	COL_SSTHRESH,
	COL_MSS,
	COL_UNACKED,
	COL_RETRANS,
	COL_RETR_RATE,
	COL_RX_RATE,
	COL_TX_RATE,
	COL_BYTES_RX,
	COL_BYTES_TX,
	COL_DELIVERY,
	COL_LAST_RX,
	COL_LAST_TX,
	COL_TIMER,
	COL_CONG,
	COL_INODE,
	COL_COOKIE,
	COL_FAMILY,
	COL_QFILL,
	COL_NETNS,
	COL_UNIT,
	COL_EXPOSURE,  /* listener audit (audit.h): who can reach it */
	COL_EPHEMERAL, /* listener audit: port in the ephemeral range, unreserved */
	COL_ACCEPTS,   /* listener audit: new connections per second */
	COL_FINDINGS,  /* listener audit: findings, most severe first */
	COL_RMEM, /* socket memory (ss -m): NEED_MEMINFO */
	COL_RCVBUF,
	COL_WMEM,
	COL_SNDBUF,
	COL_FWD,
	COL_WQUEUED,
	COL_OPTMEM,
	COL_BACKLOG,
	COL_DROPS,
	COL_COUNT
};

/* uid → user name, looked up once per uid. */
struct col_users {
	struct hmap idx;   /* uid → index into names */
	char (*names)[24]; /* owned */
	size_t n, cap;
};

struct col_ctx {
	uint64_t now_ns;              /* CLOCK_MONOTONIC "now" for ages */
	const struct snapshot *snap;  /* borrowed; for congestion names; may be NULL */
	/* Borrowed, for the socket-memory columns (tracker_tix); may be NULL:
	 * those columns then show "-". Set once by whoever owns both. */
	const struct tracker *trk;
	struct col_users users;       /* owned (col_ctx_done) */
	/* The listener audit of this tick for the audit columns; borrowed,
	 * NULL when none ran (the columns then show what the socket alone
	 * says, or "-"). Valid while the entries it was run on are. */
	const struct audit *audit;
};

typedef void (*col_fmt_fn)(struct col_ctx *x, const struct track_entry *e, char *buf,
			   size_t len);
typedef int (*col_cmp_fn)(struct col_ctx *x, const struct track_entry *a,
			  const struct track_entry *b);
/* A numeric column: its value, or NAN when unknown. */
typedef double (*col_num_fn)(const struct col_ctx *x, const struct track_entry *e);
/* A text column whose comparator orders an integer: that integer (the
 * view model sorts on it without calling the comparator). */
typedef uint64_t (*col_key_fn)(const struct col_ctx *x, const struct track_entry *e);

enum col_style {
	CS_TEXT,     /* custom formatter */
	CS_COUNT,    /* 12345 → "12345", 1234567 → "1.2M" */
	CS_BYTES,    /* 1234567 → "1.2M" */
	CS_RATE,     /* bytes/s → "1.2M" */
	CS_DURATION, /* seconds → "3m12s" */
	CS_MS,       /* milliseconds → "0.25ms", "12ms", "1.2s" */
	CS_PLAIN,    /* whole number as is */
	CS_PERCENT,  /* 0..100 → "73%" */
};

struct col_def {
	const char *name;   /* config / --columns / -s spelling: "rtt" */
	const char *title;  /* header text: "RTT" */
	const char *desc;   /* one line for the setup screen */
	int width;          /* default width in cells */
	bool right;         /* right-aligned (numbers) */
	bool desc_first;    /* first sort on this column is descending */
	uint32_t needs;     /* NEED_* the collector must provide */
	enum col_style style;
	col_num_fn num;     /* numeric columns: value getter (fmt/cmp derived) */
	col_fmt_fn fmt;     /* text columns */
	col_cmp_fn cmp;     /* text columns */
	col_key_fn key;     /* optional, text columns: cmp's order as an integer */
};

extern const struct col_def col_table[COL_COUNT];

/* What a socket's namespace and cgroup are called (the snapshot's labels):
 * "" when unknown. The unit is the service, container or pod; without a
 * name for the cgroup, its path's last part. */
const char *col_netns_name(const struct col_ctx *x, const struct conn *c);
const char *col_unit_name(const struct col_ctx *x, const struct conn *c);

/* The default column set of the Connections view. */
extern const uint8_t col_default_set[];
extern const size_t col_default_n;
/* The default column set of the Listeners view. */
extern const uint8_t col_listen_set[];
extern const size_t col_listen_n;

void col_ctx_init(struct col_ctx *x);
void col_ctx_done(struct col_ctx *x);

/* Column by name (case-insensitive, also accepts the title); -1 if unknown. */
int col_by_name(const char *name);
/* Format one cell (never longer than len-1; "-" when unknown). */
void col_format(struct col_ctx *x, int col, const struct track_entry *e, char *buf, size_t len);
/* Compare two rows on a column; ties are broken by the caller. */
int col_compare(struct col_ctx *x, int col, const struct track_entry *a,
		const struct track_entry *b);
/* NEED_* bits of a column list. */
uint32_t col_needs(const uint8_t *cols, size_t n);
/* Parse "state,local,rtt" into ids; returns the count, or -1 with `bad` set
 * to the offending name (copied, NUL-terminated). */
int col_parse_list(const char *s, uint8_t *out, size_t max, char *bad, size_t badlen);

/* Helpers shared with the detail view. */
const char *col_user_name(struct col_ctx *x, uint32_t uid);
const char *col_service_name(uint16_t port); /* "http", or NULL */
/* Human format of a value in a style. */
void col_format_value(enum col_style st, double v, char *buf, size_t len);

#endif
