/* store_format.c — the store's on-disk pieces: CRC-32C, file headers, index
 * entries, and an index file parsed into its valid entries (the part a
 * corrupt or torn file reaches, so it has a fuzz target). Little-endian
 * throughout; docs/RECORDING.md describes every byte. */
#include "tcpscope/store.h"
#include "store_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static uint32_t crc_table[256];
static bool crc_ready;

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0x82f63b78u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
	crc_ready = true;
}

uint32_t store_crc32c(uint32_t crc, const void *p, size_t n)
{
	if (!crc_ready) /* idempotent: a race writes the same values */
		crc_init();
	const uint8_t *b = p;
	crc = ~crc;
	while (n--)
		crc = crc_table[(crc ^ *b++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

void store_entry_encode(const struct store_entry *en, uint8_t out[STORE_ENTRY_SIZE])
{
	put64(out, (uint64_t)en->time_ns);
	put64(out + 8, en->offset);
	put64(out + 16, en->key_offset);
	put32(out + 24, en->length);
	put32(out + 28, en->raw_length);
	put32(out + 32, en->crc);
	put32(out + 36, en->flags);
	put32(out + 40, 0);
	put32(out + 44, store_crc32c(0, out, 44));
}

bool store_entry_decode(const uint8_t in[STORE_ENTRY_SIZE], struct store_entry *en)
{
	if (store_crc32c(0, in, 44) != get32(in + 44))
		return false;
	en->time_ns = (int64_t)get64(in);
	en->offset = get64(in + 8);
	en->key_offset = get64(in + 16);
	en->length = get32(in + 24);
	en->raw_length = get32(in + 28);
	en->crc = get32(in + 32);
	en->flags = get32(in + 36);
	return true;
}

static const char *magic_of(char kind)
{
	return kind == 'd' ? "TCPSDATA" : "TCPSINDX";
}

void store_hdr_encode(const struct store_hdr *h, uint8_t out[STORE_HDR_SIZE])
{
	memset(out, 0, STORE_HDR_SIZE);
	memcpy(out, magic_of(h->kind), 8);
	put32(out + 8, h->version);
	put32(out + 12, STORE_HDR_SIZE);
	put32(out + 16, h->kind == 'i' ? STORE_ENTRY_SIZE : 0);
	put32(out + 20, h->day);
	put64(out + 24, (uint64_t)h->created_s);
	put32(out + 36, store_crc32c(0, out, 36));
}

int store_hdr_decode(const uint8_t in[STORE_HDR_SIZE], char kind, struct store_hdr *h)
{
	if (memcmp(in, magic_of(kind), 8) != 0)
		return -EBADMSG;
	h->kind = kind;
	h->version = get32(in + 8);
	/* The version is read before the CRC: a newer writer may lay the
	 * rest out differently, and the message should say "newer". */
	if (h->version > STORE_VERSION)
		return -EPROTONOSUPPORT;
	if (h->version == 0 || store_crc32c(0, in, 36) != get32(in + 36) ||
	    get32(in + 12) != STORE_HDR_SIZE ||
	    get32(in + 16) != (kind == 'i' ? STORE_ENTRY_SIZE : 0u))
		return -EBADMSG;
	h->day = get32(in + 20);
	h->created_s = (int64_t)get64(in + 24);
	return 0;
}

long store_index_parse(const uint8_t *buf, size_t len, uint64_t data_size,
		       struct store_entry **out, size_t *bad)
{
	*out = NULL;
	*bad = 0;
	struct store_hdr h;
	if (len < STORE_HDR_SIZE)
		return -EBADMSG;
	int rc = store_hdr_decode(buf, 'i', &h);
	if (rc < 0)
		return rc;
	size_t n = (len - STORE_HDR_SIZE) / STORE_ENTRY_SIZE;
	struct store_entry *v = n ? xcalloc(n, sizeof *v) : NULL;
	size_t k = 0;
	uint64_t end = STORE_HDR_SIZE; /* frames are back to back, in order */
	for (size_t i = 0; i < n; i++) {
		struct store_entry en;
		const uint8_t *p = buf + STORE_HDR_SIZE + i * STORE_ENTRY_SIZE;
		bool good = store_entry_decode(p, &en) && en.length > 0 && en.offset >= end &&
			    en.offset + en.length > en.offset &&
			    en.offset + en.length <= data_size &&
			    (en.key_offset < en.offset ||
			     (en.key_offset == en.offset && (en.flags & STORE_FLAG_KEY)));
		if (!good) {
			(*bad)++;
			continue;
		}
		end = en.offset + en.length;
		v[k++] = en;
	}
	*out = v;
	return (long)k;
}

void store_day_name(int64_t unix_s, char *buf, size_t len, uint32_t *day)
{
	time_t t = (time_t)unix_s;
	struct tm tm;
	gmtime_r(&t, &tm);
	uint32_t d = (uint32_t)((tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday);
	if (day)
		*day = d;
	snprintf(buf, len, "tcpscope-%08u", (unsigned)d);
}

/* --- whole reads and writes at an offset (EINTR retried) --- */

/* n bytes at off, read or written whole: a short transfer goes on from
 * where it stopped, EINTR is retried, an end of file is -EIO. */
static int xfer_all(int fd, uint8_t *b, size_t n, uint64_t off, bool wr)
{
	while (n) {
		ssize_t k = wr ? pwrite(fd, b, n, (off_t)off) : pread(fd, b, n, (off_t)off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? -errno : -EIO;
		b += k;
		n -= (size_t)k;
		off += (uint64_t)k;
	}
	return 0;
}

int store_pwrite_all(int fd, const void *p, size_t n, uint64_t off)
{
	return xfer_all(fd, (uint8_t *)(uintptr_t)p, n, off, true); /* pwrite only reads it */
}

int store_pread_all(int fd, void *p, size_t n, uint64_t off)
{
	return xfer_all(fd, p, n, off, false);
}

