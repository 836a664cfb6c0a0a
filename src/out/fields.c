/* fields.c — the tcp_info and socket-memory fields tcpscope shows, one
 * table entry each: JSON key, detail-view label, source, unit, which TI_*
 * bits the kernel must have supplied and which state group (conn.h's
 * conn_field_table) gives it a meaning. JSON output and the detail view
 * both walk this table, so a field is null in one exactly where it is "-"
 * in the other. */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "tcpscope/out.h"

enum fsrc { FS_TI, FS_X, FS_MEM };
enum fkind {
	FK_MS3,  /* microseconds, shown as ms with 3 decimals */
	FK_MS0,  /* microseconds, shown as whole ms */
	FK_MSI,  /* milliseconds already */
	FK_U,    /* a count or bytes */
	FK_BPS,  /* bytes per second */
	FK_HEX,
};

struct info_field {
	const char *key;   /* JSON key; "": the detail view only */
	const char *qkey;  /* "\"key\":" for jw_key_lit */
	uint8_t qlen;
	const char *label; /* detail view */
	uint8_t grp;       /* enum conn_field */
	uint8_t src;       /* enum fsrc */
	uint8_t kind;      /* enum fkind */
	uint8_t line;      /* the detail-view line it joins */
	uint16_t need;     /* TI_* bits the kernel must have supplied */
	uint16_t off;      /* offset in its source struct */
	uint8_t size;      /* 1, 4 or 8 */
	uint64_t limit;    /* values >= limit mean "not measured" (0: none) */
};

#define TI(k, l, g, kind, line, need, f, ...)                                          \
	{k, "\"" k "\":", sizeof("\"" k "\":") - 1, l, g, FS_TI, kind, line, need, offsetof(struct conn_tcpinfo, f),             \
	 sizeof(((struct conn_tcpinfo *)0)->f), __VA_ARGS__ + 0}
#define TX(k, l, g, kind, line, need, f, ...)                                          \
	{k, "\"" k "\":", sizeof("\"" k "\":") - 1, l, g, FS_X, kind, line, need, offsetof(struct conn_tcpinfo_x, f),            \
	 sizeof(((struct conn_tcpinfo_x *)0)->f), __VA_ARGS__ + 0}
#define MEM(k, f, line)                                                                \
	{k, "\"" k "\":", sizeof("\"" k "\":") - 1, k, CF_MEM, FS_MEM, FK_U, line, 0, offsetof(struct conn_skmem, f),            \
	 sizeof(((struct conn_skmem *)0)->f), 0}

/* In JSON key order (README documents the keys); `line` groups the detail
 * view (lines 0-9 tcp_info, 10-11 socket memory). */
static const struct info_field fields[] = {
	TI("rtt_ms", "rtt", CF_PATH, FK_MS3, 0, TI_BASE, rtt_us),
	TI("rttvar_ms", "rttvar", CF_PATH, FK_MS3, 0, TI_BASE, rttvar_us),
	TI("min_rtt_ms", "min_rtt", CF_PATH, FK_MS3, 0, TI_MIN_RTT, min_rtt_us),
	TI("rto_ms", "rto", CF_RETRANS, FK_MS0, 0, TI_BASE, rto_us),
	TI("cwnd", "snd_cwnd", CF_PATH, FK_U, 1, TI_BASE, snd_cwnd),
	/* The kernel reports "no slow-start threshold yet" as a huge value. */
	TI("ssthresh", "snd_ssthresh", CF_PATH, FK_U, 1, TI_BASE, snd_ssthresh, 0xffff),
	TI("mss", "snd_mss", CF_PATH, FK_U, 1, TI_BASE, snd_mss),
	TI("retrans", "retransmits", CF_RETRANS, FK_U, 2, TI_BASE, retransmits),
	TI("retrans_total", "total_retrans", CF_RETRANS, FK_U, 2, TI_BASE, total_retrans),
	TX("lost", "lost", CF_RETRANS, FK_U, 6, TI_BASE, lost),
	TI("unacked", "unacked", CF_PATH, FK_U, 2, TI_BASE, unacked),
	TX("sacked", "sacked", CF_PATH, FK_U, 6, TI_BASE, sacked),
	TI("bytes_acked", "bytes_acked", CF_DATA, FK_U, 3, TI_BYTES_ACKED, bytes_acked),
	TI("bytes_received", "bytes_received", CF_DATA, FK_U, 3, TI_BYTES_ACKED, bytes_received),
	TI("bytes_sent", "bytes_sent", CF_DATA, FK_U, 3, TI_BYTES_SENT, bytes_sent),
	TX("bytes_retrans", "bytes_retrans", CF_RETRANS, FK_U, 6, TI_BYTES_SENT, bytes_retrans),
	TX("segs_out", "segs_out", CF_DATA, FK_U, 7, TI_SEGS, segs_out),
	TX("segs_in", "segs_in", CF_DATA, FK_U, 7, TI_SEGS, segs_in),
	TX("notsent_bytes", "notsent_bytes", CF_DATA, FK_U, 7, TI_MIN_RTT, notsent_bytes),
	TI("delivery_rate_bps", "delivery_rate", CF_PATH, FK_BPS, 4, TI_DELIVERY, delivery_rate),
	/* ~0 means "no pacing limit": not a measured rate. */
	TX("pacing_rate_bps", "pacing_rate", CF_PATH, FK_BPS, 8, TI_PACING, pacing_rate,
	   UINT64_MAX),
	TX("snd_wnd", "snd_wnd", CF_PATH, FK_U, 5, TI_SND_WND, snd_wnd),
	TI("last_send_ms", "last_data_sent", CF_DATA, FK_MSI, 4, TI_BASE, last_data_sent_ms),
	TI("last_recv_ms", "last_data_recv", CF_DATA, FK_MSI, 4, TI_BASE, last_data_recv_ms),
	TI("last_ack_ms", "last_ack_recv", CF_DATA, FK_MSI, 4, TI_BASE, last_ack_recv_ms),
	/* The detail view only. */
	TI("", "retrans", CF_RETRANS, FK_U, 2, TI_BASE, retrans),
	TI("", "backoff", CF_RETRANS, FK_U, 2, TI_BASE, backoff),
	TX("", "ato", CF_PATH, FK_MS0, 5, TI_BASE, ato_us),
	TX("", "rcv_mss", CF_PATH, FK_U, 5, TI_BASE, rcv_mss),
	TX("", "rcv_space", CF_PATH, FK_U, 5, TI_BASE, rcv_space),
	TX("", "delivered", CF_DATA, FK_U, 7, TI_DELIVERED, delivered),
	TX("", "probes", CF_RETRANS, FK_U, 9, TI_BASE, probes),
	TX("", "ca_state", CF_PATH, FK_U, 9, TI_BASE, ca_state),
	TX("", "options", CF_PATH, FK_HEX, 9, TI_BASE, options),
	TX("", "snd_wscale", CF_PATH, FK_U, 9, TI_BASE, snd_wscale),
	TX("", "rcv_wscale", CF_PATH, FK_U, 9, TI_BASE, rcv_wscale),
	/* Socket memory (ss -m): the "skmem" object in JSON. */
	MEM("rmem_alloc", rmem_alloc, 10),
	MEM("rcvbuf", rcvbuf, 10),
	MEM("wmem_alloc", wmem_alloc, 10),
	MEM("sndbuf", sndbuf, 10),
	MEM("fwd_alloc", fwd_alloc, 11),
	MEM("wmem_queued", wmem_queued, 11),
	MEM("optmem", optmem, 11),
	MEM("backlog", backlog, 11),
	MEM("drops", drops, 11),
};
#define NFIELDS (sizeof fields / sizeof fields[0])
#define DETAIL_LINES 12

static uint64_t field_raw(const struct info_field *f, const void *base)
{
	const char *p = (const char *)base + f->off;
	switch (f->size) {
	case 1:
		return *(const uint8_t *)p;
	case 4: {
		uint32_t v;
		memcpy(&v, p, 4);
		return v;
	}
	default: {
		uint64_t v;
		memcpy(&v, p, 8);
		return v;
	}
	}
}

/* The field's value, or false when unknown or meaningless for the state. */
static bool field_get(const struct info_field *f, const struct conn *c,
		      const struct conn_tcpinfo_x *x, uint64_t *v)
{
	if (!conn_field_applies(f->grp, c->state))
		return false;
	const void *base;
	if (f->src == FS_MEM) {
		if (!x || !x->have_mem)
			return false;
		base = &x->mem;
	} else {
		if ((c->ti.have & (TI_BASE | f->need)) != (TI_BASE | f->need))
			return false;
		if (f->src == FS_X && !(x && x->have))
			return false;
		base = f->src == FS_X ? (const void *)x : (const void *)&c->ti;
	}
	*v = field_raw(f, base);
	return !(f->limit && *v >= f->limit);
}

void out_json_info_fields(struct jw *w, const struct conn *c, const struct conn_tcpinfo_x *x)
{
	bool mem = false;
	for (size_t i = 0; i < NFIELDS; i++) {
		const struct info_field *f = &fields[i];
		if (!f->key[0])
			continue;
		if (f->src == FS_MEM && !mem) {
			mem = true;
			if (!(x && x->have_mem && conn_field_applies(CF_MEM, c->state))) {
				JW_KEY(w, "skmem");
				jw_null(w);
				return; /* the memory fields are last */
			}
			JW_KEY(w, "skmem");
			jw_obj_begin(w);
		}
		uint64_t v;
		jw_key_lit(w, f->qkey, f->qlen);
		if (!field_get(f, c, x, &v))
			jw_null(w);
		else if (f->kind == FK_MS3 || f->kind == FK_MS0)
			jw_double(w, (double)v / 1000.0, 3);
		else
			jw_u64(w, v);
	}
	if (mem)
		jw_obj_end(w);
}

void out_detail_info(const struct conn *c, const struct conn_tcpinfo_x *x,
		     void (*add)(void *ctx, const char *line), void *ctx)
{
	char line[256];
	if (!c->ti.have)
		add(ctx, "tcp_info: not available (TIME_WAIT, SYN_RECV, /proc source or --no-info)");
	else if (!conn_field_applies(CF_PATH, c->state) &&
		 !conn_field_applies(CF_RETRANS, c->state))
		add(ctx, "tcp_info: '-' for fields a listener's tcp_info does not measure");
	else
		add(ctx, "tcp_info:");
	for (int ln = 0; ln < DETAIL_LINES; ln++) {
		if (ln == 10) {
			if (!(x && x->have_mem)) {
				add(ctx, c->ti.have || (c->have & CONN_HAVE_INODE)
						 ? "meminfo: arrives with the next refresh"
						 : "meminfo: not available");
				return;
			}
			add(ctx, "meminfo (ss -m):");
		}
		if (ln < 10 && !c->ti.have)
			continue;
		if (ln >= 5 && ln < 10 && !(x && x->have)) {
			if (ln == 5)
				add(ctx, "  (the rest of tcp_info arrives with the next refresh)");
			continue;
		}
		size_t n = 0;
		for (size_t i = 0; i < NFIELDS && n < sizeof line - 64; i++) {
			const struct info_field *f = &fields[i];
			if (f->line != ln)
				continue;
			uint64_t v;
			if (!field_get(f, c, x, &v)) {
				n += (size_t)snprintf(line + n, sizeof line - n, "  %s -", f->label);
				continue;
			}
			switch (f->kind) {
			case FK_MS3:
				n += (size_t)snprintf(line + n, sizeof line - n, "  %s %.3fms", f->label,
						      (double)v / 1e3);
				break;
			case FK_MS0:
				n += (size_t)snprintf(line + n, sizeof line - n, "  %s %.0fms", f->label,
						      (double)v / 1e3);
				break;
			case FK_MSI:
				n += (size_t)snprintf(line + n, sizeof line - n, "  %s %" PRIu64 "ms",
						      f->label, v);
				break;
			case FK_BPS:
				n += (size_t)snprintf(line + n, sizeof line - n, "  %s %" PRIu64 " B/s",
						      f->label, v);
				break;
			case FK_HEX:
				n += (size_t)snprintf(line + n, sizeof line - n, "  %s 0x%" PRIx64,
						      f->label, v);
				break;
			default:
				n += (size_t)snprintf(line + n, sizeof line - n, "  %s %" PRIu64,
						      f->label, v);
				break;
			}
		}
		if (n)
			add(ctx, line);
	}
}
