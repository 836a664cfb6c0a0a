/* replay.c — frames back into a tracker, a detector and a header snapshot.
 * Contract in replay.h. */
#include "tcpscope/replay.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tcpscope/detect.h"
#include "tcpscope/filter.h"
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
	frame_init(&rp->peek);
	replay_marks_init(&rp->marks, store_reader_count(r));
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
}

int replay_seek(struct replay *rp, size_t i, struct err *e)
{
	const uint8_t *raw;
	size_t len;
	int rc = store_reader_read(rp->r, i, &raw, &len, e);
	if (rc == 0)
		rc = frame_decode(&rp->scratch, raw, len, e);
	if (rc < 0)
		return rc;
	struct frame tmp = rp->f; /* swap: the loaded frame's arrays are reused next */
	rp->f = rp->scratch;
	rp->scratch = tmp;
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
	const uint8_t *raw;
	size_t len;
	if (store_reader_read(rp->r, i, &raw, &len, e) < 0 ||
	    frame_decode(&rp->peek, raw, len, e) < 0)
		return NULL;
	return &rp->peek;
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
