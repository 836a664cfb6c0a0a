/* out.h — batch renderers: the aligned text table and JSON lines.
 *
 * Renderers read a snapshot (and, later, tracker state) and write to a
 * FILE; they never touch the kernel. Each call writes one whole snapshot.
 */
#ifndef TCPSCOPE_OUT_H
#define TCPSCOPE_OUT_H

#include <stdbool.h>
#include <stdio.h>

#include "tcpscope/jsonw.h"
#include "tcpscope/snapshot.h"

struct out_opts {
	bool numeric;   /* reserved: ports as numbers (always, today) */
	bool header;    /* print the column header (text) */
	bool info;      /* show tcp_info columns (text) */
	bool procs;     /* show the process column (text) */
};

/* The JSON keys of one socket, written as members of the object the caller
 * has opened (so events and snapshots share them). */
void out_json_conn_fields(struct jw *w, const struct conn *c, const struct snapshot *s);
/* One line: {"time":..,"source":..,"counts":{..},"sockets":[..]}\n */
int out_json_snapshot(FILE *f, struct jw *w, const struct snapshot *s);
/* Text: a summary line, then the aligned table. */
int out_text_snapshot(FILE *f, const struct snapshot *s, const struct out_opts *o);

/* Human formats used by the text renderer and the UI. */
/* 1234567 → "1.2M" (SI, base 1000 when si, else 1024 "1.2Mi"-less style). */
char *out_fmt_bytes(double v, char *buf, size_t len);
/* seconds → "850ms", "12s", "3m12s", "4h05m", "2d03h" */
char *out_fmt_duration(double secs, char *buf, size_t len);

#endif
