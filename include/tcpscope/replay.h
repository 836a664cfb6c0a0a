/* replay.h — a recording read back as the engine held it: each frame is
 * put into a tracker and a detector (tracker_restore, detector_restore) and
 * a header snapshot, so the renderers that draw a live tick (src/out, the
 * live view) draw a recorded one unchanged.
 *
 * CONTRACT
 *  - replay_open(path) opens the store read-only (store.h: a directory or
 *    one shard file). NULL with `e` naming what is wrong.
 *  - replay_seek(rp, i) loads frame i (0 .. replay_count()-1, in time
 *    order). 0, or a negative errno with `e` saying why when the frame is
 *    damaged (the caller skips it; what was loaded before stays).
 *    A frame of format 3 stores counters, not rates: the seek also
 *    decodes the frame before it (none when that is the frame shown,
 *    as when playing forward, or the chunk's key) and derives the rates
 *    as the live tracker does (track_counter_rate()). When that frame is
 *    damaged or in another chunk, this one loads without rates ("not
 *    yet", as after a first tick); the seek still succeeds.
 *  - After a successful seek, replay_tracker()/replay_detector()/
 *    replay_header()/replay_frame() describe that frame until the next
 *    seek. The header's conns are the live entries' sightings, with the
 *    rest of tcp_info parallel when it was recorded; its counts and total
 *    are those of the recorded poll.
 *  - Notices (skipped index entries) come from replay_notice().
 */
#ifndef TCPSCOPE_REPLAY_H
#define TCPSCOPE_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcpscope/frame.h"
#include "tcpscope/store.h"
#include "tcpscope/util.h"

struct replay;

struct replay *replay_open(const char *path, struct err *e);
void replay_free(struct replay *rp);
size_t replay_count(const struct replay *rp);
/* Unix seconds of frame i. */
double replay_time(const struct replay *rp, size_t i);
/* The last frame at or before `t` (unix seconds); -1 when all are later. */
long replay_find(const struct replay *rp, double t);
int replay_seek(struct replay *rp, size_t i, struct err *e);
const struct frame *replay_frame(const struct replay *rp);
struct tracker *replay_tracker(const struct replay *rp);
struct detector *replay_detector(const struct replay *rp);
const struct snapshot *replay_header(const struct replay *rp);
struct store_reader *replay_store(const struct replay *rp);
struct filter;
/* Keep only the header's sockets the filter matches (filter_snapshot(),
 * as batch mode does before printing); counts are recounted. */
void replay_filter(struct replay *rp, const struct filter *f);
const char *replay_notice(struct replay *rp);
/* Frame i decoded on the side: what replay_seek() loaded stays (the
 * tracker, detector and header are untouched). NULL with `e` when the
 * frame is damaged; valid until the next replay_peek(). */
const struct frame *replay_peek(struct replay *rp, size_t i, struct err *e);
/* The nearest frame after (dir > 0) or before (dir < 0) frame `from` whose
 * detector raised or cleared an alert (its aev); -1: none. Frames are
 * decoded the first time a search crosses them and remembered: *probed
 * (may be NULL) counts the decodes this call made. */
long replay_next_alert(struct replay *rp, long from, int dir, size_t *probed);
/* Learn the next frames' marks ahead of any search, for about budget_ns
 * (at least one frame); true while some frame is still unknown. */
bool replay_index_step(struct replay *rp, uint64_t budget_ns);

/* --- playback bookkeeping (src/record/replay_play.c; pure) --- */
/* The speed after `cur` in the table (1×, 2×, 4×, 8×, 16×, 60×, 300×,
 * 900×, 3600×): dir > 0 faster, < 0 slower; stays at either end. */
double replay_speed_step(double cur, int dir);
size_t replay_speeds(const double **out);
/* Which frames carry alert events, learnt lazily (one byte a frame). */
struct replay_marks {
	uint8_t *st;              /* owned; n: unknown / none / alert */
	size_t n;
};
/* 1: frame i has alert events, 0: none, < 0: unreadable (taken as none). */
typedef int (*replay_probe_fn)(void *arg, size_t i);
void replay_marks_init(struct replay_marks *m, size_t n);
void replay_marks_done(struct replay_marks *m);
/* What a frame decoded anyway showed. */
void replay_marks_set(struct replay_marks *m, size_t i, bool alert);
bool replay_marks_known(const struct replay_marks *m, size_t i);
/* The first marked frame after `from` in direction dir, probing the
 * unknown ones on the way (counted into *probed when not NULL); -1 none. */
long replay_marks_next(struct replay_marks *m, long from, int dir, replay_probe_fn probe,
		       void *arg, size_t *probed);

/* A time as people type it, into unix seconds (src/record/replay_time.c):
 *   "03:10", "03:10:30"      the last such local time at or before `now`
 *   "today 03:10", "yesterday 03:10"
 *   "-2h", "-30m", "-90s", "-1d"   that long before `now`; "now"
 *   "2026-12-07T03:10:00Z", "2026-12-07 03:10", "2026-12-07" (ISO 8601;
 *                           local time unless Z or +hh:mm / -hh:mm)
 *   "@1765076400.25"        unix seconds (for scripts)
 * 0, or -EINVAL with `e` quoting the text. */
int replay_parse_time(const char *s, double now, double *out, struct err *e);
/* "7d", "12h", "90m" (a bare number is seconds): seconds, or -1. */
double replay_parse_span(const char *s);
/* "2G", "500M", "64k", "1000" (bytes; powers of 1024): 0 or -EINVAL. */
int replay_parse_size(const char *s, uint64_t *out);

#endif
