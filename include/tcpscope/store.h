/* store.h — the recording store: day shards of zstd frames with an index.
 *
 * The store keeps opaque frames (the bytes frame.h encodes) in time order;
 * it knows nothing of sockets. docs/RECORDING.md is the format's reference.
 *
 * CONTRACT
 *  - Layout: one directory (mode 0700 when the store creates it), per UTC
 *    day D (YYYYMMDD) one data file `tcpscope-D.data` and one index file
 *    `tcpscope-D.index` (mode 0600), and a `lock` file a writer holds with
 *    flock(): one writer per directory; readers never write anything.
 *  - Both files start with a 40-byte header (magic, format version, header
 *    and entry sizes, day, creation time, CRC-32C of the header). The data
 *    file then holds frames back to back, each one zstd frame; the index one
 *    48-byte entry per frame: time, offset, length, the offset of its
 *    chunk's key frame, raw length, CRC-32C of the frame's bytes, flags, and
 *    a CRC-32C of the entry itself.
 *  - Chunks: a chunk's first frame is its key; the next frames (up to
 *    STORE_CHUNK_FRAMES in all) are compressed with the key frame's raw
 *    bytes as prefix (ZSTD_CCtx_refPrefix), so what is unchanged since the
 *    key costs a few bytes. A key frame is itself compressed against the
 *    current root key (a key compressed alone; a new root every
 *    STORE_ROOT_KEYS keys), so the keys are cheap too. Reading any frame
 *    decompresses at most three (root, key, frame; the first two cached).
 *    An entry's key_offset names the frame it was compressed against, or
 *    itself for a root. A shard starts a chunk and a root; so does a writer
 *    (re)opening one, and a frame after its key or root was dropped.
 *  - Write order: the frame's bytes, then its index entry. A crash (kill -9)
 *    between or inside the two leaves a tail that store_writer_open() cuts
 *    (data past the last good entry, a torn entry): every frame whose entry
 *    was complete reads back. fsync policy: fdatasync of data then index
 *    every `fsync_s` seconds (default 30) and at close, and of the directory
 *    when a shard is created: a power loss loses at most that much.
 *  - Disk full (ENOSPC, EDQUOT, EFBIG): the append is undone (both files
 *    truncated back), the frame is counted as dropped and
 *    store_writer_append() returns -ENOSPC (...); the next append tries
 *    again, so recording resumes by itself when space returns.
 *  - Retention: whole shards (both files) are deleted, oldest first, when
 *    their day ended more than `keep_s` ago, or while the store is larger
 *    than `max_bytes`; the shard being written is never deleted. Checked at
 *    open, at each new shard and every 64 frames.
 *  - Reading: store_reader_open() loads every shard's index. An entry with a
 *    bad CRC, beyond the data file, or out of place counts as never written
 *    (skipped, with a notice per shard); a frame whose bytes fail their CRC
 *    or whose key frame is gone is skipped when read (-EBADMSG). A shard
 *    from a newer format version, a directory with no shard, or an
 *    unreadable file makes the open fail naming it.
 *  - Errors are values; nothing here prints.
 */
#ifndef TCPSCOPE_STORE_H
#define TCPSCOPE_STORE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcpscope/util.h"

#define STORE_VERSION 1
#define STORE_HDR_SIZE 40
#define STORE_ENTRY_SIZE 48
#define STORE_CHUNK_FRAMES 60
#define STORE_ROOT_KEYS 12
#define STORE_FLAG_KEY 1u
/* Set by the writer's caller (store_writer_append_flags): the frame carries
 * alert events (raised or cleared) — valid only with STORE_FLAG_MARKED,
 * which says the writer marked frames at all (older recordings did not). */
#define STORE_FLAG_ALERTS 2u
#define STORE_FLAG_MARKED 4u
#define STORE_FLAG_CALLER (STORE_FLAG_ALERTS | STORE_FLAG_MARKED)

/* One index entry, decoded. */
struct store_entry {
	int64_t time_ns;      /* unix nanoseconds of the frame */
	uint64_t offset;      /* of the frame in the data file */
	uint64_t key_offset;  /* of the frame it was compressed against (== offset
			       * for a root key, compressed alone) */
	uint32_t length;      /* compressed bytes */
	uint32_t raw_length;  /* bytes once decompressed */
	uint32_t crc;         /* CRC-32C of the compressed bytes */
	uint32_t flags;       /* STORE_FLAG_* */
};

/* CRC-32C (Castagnoli), seed 0 for a fresh one. */
uint32_t store_crc32c(uint32_t crc, const void *p, size_t n);
/* 48 bytes out, its own CRC last. */
void store_entry_encode(const struct store_entry *en, uint8_t out[STORE_ENTRY_SIZE]);
/* false when the entry's CRC does not match (then *en is untouched). */
bool store_entry_decode(const uint8_t in[STORE_ENTRY_SIZE], struct store_entry *en);

/* File headers. kind: 'd' data, 'i' index. */
struct store_hdr {
	char kind;
	uint32_t version;
	uint32_t day;          /* YYYYMMDD, UTC */
	int64_t created_s;
};
void store_hdr_encode(const struct store_hdr *h, uint8_t out[STORE_HDR_SIZE]);
/* 0, or -EBADMSG (not a tcpscope file of that kind / bad CRC), or
 * -EPROTONOSUPPORT (a newer version: h->version says which). */
int store_hdr_decode(const uint8_t in[STORE_HDR_SIZE], char kind, struct store_hdr *h);

/* Parse an index file's bytes (header included): the valid entries in
 * order into *out (owned by the caller, free()), how many were skipped
 * (bad CRC, or out of order) into *bad. data_size bounds the offsets
 * (entries pointing past it are skipped too; UINT64_MAX: no bound). Returns
 * the number of entries, or a negative errno as store_hdr_decode(). */
long store_index_parse(const uint8_t *buf, size_t len, uint64_t data_size,
		       struct store_entry **out, size_t *bad);

/* "tcpscope-20261207" for a unix time. */
void store_day_name(int64_t unix_s, char *buf, size_t len, uint32_t *day);

/* --- writing -------------------------------------------------------------- */

struct store_writer_opts {
	double keep_s;        /* delete shards older than this; 0 = keep */
	uint64_t max_bytes;   /* keep the store under this; 0 = no bound */
	double fsync_s;       /* 0: STORE_FSYNC_S_DEFAULT */
	int level;            /* zstd level; 0: 3 */
};
#define STORE_FSYNC_S_DEFAULT 30.0

struct store_writer_stats {
	unsigned long frames;       /* appended by this writer */
	unsigned long dropped;      /* lost to a full disk or a write error */
	uint64_t raw_bytes, bytes;  /* before and after compression */
	unsigned long shards_removed;
	bool full;                  /* the last append failed for space */
};

struct store_writer;

/* Create DIR if missing (0700), take its lock, prune, and get ready to
 * append. NULL with `e` naming DIR (or the file) on failure. */
struct store_writer *store_writer_open(const char *dir, const struct store_writer_opts *o,
				       struct err *e);
/* Append one frame of `len` raw bytes stamped `time_ns` (unix ns; frames
 * should come in time order). 0, or a negative errno with `e` filled: the
 * frame was not stored (-ENOSPC: the disk is full; try again later). */
int store_writer_append(struct store_writer *w, int64_t time_ns, const void *raw, size_t len,
			struct err *e);
/* The same, with the caller's STORE_FLAG_CALLER bits in the index entry. */
int store_writer_append_flags(struct store_writer *w, int64_t time_ns, const void *raw,
			      size_t len, uint32_t flags, struct err *e);
/* Whether an append stamped time_ns now would start a chunk (a key or a
 * root frame): the frame codec then encodes it without a reference. */
bool store_writer_next_key(const struct store_writer *w, int64_t time_ns);
/* A flag that, set while an append compresses a big frame (over 4 MiB),
 * ends it: -ECANCELED, nothing written, nothing counted as dropped (a
 * quitting recorder does not wait for zstd). NULL: none (the default). */
void store_writer_set_stop(struct store_writer *w, const atomic_bool *stop);
/* The zstd level of the next appends (0: the store's default, 3). */
void store_writer_set_level(struct store_writer *w, int level);
const struct store_writer_stats *store_writer_stats(const struct store_writer *w);
/* Flush to disk (fdatasync both files) now. */
int store_writer_sync(struct store_writer *w, struct err *e);
void store_writer_close(struct store_writer *w);

/* --- reading -------------------------------------------------------------- */

struct store_frame_ref {
	int64_t time_ns;
	uint32_t shard;       /* index into the shards found */
	uint32_t length, raw_length;
	uint32_t flags;       /* STORE_FLAG_* of its index entry */
};

struct store_reader_stats {
	size_t shards;
	size_t frames;
	uint64_t bytes;       /* data + index files */
	size_t bad_entries;   /* skipped while loading */
};

struct store_reader;

/* Open a recording read-only: DIR, or one of its .data/.index files (that
 * shard alone). NULL with `e` naming what failed: exit code 2 material. */
struct store_reader *store_reader_open(const char *path, struct err *e);
void store_reader_close(struct store_reader *r);
size_t store_reader_count(const struct store_reader *r);
const struct store_frame_ref *store_reader_ref(const struct store_reader *r, size_t i);
/* The last frame at or before time_ns; -1 if every frame is later. */
long store_reader_find(const struct store_reader *r, int64_t time_ns);
/* Frame i, decompressed: *raw valid until the next read or close. 0, or
 * -EBADMSG/-EIO with `e` saying why (skip the frame). */
int store_reader_read(struct store_reader *r, size_t i, const uint8_t **raw, size_t *len,
		      struct err *e);
const struct store_reader_stats *store_reader_stats(const struct store_reader *r);
/* The shard file name (without directory) of shard index s. */
const char *store_reader_shard_name(const struct store_reader *r, uint32_t s);
/* Next notice (skipped entries), or NULL; valid until the next call. */
const char *store_reader_notice(struct store_reader *r);

#endif
