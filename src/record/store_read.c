/* store_read.c — reading a recording: every shard's index loaded at open
 * (what is torn or fails its CRC counts as never written), frames found by
 * time with a binary search and decompressed with their key frame as
 * prefix. Read-only: opens nothing for writing. Contract in store.h. */
#include "tcpscope/store.h"
#include "store_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#define RAW_MAX (1u << 30)    /* a frame larger than this is not ours */
#define NOTICES_MAX 64

struct shard {
	char name[32];            /* "tcpscope-20261207" */
	int dfd;
	uint64_t dsize;
	struct store_entry *ents; /* owned; valid entries in file order */
	size_t n;
};

struct ref {
	struct store_frame_ref r;
	uint32_t ent;             /* index into its shard's ents */
};

struct buf {
	uint8_t *p;
	size_t len, cap;
};

struct store_reader {
	struct shard *sh;         /* owned */
	size_t nsh, shcap;
	struct ref *refs;         /* owned; by time */
	size_t nrefs;
	struct store_frame_ref *pub; /* owned; refs' public part, same order */
	ZSTD_DCtx *dc;            /* owned */
	struct buf comp, raw;
	struct {                  /* decompressed prefixes: [0] a root, [1] a key */
		struct buf b;
		bool valid;
		uint32_t shard;
		uint64_t off;
	} cache[2];
	char *notices[NOTICES_MAX]; /* owned; queued */
	size_t nnot, not_next;
	char notice_out[512];
	struct store_reader_stats st;
};

__attribute__((format(printf, 2, 3)))
static void notice(struct store_reader *r, const char *fmt, ...)
{
	if (r->nnot >= NOTICES_MAX)
		return;
	char m[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m, sizeof m, fmt, ap);
	va_end(ap);
	r->notices[r->nnot++] = xstrdup(m);
}

const char *store_reader_notice(struct store_reader *r)
{
	if (r->not_next >= r->nnot)
		return NULL;
	snprintf(r->notice_out, sizeof r->notice_out, "%s", r->notices[r->not_next++]);
	return r->notice_out;
}


static int slurp(const char *path, struct buf *b)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat st;
	int rc = fstat(fd, &st) < 0 ? -errno : 0;
	if (rc == 0) {
		b->p = xgrow(b->p, &b->cap, (size_t)st.st_size + 1, 1);
		b->len = (size_t)st.st_size;
		rc = b->len ? store_pread_all(fd, b->p, b->len, 0) : 0;
	}
	close(fd);
	return rc;
}

/* One shard; 0 loaded (maybe with notices), 1 skipped, < 0 fatal with e. */
static int shard_load(struct store_reader *r, const char *dir, const char *name, struct err *e)
{
	char path[4096 + 64];
	snprintf(path, sizeof path, "%s/%s.data", dir, name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, errno, "%s: %s", path, strerror(errno));
	struct stat st;
	uint8_t h[STORE_HDR_SIZE];
	struct store_hdr hd;
	int rc = fstat(fd, &st) < 0 ? -errno : 0;
	if (rc == 0 && st.st_size < STORE_HDR_SIZE)
		rc = -EBADMSG;
	if (rc == 0)
		rc = store_pread_all(fd, h, sizeof h, 0);
	if (rc == 0)
		rc = store_hdr_decode(h, 'd', &hd);
	if (rc == -EPROTONOSUPPORT) {
		close(fd);
		return err_set(e, rc, "%s: format version %u is newer than this tcpscope reads (%d)",
			       path, hd.version, STORE_VERSION);
	}
	if (rc == -EBADMSG) {
		close(fd);
		notice(r, "%s: not a valid tcpscope data file: shard skipped", path);
		return 1;
	}
	if (rc < 0) {
		close(fd);
		return err_set(e, rc, "%s: %s", path, strerror(-rc));
	}
	snprintf(path, sizeof path, "%s/%s.index", dir, name);
	struct buf ib = {0};
	rc = slurp(path, &ib);
	if (rc == -ENOENT) {
		notice(r, "%s: missing: shard skipped", path);
		close(fd);
		free(ib.p);
		return 1;
	}
	if (rc < 0) {
		close(fd);
		free(ib.p);
		return err_set(e, rc, "%s: %s", path, strerror(-rc));
	}
	struct store_entry *ents;
	size_t bad;
	long n = store_index_parse(ib.p, ib.len, (uint64_t)st.st_size, &ents, &bad);
	free(ib.p);
	if (n == -EPROTONOSUPPORT) {
		close(fd);
		return err_set(e, (int)n, "%s: format version is newer than this tcpscope reads (%d)",
			       path, STORE_VERSION);
	}
	if (n < 0) {
		close(fd);
		notice(r, "%s: not a valid tcpscope index: shard skipped", path);
		return 1;
	}
	if (bad)
		notice(r, "%s: %zu damaged or torn index entries skipped (never written)", path, bad);
	r->sh = xgrow(r->sh, &r->shcap, r->nsh + 1, sizeof *r->sh);
	struct shard *s = &r->sh[r->nsh++];
	snprintf(s->name, sizeof s->name, "%s", name);
	s->dfd = fd;
	s->dsize = (uint64_t)st.st_size;
	s->ents = ents;
	s->n = (size_t)n;
	r->st.bad_entries += bad;
	r->st.bytes += (uint64_t)st.st_size + ib.len;
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int ref_cmp(const void *a, const void *b)
{
	const struct ref *x = a, *y = b;
	if (x->r.time_ns != y->r.time_ns)
		return x->r.time_ns < y->r.time_ns ? -1 : 1;
	if (x->r.shard != y->r.shard)
		return x->r.shard < y->r.shard ? -1 : 1;
	return x->ent < y->ent ? -1 : x->ent > y->ent;
}

static bool shard_name_of(const char *file, char *out, size_t len)
{
	unsigned day;
	char ext[8];
	int end = 0;
	if (sscanf(file, "tcpscope-%8u.%7[a-z]%n", &day, ext, &end) != 2 || file[end] ||
	    strcmp(ext, "data"))
		return false;
	snprintf(out, len, "tcpscope-%08u", day);
	return strlen(file) == 22; /* exactly tcpscope-YYYYMMDD.data */
}

struct store_reader *store_reader_open(const char *path, struct err *e)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		err_set(e, errno, "%s: %s", path, strerror(errno));
		return NULL;
	}
	char dir[4096], one[32] = "";
	snprintf(dir, sizeof dir, "%s", path);
	if (!S_ISDIR(st.st_mode)) {
		/* A shard file: DIR/tcpscope-D.data or .index. */
		char *slash = strrchr(dir, '/');
		const char *base = slash ? slash + 1 : dir;
		unsigned day;
		char ext[8];
		int end = 0;
		if (sscanf(base, "tcpscope-%8u.%7[a-z]%n", &day, ext, &end) != 2 || base[end] ||
		    (strcmp(ext, "data") && strcmp(ext, "index"))) {
			err_set(e, EINVAL, "%s: not a tcpscope recording (a directory, or its "
				"tcpscope-YYYYMMDD.data file)", path);
			return NULL;
		}
		snprintf(one, sizeof one, "tcpscope-%08u", day);
		if (slash)
			*slash = '\0';
		else
			snprintf(dir, sizeof dir, ".");
	}
	DIR *d = opendir(dir);
	if (!d) {
		err_set(e, errno, "%s: %s", dir, strerror(errno));
		return NULL;
	}
	char **names = NULL;
	size_t nn = 0, ncap = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		char nm[32];
		if (!shard_name_of(de->d_name, nm, sizeof nm) || (*one && strcmp(nm, one)))
			continue;
		names = xgrow(names, &ncap, nn + 1, sizeof *names);
		names[nn++] = xstrdup(nm);
	}
	closedir(d);
	struct store_reader *r = xcalloc(1, sizeof *r);
	int rc = 0;
	if (!nn)
		rc = err_set(e, ENOENT, "%s: not a tcpscope recording (no tcpscope-YYYYMMDD.data "
			     "shards)", *one ? path : dir);
	if (nn)
		qsort(names, nn, sizeof *names, name_cmp);
	for (size_t i = 0; i < nn && rc >= 0; i++)
		rc = shard_load(r, dir, names[i], e);
	for (size_t i = 0; i < nn; i++)
		free(names[i]);
	free(names);
	if (rc >= 0 && !r->nsh)
		rc = err_set(e, EBADMSG, "%s: no readable shard in this recording", dir);
	r->dc = rc >= 0 ? ZSTD_createDCtx() : NULL;
	if (rc >= 0 && !r->dc)
		rc = err_set(e, ENOMEM, "zstd: cannot create a decompression context");
	if (rc < 0) {
		store_reader_close(r);
		return NULL;
	}
	size_t total = 0;
	for (size_t i = 0; i < r->nsh; i++)
		total += r->sh[i].n;
	r->refs = xcalloc(total ? total : 1, sizeof *r->refs);
	for (size_t i = 0; i < r->nsh; i++)
		for (size_t j = 0; j < r->sh[i].n; j++) {
			const struct store_entry *en = &r->sh[i].ents[j];
			r->refs[r->nrefs++] = (struct ref){
				{en->time_ns, (uint32_t)i, en->length, en->raw_length, en->flags},
				(uint32_t)j};
		}
	qsort(r->refs, r->nrefs, sizeof *r->refs, ref_cmp);
	r->pub = xcalloc(r->nrefs ? r->nrefs : 1, sizeof *r->pub);
	for (size_t i = 0; i < r->nrefs; i++)
		r->pub[i] = r->refs[i].r;
	r->st.shards = r->nsh;
	r->st.frames = r->nrefs;
	return r;
}

void store_reader_close(struct store_reader *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nsh; i++) {
		close(r->sh[i].dfd);
		free(r->sh[i].ents);
	}
	for (size_t i = 0; i < r->nnot; i++)
		free(r->notices[i]);
	free(r->sh);
	free(r->refs);
	free(r->pub);
	free(r->comp.p);
	free(r->cache[0].b.p);
	free(r->cache[1].b.p);
	free(r->raw.p);
	ZSTD_freeDCtx(r->dc);
	free(r);
}

size_t store_reader_count(const struct store_reader *r)
{
	return r->nrefs;
}

const struct store_frame_ref *store_reader_ref(const struct store_reader *r, size_t i)
{
	return i < r->nrefs ? &r->pub[i] : NULL;
}

long store_reader_find(const struct store_reader *r, int64_t time_ns)
{
	size_t lo = 0, hi = r->nrefs; /* first frame later than time_ns */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (r->pub[mid].time_ns <= time_ns)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (long)lo - 1;
}

const struct store_reader_stats *store_reader_stats(const struct store_reader *r)
{
	return &r->st;
}

const char *store_reader_shard_name(const struct store_reader *r, uint32_t s)
{
	return s < r->nsh ? r->sh[s].name : "?";
}

/* Decompress one entry's frame into out, with prefix (NULL: none). */
static int frame_get(struct store_reader *r, const struct shard *s, const struct store_entry *en,
		     const struct buf *prefix, struct buf *out, struct err *e)
{
	if (en->raw_length > RAW_MAX)
		return err_set(e, EBADMSG, "%s.data: frame at %llu claims %u bytes", s->name,
			       (unsigned long long)en->offset, en->raw_length);
	r->comp.p = xgrow(r->comp.p, &r->comp.cap, en->length, 1);
	int rc = store_pread_all(s->dfd, r->comp.p, en->length, en->offset);
	if (rc < 0)
		return err_set(e, rc, "%s.data: %s", s->name, strerror(-rc));
	if (store_crc32c(0, r->comp.p, en->length) != en->crc)
		return err_set(e, EBADMSG, "%s.data: frame at offset %llu fails its CRC", s->name,
			       (unsigned long long)en->offset);
	out->p = xgrow(out->p, &out->cap, en->raw_length ? en->raw_length : 1, 1);
	ZSTD_DCtx_reset(r->dc, ZSTD_reset_session_and_parameters);
	ZSTD_DCtx_setParameter(r->dc, ZSTD_d_windowLogMax, 27);
	if (prefix)
		ZSTD_DCtx_refPrefix(r->dc, prefix->p, prefix->len);
	ZSTD_inBuffer in = {r->comp.p, en->length, 0};
	ZSTD_outBuffer ob = {out->p, en->raw_length, 0};
	size_t zr;
	do {
		zr = ZSTD_decompressStream(r->dc, &ob, &in);
	} while (!ZSTD_isError(zr) && zr != 0 && in.pos < in.size && ob.pos < ob.size);
	if (ZSTD_isError(zr) || zr != 0 || ob.pos != en->raw_length)
		return err_set(e, EBADMSG, "%s.data: frame at offset %llu does not decompress%s%s",
			       s->name, (unsigned long long)en->offset, ZSTD_isError(zr) ? ": " : "",
			       ZSTD_isError(zr) ? ZSTD_getErrorName(zr) : "");
	out->len = ob.pos;
	return 0;
}

static const struct store_entry *entry_at(const struct shard *s, uint64_t off)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->ents[mid].offset < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->n && s->ents[lo].offset == off ? &s->ents[lo] : NULL;
}

/* The raw bytes of the frame at `off` in shard si, which others were
 * compressed against: a root (alone) or a key (against a root). depth > 0:
 * it must be a root (chains are at most root → key → frame). */
static const struct buf *prefix_load(struct store_reader *r, uint32_t si, uint64_t off, int depth,
				     struct err *e)
{
	const struct shard *s = &r->sh[si];
	const struct store_entry *k = entry_at(s, off);
	bool root = k && k->key_offset == k->offset;
	if (!k || !(k->flags & STORE_FLAG_KEY) || (depth > 0 && !root)) {
		err_set(e, EBADMSG, "%s: a key frame (at offset %llu) is lost", s->name,
			(unsigned long long)off);
		return NULL;
	}
	int slot = root ? 0 : 1;
	if (r->cache[slot].valid && r->cache[slot].shard == si && r->cache[slot].off == off)
		return &r->cache[slot].b;
	const struct buf *pfx = NULL;
	if (!root && !(pfx = prefix_load(r, si, k->key_offset, depth + 1, e)))
		return NULL;
	r->cache[slot].valid = false;
	if (frame_get(r, s, k, pfx, &r->cache[slot].b, e) < 0)
		return NULL;
	r->cache[slot].valid = true;
	r->cache[slot].shard = si;
	r->cache[slot].off = off;
	return &r->cache[slot].b;
}

int store_reader_read(struct store_reader *r, size_t i, const uint8_t **raw, size_t *len,
		      struct err *e)
{
	if (i >= r->nrefs)
		return err_set(e, ERANGE, "no frame %zu", i);
	const struct ref *rf = &r->refs[i];
	const struct shard *s = &r->sh[rf->r.shard];
	const struct store_entry *en = &s->ents[rf->ent];
	const struct buf *prefix = NULL;
	if (en->key_offset != en->offset &&
	    !(prefix = prefix_load(r, rf->r.shard, en->key_offset, 0, e)))
		return -EBADMSG;
	int rc = frame_get(r, s, en, prefix, &r->raw, e);
	if (rc < 0)
		return rc;
	*raw = r->raw.p;
	*len = r->raw.len;
	return 0;
}
