/* frame.h — one recorded tick as bytes, and back (the payload the store
 * compresses; docs/RECORDING.md lists every field).
 *
 * CONTRACT
 *  - A frame is what the engine held after one tick: the poll's header
 *    (times, source, flags, per-state counts, congestion names, kernel
 *    counters and their rates, ephemeral-port use), every tracker entry
 *    (live, then tombs) with its latest sighting, the rest of tcp_info when
 *    collected, and its state history; the tracker's events of the tick;
 *    the detector's active alerts and its raised/cleared events.
 *  - Encoding is little-endian with fixed widths, so a socket unchanged
 *    since the chunk's key frame encodes to the same bytes (zstd then makes
 *    it nearly free). Times the kernel gives relative to now (last send /
 *    receive / ACK, the timer) are stored as the instant they point at,
 *    which does not move while nothing happens; decoding gives back the
 *    exact values.
 *  - frame_decode() never trusts its input: counts are bounded by the bytes
 *    left, enums and string lengths are checked, a short or over-long
 *    input, an unknown magic or a newer FRAME_VERSION fail with -EBADMSG /
 *    -EPROTONOSUPPORT and `e` saying why. It reuses the frame's arrays.
 *  - Pure: no I/O, no clock.
 */
#ifndef TCPSCOPE_FRAME_H
#define TCPSCOPE_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcpscope/detect.h"
#include "tcpscope/kstat.h"
#include "tcpscope/snapshot.h"
#include "tcpscope/track.h"
#include "tcpscope/util.h"

#define FRAME_VERSION 1
#define FRAME_LABEL_LEN 64

struct frame_entry {
	struct track_entry e;        /* e.conn points at c once decoded */
	struct conn c;
	struct conn_tcpinfo_x x;     /* x.have false: not collected */
	uint8_t nhist;               /* <= TRACK_HIST */
	struct track_transition hist[TRACK_HIST];
};

struct frame {
	double wall;                 /* unix seconds of the tick's poll */
	uint64_t mono_ns;            /* its CLOCK_MONOTONIC time */
	double interval_s;           /* the recorder's tick interval */
	uint8_t source;              /* enum snap_source */
	uint32_t snap_flags;         /* SNAP_* */
	uint32_t counts[TCPS_COUNT];
	uint64_t total;
	uint32_t ncong;
	char cong_names[SNAP_MAX_CONG][16];
	struct kstat kernel;
	struct kstat_rates krates;
	struct detect_ports ports;
	uint64_t dropped;            /* frames lost (disk full) before this one */
	char label[FRAME_LABEL_LEN]; /* namespace (-N), "" for the recorder's own */
	struct frame_entry *ents;    /* owned; nents used */
	size_t nents, ents_cap;
	struct track_event *ev;      /* owned */
	size_t nev, ev_cap;
	struct detect_alert *alerts; /* owned: the active ones, most severe first */
	size_t nalerts, alerts_cap;
	struct detect_event *aev;    /* owned */
	size_t naev, aev_cap;
};

void frame_init(struct frame *f);
void frame_done(struct frame *f);
/* Forget the arrays' contents, keep their memory. */
void frame_clear(struct frame *f);
/* Append to the output buffer *buf (grown with xgrow, *len bytes used of
 * *cap): the frame's bytes. */
void frame_encode(const struct frame *f, uint8_t **buf, size_t *len, size_t *cap);
/* Parse bytes into f (see the contract). 0 or a negative errno. */
int frame_decode(struct frame *f, const uint8_t *p, size_t n, struct err *e);

#endif
