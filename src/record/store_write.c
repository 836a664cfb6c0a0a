/* store_write.c — appending frames to a recording directory: day shards,
 * key-frame chunks compressed with zstd, tail recovery after a crash,
 * disk-full handling and retention. The contract is in store.h. */
#include "tcpscope/store.h"
#include "store_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_c_stableInBuffer: a parameter, no symbol */
#include <zstd.h>

#define PRUNE_EVERY 64
#define WINDOW_LOG_MAX 27

struct store_writer {
	char *dir;                 /* owned */
	struct store_writer_opts o;
	int lockfd, dfd, ifd;      /* dfd/ifd -1: no shard open */
	uint32_t day;              /* of the open shard */
	char name[32];             /* its base name */
	uint64_t dsize, isize;     /* file sizes (what is committed) */
	ZSTD_CCtx *cc;             /* owned */
	uint8_t *key;              /* owned; raw bytes of the chunk's key frame */
	size_t key_len, key_cap;
	uint64_t key_off;
	bool have_key;             /* key[] is on disk in this shard */
	unsigned in_chunk;         /* frames in the current chunk */
	uint8_t *root;             /* owned; raw bytes of the current root key */
	size_t root_len, root_cap;
	uint64_t root_off;
	bool have_root;            /* root[] is on disk in this shard */
	unsigned keys_in_root;     /* key frames compressed against it */
	uint8_t *cbuf;             /* owned; compression output */
	size_t ccap;
	const atomic_bool *stop;   /* borrowed; store_writer_set_stop() */
	uint64_t last_sync_ns;
	bool dirty;
	unsigned since_prune;
	struct store_writer_stats st;
};

static bool space_error(int err)
{
	return err == ENOSPC || err == EDQUOT || err == EFBIG;
}

/* Undo a failed append; if even that fails, the torn tail is cut when the
 * shard is next opened and readers ignore it meanwhile. */
static void cut(int fd, uint64_t size)
{
	if (ftruncate(fd, (off_t)size) < 0)
		return;
}

static void sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

static void shard_close(struct store_writer *w)
{
	if (w->dfd >= 0) {
		if (w->dirty) {
			fdatasync(w->dfd);
			fdatasync(w->ifd);
		}
		close(w->dfd);
		close(w->ifd);
	}
	w->dfd = w->ifd = -1;
	w->have_key = w->have_root = false;
	w->dirty = false;
}

/* The last complete entry of an existing index whose frame is whole in the
 * data file: cut everything after it (a crash's torn tail). */
static int shard_recover(struct store_writer *w, struct err *e)
{
	struct stat ds, is;
	if (fstat(w->dfd, &ds) < 0 || fstat(w->ifd, &is) < 0)
		return err_set(e, errno, "%s/%s: %s", w->dir, w->name, strerror(errno));
	uint64_t nslots = is.st_size > STORE_HDR_SIZE
				  ? ((uint64_t)is.st_size - STORE_HDR_SIZE) / STORE_ENTRY_SIZE : 0;
	uint64_t keep_i = STORE_HDR_SIZE, keep_d = STORE_HDR_SIZE;
	uint8_t *buf = NULL;
	for (uint64_t i = nslots; i-- > 0;) {
		uint8_t raw[STORE_ENTRY_SIZE];
		struct store_entry en;
		if (store_pread_all(w->ifd, raw, sizeof raw, STORE_HDR_SIZE + i * STORE_ENTRY_SIZE) < 0 ||
		    !store_entry_decode(raw, &en))
			continue;
		if (en.offset < STORE_HDR_SIZE || en.offset + en.length > (uint64_t)ds.st_size ||
		    en.length == 0)
			continue;
		buf = xrealloc(buf, en.length);
		if (store_pread_all(w->dfd, buf, en.length, en.offset) < 0 ||
		    store_crc32c(0, buf, en.length) != en.crc)
			continue;
		keep_i = STORE_HDR_SIZE + (i + 1) * STORE_ENTRY_SIZE;
		keep_d = en.offset + en.length;
		break;
	}
	free(buf);
	if ((keep_i != (uint64_t)is.st_size && ftruncate(w->ifd, (off_t)keep_i) < 0) ||
	    (keep_d != (uint64_t)ds.st_size && ftruncate(w->dfd, (off_t)keep_d) < 0))
		return err_set(e, errno, "%s/%s: cutting a torn tail: %s", w->dir, w->name,
			       strerror(errno));
	w->isize = keep_i;
	w->dsize = keep_d;
	return 0;
}

static int open_file(struct store_writer *w, const char *ext, char kind, uint32_t day,
		     int64_t now_s, int *fdp, struct err *e)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s.%s", w->dir, w->name, ext);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_set(e, errno, "%s: %s", path, strerror(errno));
	*fdp = fd;
	struct stat st;
	uint8_t h[STORE_HDR_SIZE];
	if (fstat(fd, &st) < 0)
		return err_set(e, errno, "%s: %s", path, strerror(errno));
	if (st.st_size >= STORE_HDR_SIZE) {
		struct store_hdr hd;
		int rc = store_pread_all(fd, h, sizeof h, 0);
		if (rc == 0)
			rc = store_hdr_decode(h, kind, &hd);
		if (rc == -EPROTONOSUPPORT)
			return err_set(e, rc, "%s: format version %u is newer than this tcpscope's (%d)",
				       path, hd.version, STORE_VERSION);
		if (rc < 0)
			return err_set(e, rc, "%s: not a tcpscope %s file", path,
				       kind == 'd' ? "data" : "index");
		return 1; /* existing */
	}
	struct store_hdr hd = {.kind = kind, .version = STORE_VERSION, .day = day,
			       .created_s = now_s};
	store_hdr_encode(&hd, h);
	int rc = ftruncate(fd, 0) < 0 ? -errno : store_pwrite_all(fd, h, sizeof h, 0);
	if (rc < 0) {
		cut(fd, 0); /* a later open writes the header again */
		return err_set(e, rc, "%s: %s", path, strerror(-rc));
	}
	return 0;
}

static int shard_open(struct store_writer *w, int64_t time_s, struct err *e)
{
	uint32_t day;
	store_day_name(time_s, w->name, sizeof w->name, &day);
	w->day = day;
	w->dfd = w->ifd = -1;
	int rd = open_file(w, "data", 'd', day, time_s, &w->dfd, e);
	int ri = rd < 0 ? rd : open_file(w, "index", 'i', day, time_s, &w->ifd, e);
	int rc = rd < 0 ? rd : ri;
	/* One file new, the other not: recovery finds no frame with an entry
	 * and cuts both back to their headers. */
	if (rc >= 0)
		rc = shard_recover(w, e);
	if (rc < 0) {
		if (w->dfd >= 0)
			close(w->dfd);
		if (w->ifd >= 0)
			close(w->ifd);
		w->dfd = w->ifd = -1;
		return rc;
	}
	if (rd == 0 || ri == 0)
		sync_dir(w->dir);
	w->have_key = w->have_root = false;
	w->in_chunk = 0;
	return 0;
}

/* --- retention --------------------------------------------------------------- */

struct shard_size {
	uint32_t day;
	uint64_t bytes;
};

static int day_cmp(const void *a, const void *b)
{
	uint32_t x = ((const struct shard_size *)a)->day, y = ((const struct shard_size *)b)->day;
	return x < y ? -1 : x > y;
}

static int64_t day_end_s(uint32_t day)
{
	struct tm tm = {.tm_year = (int)(day / 10000) - 1900, .tm_mon = (int)(day / 100 % 100) - 1,
			.tm_mday = (int)(day % 100) + 1};
	return (int64_t)timegm(&tm);
}

static void prune(struct store_writer *w)
{
	w->since_prune = 0;
	if (w->o.keep_s <= 0 && !w->o.max_bytes)
		return;
	DIR *d = opendir(w->dir);
	if (!d)
		return;
	struct shard_size *v = NULL;
	size_t n = 0, cap = 0;
	uint64_t total = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		unsigned day;
		char ext[8];
		if (sscanf(de->d_name, "tcpscope-%8u.%7s", &day, ext) != 2 ||
		    (strcmp(ext, "data") && strcmp(ext, "index")))
			continue;
		struct stat st;
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", w->dir, de->d_name);
		if (stat(path, &st) < 0)
			continue;
		size_t i = 0;
		while (i < n && v[i].day != day)
			i++;
		if (i == n) {
			v = xgrow(v, &cap, n + 1, sizeof *v);
			v[n++] = (struct shard_size){day, 0};
		}
		v[i].bytes += (uint64_t)st.st_size;
		total += (uint64_t)st.st_size;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof *v, day_cmp);
	double now = clock_wall();
	for (size_t i = 0; i < n; i++) {
		if (v[i].day == w->day)
			continue;
		bool old = w->o.keep_s > 0 && (double)day_end_s(v[i].day) < now - w->o.keep_s;
		bool big = w->o.max_bytes && total > w->o.max_bytes;
		if (!old && !big)
			continue;
		char path[4096];
		snprintf(path, sizeof path, "%s/tcpscope-%08u.index", w->dir, (unsigned)v[i].day);
		unlink(path); /* the index first: a half-deleted shard has no frames */
		snprintf(path, sizeof path, "%s/tcpscope-%08u.data", w->dir, (unsigned)v[i].day);
		unlink(path);
		total -= v[i].bytes;
		w->st.shards_removed++;
	}
	free(v);
}

/* --- the writer ----------------------------------------------------------------- */

struct store_writer *store_writer_open(const char *dir, const struct store_writer_opts *o,
				       struct err *e)
{
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		err_set(e, errno, "%s: %s", dir, strerror(errno));
		return NULL;
	}
	struct stat st;
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		err_set(e, ENOTDIR, "%s: not a directory", dir);
		return NULL;
	}
	struct store_writer *w = xcalloc(1, sizeof *w);
	w->dir = xstrdup(dir);
	if (o)
		w->o = *o;
	if (w->o.fsync_s <= 0)
		w->o.fsync_s = STORE_FSYNC_S_DEFAULT;
	if (w->o.level == 0)
		w->o.level = 3;
	w->dfd = w->ifd = -1;
	char path[4096];
	snprintf(path, sizeof path, "%s/lock", dir);
	w->lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (w->lockfd < 0) {
		err_set(e, errno, "%s: %s", path, strerror(errno));
		store_writer_close(w);
		return NULL;
	}
	if (flock(w->lockfd, LOCK_EX | LOCK_NB) < 0) {
		err_set(e, errno, "%s: another tcpscope is recording into it", dir);
		store_writer_close(w);
		return NULL;
	}
	w->cc = ZSTD_createCCtx();
	if (!w->cc) {
		err_set(e, ENOMEM, "zstd: cannot create a compression context");
		store_writer_close(w);
		return NULL;
	}
	/* Open today's shard now: a newer version or a foreign file is
	 * reported at once, not at the first frame. */
	if (shard_open(w, (int64_t)clock_wall(), e) < 0) {
		store_writer_close(w);
		return NULL;
	}
	prune(w);
	w->last_sync_ns = clock_mono_ns();
	return w;
}

static int append_fail(struct store_writer *w, int rc, struct err *e, const char *what)
{
	w->st.dropped++;
	w->st.full = space_error(-rc);
	return err_set(e, rc, "%s/%s.%s: %s", w->dir, w->name, what, strerror(-rc));
}

static size_t window_log(size_t n)
{
	size_t l = 20;
	while (l < WINDOW_LOG_MAX && ((size_t)1 << l) < n)
		l++;
	return l;
}

void store_writer_set_stop(struct store_writer *w, const atomic_bool *stop)
{
	w->stop = stop;
}

/* Input between two looks at the stop flag: ~10-40 ms of zstd. */
#define STOP_STEP (4u << 20)
#define COMPRESS_STOPPED ((size_t)-1 - 1000) /* beyond zstd's error codes */

/* raw into w->cbuf (bound bytes), the context set up. With a stop flag, in
 * steps of STOP_STEP bytes with the flag looked at between them
 * (COMPRESS_STOPPED when set): one frame, the input read where it is
 * (stableInBuffer: no copy into zstd's window; refused by an older
 * library, zstd copies it). */
static size_t compress_until(struct store_writer *w, const void *raw, size_t len, size_t bound)
{
	if (!w->stop || len <= STOP_STEP)
		return ZSTD_compress2(w->cc, w->cbuf, bound, raw, len);
	ZSTD_CCtx_setPledgedSrcSize(w->cc, len);
	(void)ZSTD_CCtx_setParameter(w->cc, ZSTD_c_stableInBuffer, 1);
	ZSTD_outBuffer out = {w->cbuf, bound, 0};
	ZSTD_inBuffer in = {raw, 0, 0};
	for (unsigned step = 0; step < len / STOP_STEP + 2; step++) {
		if (atomic_load(w->stop))
			return COMPRESS_STOPPED;
		in.size = len - in.size > STOP_STEP ? in.size + STOP_STEP : len;
		ZSTD_EndDirective d = in.size == len ? ZSTD_e_end : ZSTD_e_continue;
		size_t r;
		do {
			r = ZSTD_compressStream2(w->cc, &out, &in, d);
		} while (!ZSTD_isError(r) && (d == ZSTD_e_end ? r != 0 : in.pos < in.size));
		if (ZSTD_isError(r) || d == ZSTD_e_end)
			return ZSTD_isError(r) ? r : out.pos;
	}
	return (size_t)-1; /* not reached: the last step ends the frame */
}

void store_writer_set_level(struct store_writer *w, int level)
{
	w->o.level = level ? level : 3;
}

bool store_writer_next_key(const struct store_writer *w, int64_t time_ns)
{
	uint32_t day;
	char name[32];
	store_day_name(time_ns / 1000000000, name, sizeof name, &day);
	return w->dfd < 0 || day != w->day || !w->have_key || w->in_chunk >= STORE_CHUNK_FRAMES;
}

int store_writer_append(struct store_writer *w, int64_t time_ns, const void *raw, size_t len,
			struct err *e)
{
	return store_writer_append_flags(w, time_ns, raw, len, 0, e);
}

int store_writer_append_flags(struct store_writer *w, int64_t time_ns, const void *raw,
			      size_t len, uint32_t flags, struct err *e)
{
	int64_t ts = time_ns / 1000000000;
	uint32_t day;
	char name[32];
	store_day_name(ts, name, sizeof name, &day);
	if (w->dfd < 0 || day != w->day) {
		shard_close(w);
		struct err oe = {0};
		int rc = shard_open(w, ts, &oe);
		if (rc < 0) {
			w->st.dropped++;
			w->st.full = space_error(-rc);
			return err_set(e, rc, "%s", oe.msg);
		}
		prune(w);
	}
	if (len > UINT32_MAX / 2)
		return append_fail(w, -EFBIG, e, "data");
	/* A frame is compressed against its chunk's key; a key against the
	 * current root key; a root alone (see store.h). */
	bool key = !w->have_key || w->in_chunk >= STORE_CHUNK_FRAMES;
	bool root = key && (!w->have_root || w->keys_in_root >= STORE_ROOT_KEYS);
	const uint8_t *pfx = root ? NULL : key ? w->root : w->key;
	size_t plen = root ? 0 : key ? w->root_len : w->key_len;
	uint64_t pfx_off = root ? w->dsize : key ? w->root_off : w->key_off;
	size_t bound = ZSTD_compressBound(len);
	w->cbuf = xgrow(w->cbuf, &w->ccap, bound, 1);
	ZSTD_CCtx_reset(w->cc, ZSTD_reset_session_and_parameters);
	ZSTD_CCtx_setParameter(w->cc, ZSTD_c_compressionLevel, w->o.level);
	ZSTD_CCtx_setParameter(w->cc, ZSTD_c_checksumFlag, 1);
	ZSTD_CCtx_setParameter(w->cc, ZSTD_c_windowLog, (int)window_log(len + plen));
	if (pfx)
		ZSTD_CCtx_refPrefix(w->cc, pfx, plen);
	size_t clen = compress_until(w, raw, len, bound);
	if (clen == COMPRESS_STOPPED)
		return err_set(e, ECANCELED, "stopped: tcpscope is quitting");
	if (ZSTD_isError(clen)) {
		w->st.dropped++;
		return err_set(e, EIO, "zstd: %s", ZSTD_getErrorName(clen));
	}
	struct store_entry en = {
		.time_ns = time_ns, .offset = w->dsize, .key_offset = pfx_off,
		.length = (uint32_t)clen, .raw_length = (uint32_t)len,
		.crc = store_crc32c(0, w->cbuf, clen), .flags = (key ? STORE_FLAG_KEY : 0) | (flags & STORE_FLAG_CALLER),
	};
	int rc = store_pwrite_all(w->dfd, w->cbuf, clen, w->dsize);
	if (rc < 0) {
		cut(w->dfd, w->dsize); /* else recovery cuts it on reopen */
		return append_fail(w, rc, e, "data");
	}
	uint8_t ent[STORE_ENTRY_SIZE];
	store_entry_encode(&en, ent);
	rc = store_pwrite_all(w->ifd, ent, sizeof ent, w->isize);
	if (rc < 0) {
		cut(w->ifd, w->isize);
		cut(w->dfd, w->dsize);
		return append_fail(w, rc, e, "index");
	}
	if (key) {
		w->key = xgrow(w->key, &w->key_cap, len ? len : 1, 1);
		memcpy(w->key, raw, len);
		w->key_len = len;
		w->key_off = w->dsize;
		w->have_key = true;
		w->in_chunk = 0;
		w->keys_in_root++;
	}
	if (root) {
		w->root = xgrow(w->root, &w->root_cap, len ? len : 1, 1);
		memcpy(w->root, raw, len);
		w->root_len = len;
		w->root_off = w->dsize;
		w->have_root = true;
		w->keys_in_root = 1;
	}
	w->in_chunk++;
	w->dsize += clen;
	w->isize += STORE_ENTRY_SIZE;
	w->dirty = true;
	w->st.frames++;
	w->st.raw_bytes += len;
	w->st.bytes += clen + STORE_ENTRY_SIZE;
	w->st.full = false;
	uint64_t now = clock_mono_ns();
	if ((double)(now - w->last_sync_ns) / 1e9 >= w->o.fsync_s)
		store_writer_sync(w, NULL);
	if (++w->since_prune >= PRUNE_EVERY)
		prune(w);
	return 0;
}

int store_writer_sync(struct store_writer *w, struct err *e)
{
	w->last_sync_ns = clock_mono_ns();
	if (w->dfd < 0 || !w->dirty)
		return 0;
	/* Data before index: an entry on disk never points at lost bytes. */
	if (fdatasync(w->dfd) < 0 || fdatasync(w->ifd) < 0)
		return e ? err_set(e, errno, "%s/%s: fdatasync: %s", w->dir, w->name,
				   strerror(errno)) : -errno;
	w->dirty = false;
	return 0;
}

const struct store_writer_stats *store_writer_stats(const struct store_writer *w)
{
	return &w->st;
}

void store_writer_close(struct store_writer *w)
{
	if (!w)
		return;
	shard_close(w);
	if (w->lockfd >= 0)
		close(w->lockfd); /* releases the flock */
	ZSTD_freeCCtx(w->cc);
	free(w->key);
	free(w->root);
	free(w->cbuf);
	free(w->dir);
	free(w);
}
