/* test_vm_text.c — the substring filter's fast path (a word is looked for
 * only in the columns whose text can hold it, column by column) passes
 * exactly the rows whose visible columns, joined by spaces, contain the
 * word; the column alphabets (col_chars) hold every character their
 * formatters write; whole numbers format as "%.0f" does. */
#include <arpa/inet.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "check.h"
#include "tcpscope/collect.h"
#include "tcpscope/columns.h"
#include "tcpscope/viewmodel.h"
#include "vm_rows.h"

#define NROWS 600
#define NOW_NS (5000ull * 1000000000ull)

static struct conn conns[NROWS];
static struct track_entry ents[NROWS];
static const struct track_entry *ptrs[NROWS];
static unsigned long long rng = 88172645463325252ull;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* A number of a random size: 0, small, ~1e3..1e12, or with a fraction. */
static double rnd_num(void)
{
	static const double scale[] = {0, 1, 10, 1000, 1e5, 1e6, 1e9, 1e12};
	double v = scale[rnd(8)] * (rnd(1000) + 1) / 100.0;
	return rnd(3) ? floor(v) : v;
}

static void population(void)
{
	static const char *const comms[] = {"nginx", "postgres", "worker7", "redis-server",
					    "a b", "sshd", "Xorg", "java"};
	static const uint8_t states[] = {TCPS_ESTABLISHED, TCPS_TIME_WAIT, TCPS_CLOSE_WAIT,
					 TCPS_SYN_SENT, TCPS_FIN_WAIT2, TCPS_LISTEN,
					 TCPS_SYN_RECV, TCPS_LAST_ACK};
	for (int i = 0; i < NROWS; i++) {
		struct conn *c = &conns[i];
		memset(c, 0, sizeof *c);
		c->family = rnd(4) ? AF_INET : AF_INET6;
		for (int b = 0; b < 16; b++) {
			c->laddr.b[b] = (uint8_t)(rnd(3) ? rnd(256) : rnd(12));
			c->raddr.b[b] = (uint8_t)(rnd(3) ? rnd(256) : rnd(12));
		}
		c->lport = (uint16_t)(rnd(2) ? rnd(65536) : 443);
		c->rport = (uint16_t)rnd(65536);
		c->state = states[rnd(sizeof states)];
		c->cookie = ((uint64_t)rnd(1u << 30) << 20) | (uint64_t)i;
		c->have = CONN_HAVE_COOKIE | CONN_HAVE_RQUEUE | CONN_HAVE_WQUEUE | CONN_HAVE_UID;
		c->rqueue = (uint32_t)rnd_num();
		c->wqueue = (uint32_t)rnd_num();
		c->uid = rnd(2000);
		c->inode = rnd(1u << 30);
		c->pid = -1;
		if (rnd(4)) {
			c->have |= CONN_HAVE_PROC;
			snprintf(c->comm, sizeof c->comm, "%s", comms[rnd(8)]);
			c->pid = (int32_t)rnd(100000);
		}
		if (rnd(3)) {
			c->have |= CONN_HAVE_TIMER;
			c->timer = (uint8_t)rnd(5);
			c->timer_ms = rnd(400000);
			c->timer_retrans = (uint8_t)rnd(3);
		}
		if (rnd(4)) {
			c->ti.have = TI_BASE | TI_BYTES_ACKED | TI_MIN_RTT | TI_DELIVERY;
			c->ti.rtt_us = rnd(3) ? rnd(2000000) : rnd(100);
			c->ti.rttvar_us = rnd(100000);
			c->ti.min_rtt_us = rnd(50000);
			c->ti.rto_us = 200000 + rnd(1000000);
			c->ti.snd_cwnd = rnd(200000);
			c->ti.total_retrans = rnd(3) ? 0 : rnd(1000000);
			c->ti.bytes_acked = (uint64_t)rnd_num();
			c->ti.bytes_received = (uint64_t)rnd_num();
			c->ti.delivery_rate = (uint64_t)rnd_num();
		}
		struct track_entry *e = &ents[i];
		memset(e, 0, sizeof *e);
		e->conn = c;
		e->key = c->cookie;
		e->first_seen_ns = NOW_NS - (uint64_t)rnd(400000) * 1000000000ull / (rnd(1000) + 1);
		e->state_since_ns = e->first_seen_ns + rnd(1000) * 1000000ull;
		e->flags = (rnd(8) ? 0 : TRK_TOMB) | (rnd(4) ? 0 : TRK_AGE_LOWER);
		e->tomb_ns = NOW_NS - rnd(3000) * 1000000ull;
		e->rx_bps = rnd(3) ? (float)rnd_num() : NAN;
		e->tx_bps = rnd(3) ? (float)rnd_num() : NAN;
		e->retrans_per_s = rnd(3) ? (float)rnd(50) / (rnd(3) + 1) : NAN;
		ptrs[i] = e;
	}
}

/* The reference: the visible columns joined by spaces, no length cap. */
struct ref {
	struct viewmodel *vm;
	const uint8_t *cols;
	size_t ncols;
	const char *word;
};

static bool ref_match(void *arg, const struct track_entry *e)
{
	struct ref *r = arg;
	char buf[8192], cell[1024];
	size_t used = 0;
	for (size_t i = 0; i < r->ncols; i++) {
		col_format(vm_ctx(r->vm), r->cols[i], e, cell, sizeof cell);
		used += (size_t)snprintf(buf + used, sizeof buf - used, "%s ", cell);
	}
	return strcasestr(buf, r->word) != NULL;
}

static size_t keys_of(struct viewmodel *vm, uint64_t *out)
{
	const struct vm_row *r;
	vm_rebuild(vm);
	size_t n = vm_rows_copy(vm, &r);
	for (size_t i = 0; i < n; i++)
		out[i] = r[i].e ? r[i].e->key : ~0ull;
	return n;
}

/* A word: part of some row's text (case flipped at random), or made up. */
static void rnd_word(struct viewmodel *vm, const uint8_t *cols, size_t ncols, char *w, size_t len)
{
	static const char pool[] = "0123456789.:%>-[]msdhkMGabcdefghijklmnopqrstuvwxyz_ ";
	size_t n = 1 + rnd(8);
	if (n >= len)
		n = len - 1;
	if (rnd(3)) {
		char buf[8192], cell[1024];
		size_t used = 0;
		const struct track_entry *e = ptrs[rnd(NROWS)];
		for (size_t i = 0; i < ncols; i++) {
			col_format(vm_ctx(vm), cols[i], e, cell, sizeof cell);
			used += (size_t)snprintf(buf + used, sizeof buf - used, "%s ", cell);
		}
		if (n > used)
			n = used;
		size_t at = used > n ? rnd((unsigned)(used - n)) : 0;
		memcpy(w, buf + at, n);
		w[n] = '\0';
		for (char *p = w; *p; p++)
			if (rnd(3) == 0)
				*p = (char)(isupper((unsigned char)*p) ? tolower((unsigned char)*p)
								       : toupper((unsigned char)*p));
	} else {
		for (size_t i = 0; i < n; i++)
			w[i] = pool[rnd(sizeof pool - 1)];
		w[n] = '\0';
	}
	if (!w[0])
		snprintf(w, len, "x");
}

static void test_same_rows(void)
{
	static uint64_t fast[NROWS], slow[NROWS];
	struct viewmodel *vm = vm_new();
	vm_set_data(vm, ptrs, NROWS, NULL, NOW_NS);
	int words = 0, diffs = 0, hits = 0;
	for (int round = 0; round < 60; round++) {
		uint8_t cols[COL_COUNT];
		size_t ncols = 1 + rnd(12);
		for (size_t i = 0; i < ncols; i++)
			cols[i] = (uint8_t)rnd(COL_COUNT);
		vm_set_columns(vm, cols, ncols);
		vm_set_view(vm, rnd(4) ? VM_VIEW_CONNS : VM_VIEW_LISTEN);
		vm_set_sort(vm, cols[0], rnd(2));
		for (int k = 0; k < 25; k++) {
			char w[16];
			rnd_word(vm, cols, ncols, w, sizeof w);
			struct ref r = {vm, cols, ncols, w};
			vm_set_match(vm, NULL, NULL);
			vm_set_text_filter(vm, w);
			size_t nf = keys_of(vm, fast);
			vm_set_text_filter(vm, NULL);
			vm_set_match(vm, ref_match, &r);
			size_t ns = keys_of(vm, slow);
			words++;
			hits += nf > 0;
			if (nf != ns || memcmp(fast, slow, nf * sizeof *fast)) {
				if (diffs++ < 5)
					printf("  differs: word '%s', %zu rows vs %zu (columns %zu, first %d)\n",
					       w, nf, ns, ncols, cols[0]);
			}
		}
	}
	vm_set_match(vm, NULL, NULL);
	CHECK_INT(diffs, 0);
	/* Words that match as well as words that do not. */
	CHECK(hits > words / 4 && hits < words);
	printf("  %d words, %d matched some row\n", words, hits);
	vm_free(vm);
}

/* Every character a column writes is in its alphabet. */
static void test_alphabets(void)
{
	struct viewmodel *vm = vm_new();
	vm_set_data(vm, ptrs, NROWS, NULL, NOW_NS);
	int bad = 0, checked = 0;
	for (int col = 0; col < COL_COUNT; col++) {
		const char *chars = col_chars(col);
		if (!chars)
			continue;
		checked++;
		for (int i = 0; i < NROWS; i++) {
			char buf[256];
			col_format(vm_ctx(vm), col, ptrs[i], buf, sizeof buf);
			for (const char *p = buf; *p; p++)
				if (!strchr(chars, tolower((unsigned char)*p))) {
					if (bad++ < 5)
						printf("  column %s wrote '%s', '%c' not in \"%s\"\n",
						       col_table[col].name, buf, *p, chars);
					break;
				}
		}
	}
	CHECK_INT(bad, 0);
	CHECK(checked > 20); /* the numeric columns and IN-STATE at least */
	CHECK(col_chars(COL_PROCESS) == NULL);
	vm_free(vm);
}

/* Whole numbers skip printf; the text is "%.0f"'s. */
static void test_whole_numbers(void)
{
	static const enum col_style styles[] = {CS_PLAIN, CS_COUNT};
	int bad = 0;
	for (int i = 0; i < 20000; i++) {
		double v = rnd_num();
		if (rnd(10) == 0)
			v = -v;
		if (rnd(50) == 0)
			v = (double)(1ull << 53) + rnd(100) * 2.0;
		enum col_style st = styles[rnd(2)];
		if (st == CS_COUNT && v >= 100000)
			continue;
		char got[64], want[64];
		col_format_value(st, v, got, sizeof got);
		snprintf(want, sizeof want, "%.0f", v);
		bad += strcmp(got, want) != 0;
	}
	char small[3];
	col_format_value(CS_PLAIN, 12345, small, sizeof small);
	CHECK_STR(small, "12"); /* truncated as snprintf does */
	col_format_value(CS_PLAIN, -0.0, small, sizeof small);
	CHECK_STR(small, "-0");
	CHECK_INT(bad, 0);
}

int main(void)
{
	population();
	test_same_rows();
	test_alphabets();
	test_whole_numbers();
	return check_summary("test_vm_text");
}
