/* recorder.h — the recorder: a front end that writes what the engine holds
 * after each tick into a store (store.h) as one frame (frame.h).
 *
 * CONTRACT
 *  - recorder_new(dir, opts) opens (creates) the recording directory and
 *    takes its lock; the engine it is then fed from should be made with
 *    destroy events and `destroy_tix`, and asked for RECORDER_NEEDS
 *    (engine_set_needs) so a replayed -j shows what a live one does.
 *  - recorder_write(rec, engine) after every engine_tick(): the header,
 *    every tracker entry (live and tombs), the tick's events, the active
 *    alerts and the alert events. The app calls it as the engine's tick
 *    observer (engine_on_tick(), src/app_record.c), whichever front end
 *    drives the ticks; it never blocks on anything but the disk.
 *  - Failures are never fatal to the engine: a frame that cannot be stored
 *    is counted as dropped and recorder_write() returns its error; a full
 *    disk is reported once (recorder_notice()), and again when recording
 *    resumes by itself, saying how many frames were lost.
 *  - recorder_append(rec, frame, stamp) stores a frame built elsewhere
 *    (the benchmark's synthetic ones) the same way; it sets frame->ref_ns.
 *  - A chunk's key frame is kept (decoded) as the reference of the chunk's
 *    other frames, whose moving fields are written as differences from it
 *    (frame.h): a frame costs what changed since the key.
 *  - recorder_free() syncs and closes (NULL is a no-op). Nothing here prints.
 */
#ifndef TCPSCOPE_RECORDER_H
#define TCPSCOPE_RECORDER_H

#include <stdint.h>

#include "tcpscope/collect.h"
#include "tcpscope/store.h"
#include "tcpscope/util.h"

struct engine;

/* What a recording needs from the collector beyond the engine's own: the
 * rest of tcp_info and the congestion name (both in the JSON output). */
#define RECORDER_NEEDS (NEED_INFO_X | NEED_CONG)
/* Headless default tick: 5 s, as below records — at 10k sockets that is
 * well under 1% of a core, ~10 MB a day idle and ~180 MB with 10% of
 * them moving data (docs/RECORDING.md, Figures), and a 3 a.m. pile-up
 * that lasts a minute shows in a dozen frames; -d overrides. */
#define RECORDER_INTERVAL_S_DEFAULT 5.0

struct recorder_opts {
	double keep_s;            /* --record-keep; 0 = keep everything */
	uint64_t max_bytes;       /* --record-max; 0 = no bound */
	const char *label;        /* namespace name (-N) or NULL; copied */
	double fsync_s;           /* 0: the store's default */
	int level;                /* zstd level; 0: by the frames' interval
				   * (RECORDER_LEVEL_SLOW from 5 s apart, else the
				   * store's default, 3) */
};

/* Frames 5 s or more apart (the headless default) are compressed harder:
 * at 10k sockets ~7% smaller for ~8 ms more CPU a frame (0.4% of a core at
 * 5 s; at 1 s apart level 3 keeps the live view's recording near 1%). */
#define RECORDER_LEVEL_SLOW 6

struct recorder;

struct recorder *recorder_new(const char *dir, const struct recorder_opts *o, struct err *e);
struct frame;

int recorder_write(struct recorder *r, const struct engine *g, struct err *e);
/* stamp_ns: unix ns (frames in time order). 0 or a negative errno as
 * recorder_write(). */
int recorder_append(struct recorder *r, struct frame *f, int64_t stamp_ns, struct err *e);
/* Next notice for the user or NULL; valid until the next call. */
const char *recorder_notice(struct recorder *r);
const struct store_writer_stats *recorder_stats(const struct recorder *r);
void recorder_free(struct recorder *r);

#endif
