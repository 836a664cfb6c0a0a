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
 *  - Version 2 also carries each socket's netns and cgroup id, the names
 *    of namespaces and cgroups (the snapshot's labels) and the alert
 *    owners' namespace and unit.
 *  - Encoding: the header and each socket's identity ("cold" part) are
 *    little-endian with fixed widths, so an unchanged socket encodes to the
 *    same bytes as in the chunk's key frame (zstd then makes it nearly
 *    free). The moving ("hot") fields are written relative to a reference
 *    frame `ref` (the chunk's key frame; the recorder picks it, see
 *    docs/RECORDING.md): per socket a bitmap of the fields that differ from
 *    the same socket (same track key) in `ref`, then column by column the
 *    differences as zigzag varints (floats by their bits). A frame without a
 *    reference (ref_ns 0) is written relative to zero. Times the kernel
 *    gives relative to now (last send / receive / ACK, the timer) are
 *    stored as the instant they point at, which does not move while
 *    nothing happens; decoding gives back the exact values.
 *  - Version 3 derives each socket's rates (rx, tx, retransmits per
 *    second) from the counters of the previous frame `prev` as the tracker
 *    computes them, and writes only what differs from that (usually
 *    nothing); a socket's instant that moved is written as the kernel's
 *    relative value (a busy socket's "ms ago" is small); the changed-fields
 *    bitmap of a socket busy in `ref` is written relative to the frame's
 *    commonest such bitmap. Only frames with a
 *    reference do so; a frame's counters never depend on prev, so prev
 *    decodes with its own reference alone (frame_decode_base()).
 *  - A frame with ref_ns != 0 decodes only with its reference frame
 *    (decoded first; frame_ref_ns() reads which one from the bytes), one
 *    with prev_ns != 0 also with its previous frame (frame_prev_ns()); the
 *    caller checks they are the frames stamped so.
 *  - frame_decode() never trusts its input: counts are bounded by the bytes
 *    left, enums and string lengths are checked, a short or over-long
 *    input, an unknown magic or a newer FRAME_VERSION fail with -EBADMSG /
 *    -EPROTONOSUPPORT and `e` saying why. It reuses the frame's arrays.
 *  - Pure: no I/O, no clock.
 */
#ifndef TCPSCOPE_FRAME_H
#define TCPSCOPE_FRAME_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcpscope/detect.h"
#include "tcpscope/kstat.h"
#include "tcpscope/snapshot.h"
#include "tcpscope/track.h"
#include "tcpscope/util.h"

#define FRAME_VERSION 3
#define FRAME_LABEL_LEN 64
#define FRAME_CG_PATH 256
#define FRAME_CG_TEXT 128

/* The snapshot's labels (labels.h), as recorded (version 2). */
struct frame_netns {
	uint32_t id;
	char name[64];
};

struct frame_cgroup {
	uint64_t id;
	uint8_t kind;                /* enum label_kind */
	char path[FRAME_CG_PATH];
	char text[FRAME_CG_TEXT];
};

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
	uint16_t version;            /* decoded: the bytes' FRAME_VERSION */
	int64_t ref_ns;              /* store stamp (unix ns) of the reference
				      * frame; 0: none (a key frame) */
	int64_t prev_ns;             /* version 3: store stamp of the previous
				      * frame the rates are derived from; 0: none */
	struct frame_entry *ents;    /* owned; nents used */
	size_t nents, ents_cap;
	struct track_event *ev;      /* owned */
	size_t nev, ev_cap;
	struct detect_alert *alerts; /* owned: the active ones, most severe first */
	size_t nalerts, alerts_cap;
	struct detect_event *aev;    /* owned */
	size_t naev, aev_cap;
	struct frame_netns *ns;      /* owned (version 2; empty from version 1) */
	size_t nns, ns_cap;
	struct frame_cgroup *cg;     /* owned */
	size_t ncg, cg_cap;
};

void frame_init(struct frame *f);
void frame_done(struct frame *f);
/* Forget the arrays' contents, keep their memory. */
void frame_clear(struct frame *f);
/* dst becomes a deep copy of src (dst's arrays reused). */
void frame_copy(struct frame *dst, const struct frame *src);
/* Append to the output buffer *buf (grown with xgrow, *len bytes used of
 * *cap): the frame's bytes, its hot fields relative to `ref` when
 * f->ref_ns != 0 (ref must then be non-NULL; ignored otherwise), its rates
 * derived from `prev` when f->prev_ns != 0 and ref_ns != 0 (prev non-NULL,
 * the frame stamped prev_ns; ignored otherwise). */
void frame_encode(const struct frame *f, const struct frame *ref, const struct frame *prev,
		  uint8_t **buf, size_t *len, size_t *cap);
/* The same, ending early when *stop (NULL: never) is set while it runs
 * (checked every few thousand entries): false, and *len holds a partial
 * frame to throw away (a quitting recorder drops the frame it was
 * encoding rather than wait for it). */
bool frame_encode_until(const struct frame *f, const struct frame *ref, const struct frame *prev,
			uint8_t **buf, size_t *len, size_t *cap, const atomic_bool *stop);
/* Parse bytes into f (see the contract); `ref` and `prev` are the decoded
 * reference and previous frames when the bytes name them (else ignored;
 * missing: -EBADMSG). prev needs only what frame_decode_base() restores.
 * f must be neither. 0 or a negative errno. */
int frame_decode(struct frame *f, const uint8_t *p, size_t n, const struct frame *ref,
		 const struct frame *prev, struct err *e);
/* The same without the previous frame: every field but the per-socket
 * rates a version 3 frame derives from it (those are NAN; f->prev_ns says
 * whether it named one). Enough to serve as the next frame's `prev`. */
int frame_decode_base(struct frame *f, const uint8_t *p, size_t n, const struct frame *ref,
		      struct err *e);
/* The reference stamp the bytes name: 0 for none (a key frame, version 1,
 * or too short to say). */
int64_t frame_ref_ns(const uint8_t *p, size_t n);
/* The previous frame's stamp the bytes name: 0 for none (before version 3,
 * a key frame, or too short to say). */
int64_t frame_prev_ns(const uint8_t *p, size_t n);

#endif
