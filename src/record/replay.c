/* replay.c — frames back into a tracker, a detector and a header snapshot.
 * Contract in replay.h. */
#include "tcpscope/replay.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tcpscope/detect.h"
#include "tcpscope/filter.h"
#include "tcpscope/labels.h"
#include "tcpscope/snapshot.h"
#include "tcpscope/track.h"

struct replay {
	struct store_reader *r;    /* owned */
	struct frame f;            /* the loaded frame */
	struct frame scratch;      /* decoded into first: a bad frame changes nothing */
	struct frame peek;         /* replay_peek()'s */
	struct replay_marks marks; /* which frames carry alert events */
	size_t index_next;         /* replay_index_step()'s next frame */
	struct tracker *t;         /* owned */
	struct detector *d;        /* owned */
	struct snapshot hdr;
	struct track_restore *tr;  /* owned; scratch */
	size_t tr_cap;
	struct frame key;          /* the reference frame (a chunk's key) decoded */
	int64_t key_ns;            /* its stamp; 0: none loaded */
	int64_t f_ns;              /* f's stamp; 0: none loaded */
	struct frame prev;         /* a previous frame (version 3), its base */
	int64_t prev_ns;           /* its stamp; 0: none loaded */
	uint8_t *raw;              /* owned; a frame's bytes while its key loads */
	size_t raw_cap;
	struct labels *labels;     /* owned; the loaded frame's, hdr.labels */
};

struct replay *replay_open(const char *path, struct err *e)
{
	struct store_reader *r = store_reader_open(path, e);
	if (!r)
		return NULL;
	struct replay *rp = xcalloc(1, sizeof *rp);
	rp->r = r;
	frame_init(&rp->f);
	frame_init(&rp->scratch);
	frame_init(&rp->key);
	frame_init(&rp->prev);
	rp->labels = labels_new();
	frame_init(&rp->peek);
	replay_marks_init(&rp->marks, store_reader_count(r));
	/* Recorders that mark alert frames in the index spare the search
	 * (and the idle read-ahead) every decode. */
	for (size_t i = 0; i < store_reader_count(r); i++) {
		const struct store_frame_ref *fr = store_reader_ref(r, i);
		if (fr->flags & STORE_FLAG_MARKED)
			replay_marks_set(&rp->marks, i, fr->flags & STORE_FLAG_ALERTS);
	}
	rp->t = tracker_new(NULL);
	rp->d = detector_new(NULL);
	snapshot_init(&rp->hdr);
	rp->hdr.want_tix = true;
	return rp;
}

void replay_free(struct replay *rp)
{
	if (!rp)
		return;
	store_reader_close(rp->r);
	frame_done(&rp->f);
	frame_done(&rp->scratch);
	frame_done(&rp->key);
	frame_done(&rp->prev);
	free(rp->raw);
	labels_free(rp->labels);
	frame_done(&rp->peek);
	replay_marks_done(&rp->marks);
	tracker_free(rp->t);
	detector_free(rp->d);
	snapshot_done(&rp->hdr);
	free(rp->tr);
	free(rp);
}

size_t replay_count(const struct replay *rp)
{
	return store_reader_count(rp->r);
}

double replay_time(const struct replay *rp, size_t i)
{
	const struct store_frame_ref *ref = store_reader_ref(rp->r, i);
	return ref ? (double)ref->time_ns / 1e9 : NAN;
}

long replay_find(const struct replay *rp, double t)
{
	/* A frame is stamped with its poll's wall time in whole ns: round the
	 * asked time the same way so "@<time of a frame>" finds that frame. */
	return store_reader_find(rp->r, (int64_t)llround(t * 1e9));
}

static void header_fill(struct replay *rp)
{
	const struct frame *f = &rp->f;
	struct snapshot *s = &rp->hdr;
	snapshot_clear(s);
	s->wall = f->wall;
	s->mono_ns = f->mono_ns;
	s->source = (enum snap_source)f->source;
	s->flags = f->snap_flags;
	s->kernel = f->kernel;
	s->ncong = f->ncong ? f->ncong : 1;
	memcpy(s->cong_names, f->cong_names, sizeof s->cong_names);
	for (size_t i = 0; i < f->nents; i++) {
		const struct frame_entry *fe = &f->ents[i];
		if (fe->e.flags & TRK_TOMB)
			continue;
		struct conn *c = snapshot_add(s);
		*c = fe->c;
		struct conn_tcpinfo_x *x = snapshot_tix_slot(s, c);
		if (x)
			*x = fe->x;
	}
	for (int i = 0; i < TCPS_COUNT; i++)
		s->counts[i] = f->counts[i];
	s->total = f->total;
	/* Version 2 recorded the names (version 1: none, ids only). The
	 * table only grows (labels.h), so a pointer to it stays valid. */
	for (size_t i = 0; i < f->nns; i++)
		labels_set_netns(rp->labels, f->ns[i].id, f->ns[i].name);
	for (size_t i = 0; i < f->ncg; i++)
		labels_set_cgroup(rp->labels, f->cg[i].id, f->cg[i].path, f->cg[i].text,
				  (enum label_kind)f->cg[i].kind);
	s->labels = rp->labels;
}

/* Decode the reference frame stamped ref_ns into rp->key (once per chunk). */
static int key_load(struct replay *rp, int64_t ref_ns, struct err *e)
{
	if (rp->key_ns == ref_ns)
		return 0;
	rp->key_ns = 0;
	long k = store_reader_find(rp->r, ref_ns);
	const struct store_frame_ref *ref = k >= 0 ? store_reader_ref(rp->r, (size_t)k) : NULL;
	if (!ref || ref->time_ns != ref_ns)
		return err_set(e, EBADMSG, "frame: its key frame is not in the recording");
	const uint8_t *raw;
	size_t len;
	int rc = store_reader_read(rp->r, (size_t)k, &raw, &len, e);
	if (rc == 0 && frame_ref_ns(raw, len) != 0)
		return err_set(e, EBADMSG, "frame: its key frame is not a key frame");
	if (rc == 0)
		rc = frame_decode(&rp->key, raw, len, NULL, NULL, e);
	if (rc == 0)
		rp->key_ns = ref_ns;
	return rc;
}

/* The frame stamped t, which the frame at hand derives its rates from:
 * the loaded frame or the key when it is one of them (playing forward, or
 * the chunk's first frame), else decoded (all but its own rates) into
 * rp->prev. Its key is the frame at hand's, loaded already. */
static const struct frame *prev_load(struct replay *rp, int64_t t, struct err *e)
{
	if (t == rp->f_ns)
		return &rp->f;
	if (t == rp->key_ns)
		return &rp->key;
	if (t == rp->prev_ns)
		return &rp->prev;
	rp->prev_ns = 0;
	long k = store_reader_find(rp->r, t);
	const struct store_frame_ref *ref = k >= 0 ? store_reader_ref(rp->r, (size_t)k) : NULL;
	if (!ref || ref->time_ns != t) {
		err_set(e, EBADMSG, "frame: its previous frame is not in the recording");
		return NULL;
	}
	const uint8_t *raw;
	size_t len;
	if (store_reader_read(rp->r, (size_t)k, &raw, &len, e) < 0)
		return NULL;
	if (frame_ref_ns(raw, len) != rp->key_ns) {
		err_set(e, EBADMSG, "frame: its previous frame is in another chunk");
		return NULL;
	}
	if (frame_decode_base(&rp->prev, raw, len, &rp->key, e) < 0)
		return NULL;
	rp->prev_ns = t;
	return &rp->prev;
}

/* Frame i's bytes decoded into `into` (rp->scratch, rp->peek). */
static int frame_load(struct replay *rp, size_t i, struct frame *into, struct err *e)
{
	const uint8_t *raw;
	size_t len;
	int rc = store_reader_read(rp->r, i, &raw, &len, e);
	if (rc < 0)
		return rc;
	int64_t ref_ns = frame_ref_ns(raw, len), prev_ns = frame_prev_ns(raw, len);
	const struct frame *prev = NULL;
	if ((ref_ns && rp->key_ns != ref_ns) ||
	    (prev_ns && prev_ns != rp->f_ns && prev_ns != ref_ns && prev_ns != rp->prev_ns)) {
		/* reading the key or the previous frame reuses the reader's
		 * buffer: keep a copy */
		rp->raw = xgrow(rp->raw, &rp->raw_cap, len ? len : 1, 1);
		memcpy(rp->raw, raw, len);
		raw = rp->raw;
	}
	if (ref_ns && rp->key_ns != ref_ns) {
		rc = key_load(rp, ref_ns, e);
		if (rc < 0)
			return rc;
	}
	/* A damaged previous frame costs this one its rates only ("not yet"). */
	if (prev_ns && !(prev = prev_load(rp, prev_ns, e)))
		return frame_decode_base(into, raw, len, ref_ns ? &rp->key : NULL, e);
	return frame_decode(into, raw, len, ref_ns ? &rp->key : NULL, prev, e);
}

int replay_seek(struct replay *rp, size_t i, struct err *e)
{
	int rc = frame_load(rp, i, &rp->scratch, e);
	if (rc < 0)
		return rc;
	struct frame tmp = rp->f; /* swap: the loaded frame's arrays are reused next */
	rp->f = rp->scratch;
	rp->scratch = tmp;
	rp->f_ns = store_reader_ref(rp->r, i)->time_ns;
	struct frame *f = &rp->f;
	rp->tr = xgrow(rp->tr, &rp->tr_cap, f->nents ? f->nents : 1, sizeof *rp->tr);
	for (size_t k = 0; k < f->nents; k++) {
		struct frame_entry *fe = &f->ents[k];
		fe->e.conn = &fe->c;
		rp->tr[k] = (struct track_restore){&fe->e, &fe->x, fe->hist, fe->nhist};
	}
	tracker_restore(rp->t, rp->tr, f->nents, f->ev, f->nev, &f->krates, f->mono_ns, f->wall);
	detector_restore(rp->d, f->alerts, f->nalerts, f->aev, f->naev, &f->ports);
	header_fill(rp);
	replay_marks_set(&rp->marks, i, f->naev > 0);
	return 0;
}

const struct frame *replay_frame(const struct replay *rp)
{
	return &rp->f;
}

struct tracker *replay_tracker(const struct replay *rp)
{
	return rp->t;
}

struct detector *replay_detector(const struct replay *rp)
{
	return rp->d;
}

const struct snapshot *replay_header(const struct replay *rp)
{
	return &rp->hdr;
}

void replay_filter(struct replay *rp, const struct filter *f)
{
	filter_snapshot(f, &rp->hdr);
}

struct store_reader *replay_store(const struct replay *rp)
{
	return rp->r;
}

const char *replay_notice(struct replay *rp)
{
	return store_reader_notice(rp->r);
}

const struct frame *replay_peek(struct replay *rp, size_t i, struct err *e)
{
	return frame_load(rp, i, &rp->peek, e) < 0 ? NULL : &rp->peek;
}

static int probe_alert(void *arg, size_t i)
{
	struct replay *rp = arg;
	struct err e = {0};
	const struct frame *f = replay_peek(rp, i, &e);
	return f ? f->naev > 0 : -1;
}

long replay_next_alert(struct replay *rp, long from, int dir, size_t *probed)
{
	return replay_marks_next(&rp->marks, from, dir, probe_alert, rp, probed);
}

bool replay_index_step(struct replay *rp, uint64_t budget_ns)
{
	size_t n = replay_count(rp);
	uint64_t t0 = clock_mono_ns();
	bool probed = false;
	while (rp->index_next < n) {
		if (!replay_marks_known(&rp->marks, rp->index_next)) {
			if (probed && clock_mono_ns() - t0 >= budget_ns)
				break;
			replay_marks_set(&rp->marks, rp->index_next, probe_alert(rp, rp->index_next) > 0);
			probed = true;
		}
		rp->index_next++;
	}
	return rp->index_next < n;
}
