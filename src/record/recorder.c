/* recorder.c — the engine's state after a tick into one frame, into the
 * store. Contract in recorder.h. */
#include "tcpscope/recorder.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcpscope/detect.h"
#include "tcpscope/engine.h"
#include "tcpscope/frame.h"
#include "tcpscope/labels.h"
#include "tcpscope/track.h"

struct recorder {
	char *dir;                /* owned */
	struct store_writer *w;   /* owned */
	struct frame f;           /* reused every tick */
	struct frame key;         /* the current chunk's key frame: f's reference */
	int64_t key_ns;           /* its stamp; 0: none yet */
	struct frame prev;        /* the last frame written: f's rates derive from it */
	int64_t prev_ns;          /* its stamp; 0: none yet */
	bool prev_is_key;         /* the last frame written was the key: prev unused */
	uint8_t *buf;             /* owned; the encoded frame */
	size_t len, cap;
	char label[FRAME_LABEL_LEN];
	int level;                /* recorder_opts.level */
	bool full_reported;       /* a full disk was reported, not yet recovered */
	bool error_reported;      /* another write error was reported */
	unsigned long dropped_at_full; /* dropped count when the disk filled */
	char notice[2][512];      /* queued: at most two per write */
	int nnotice, next_notice;
	char out[512];
};

struct recorder *recorder_new(const char *dir, const struct recorder_opts *o, struct err *e)
{
	struct store_writer_opts so = {0};
	if (o) {
		so.keep_s = o->keep_s;
		so.max_bytes = o->max_bytes;
		so.fsync_s = o->fsync_s;
		so.level = o->level;
	}
	struct store_writer *w = store_writer_open(dir, &so, e);
	if (!w)
		return NULL;
	struct recorder *r = xcalloc(1, sizeof *r);
	r->dir = xstrdup(dir);
	r->w = w;
	frame_init(&r->f);
	frame_init(&r->key);
	frame_init(&r->prev);
	r->level = o ? o->level : 0;
	if (o && o->label)
		snprintf(r->label, sizeof r->label, "%s", o->label);
	return r;
}

static void queue_notice(struct recorder *r, const char *m)
{
	if (r->nnotice < 2)
		snprintf(r->notice[r->nnotice++], sizeof r->notice[0], "%s", m);
}

const char *recorder_notice(struct recorder *r)
{
	if (r->next_notice >= r->nnotice) {
		r->nnotice = r->next_notice = 0;
		return NULL;
	}
	snprintf(r->out, sizeof r->out, "%s", r->notice[r->next_notice++]);
	return r->out;
}

/* The names of namespaces and cgroups, so a replay shows them. */
static void labels_fill(struct frame *f, const struct labels *l)
{
	size_t n = labels_netns_count(l);
	f->ns = xgrow(f->ns, &f->ns_cap, n ? n : 1, sizeof *f->ns);
	for (size_t i = 0; i < n; i++) {
		const char *name;
		f->ns[i].id = labels_netns_at(l, i, &name);
		snprintf(f->ns[i].name, sizeof f->ns[i].name, "%s", name);
	}
	f->nns = n;
	n = labels_cgroup_count(l);
	f->cg = xgrow(f->cg, &f->cg_cap, n ? n : 1, sizeof *f->cg);
	for (size_t i = 0; i < n; i++) {
		struct frame_cgroup *g = &f->cg[i];
		g->id = labels_cgroup_at(l, i);
		g->kind = (uint8_t)labels_cgroup_kind(l, g->id);
		snprintf(g->path, sizeof g->path, "%s", labels_cgroup_path(l, g->id));
		snprintf(g->text, sizeof g->text, "%s", labels_cgroup_text(l, g->id));
	}
	f->ncg = n;
}

/* The engine's state into r->f. */
/* False: the engine was stopped meanwhile (the frame is dropped). */
static bool frame_fill(struct recorder *r, const struct engine *g, const atomic_bool *stop)
{
	struct frame *f = &r->f;
	const struct snapshot *h = engine_header(g);
	const struct tracker *t = engine_tracker(g);
	const struct detector *d = engine_detector(g);
	frame_clear(f);
	f->wall = h->wall;
	f->mono_ns = h->mono_ns;
	f->interval_s = engine_interval(g);
	f->source = (uint8_t)h->source;
	f->snap_flags = h->flags;
	for (int i = 0; i < TCPS_COUNT; i++)
		f->counts[i] = h->counts[i];
	f->total = h->total;
	f->ncong = h->ncong <= SNAP_MAX_CONG ? h->ncong : SNAP_MAX_CONG;
	memcpy(f->cong_names, h->cong_names, sizeof f->cong_names);
	f->kernel = h->kernel;
	f->krates = *tracker_kstat_rates(t);
	f->ports = *detector_ports(d);
	f->dropped = store_writer_stats(r->w)->dropped;
	memcpy(f->label, r->label, sizeof f->label);
	labels_fill(f, h->labels);

	size_t n;
	const struct track_entry *const *es = tracker_entries(t, &n);
	f->ents = xgrow(f->ents, &f->ents_cap, n ? n : 1, sizeof *f->ents);
	for (size_t i = 0; i < n; i++) {
		if (!(i & 0xffff) && atomic_load(stop))
			return false;
		struct frame_entry *fe = &f->ents[i];
		fe->e = *es[i];
		fe->c = *es[i]->conn;
		const struct conn_tcpinfo_x *x = tracker_tix(t, es[i]);
		if (x)
			fe->x = *x;
		else
			memset(&fe->x, 0, sizeof fe->x);
		size_t nh;
		const struct track_transition *hist = tracker_history(t, es[i]->key, &nh);
		fe->nhist = (uint8_t)(nh <= TRACK_HIST ? nh : TRACK_HIST);
		if (fe->nhist)
			memcpy(fe->hist, hist, fe->nhist * sizeof *hist);
	}
	f->nents = n;
	if (atomic_load(stop))
		return false;
	const struct track_event *ev = tracker_events(t, &n);
	f->ev = xgrow(f->ev, &f->ev_cap, n ? n : 1, sizeof *f->ev);
	if (n)
		memcpy(f->ev, ev, n * sizeof *ev);
	f->nev = n;
	const struct detect_alert *const *al = detector_alerts(d, &n);
	f->alerts = xgrow(f->alerts, &f->alerts_cap, n ? n : 1, sizeof *f->alerts);
	for (size_t i = 0; i < n; i++)
		f->alerts[i] = *al[i];
	f->nalerts = n;
	const struct detect_event *aev = detector_events(d, &n);
	f->aev = xgrow(f->aev, &f->aev_cap, n ? n : 1, sizeof *f->aev);
	if (n)
		memcpy(f->aev, aev, n * sizeof *aev);
	f->naev = n;
	return true;
}

static int append(struct recorder *r, struct frame *f, int64_t tns, const atomic_bool *stop,
		  struct err *e);

/* The engine was stopped while a frame was made: it is dropped. */
static int stopped(struct err *e)
{
	return err_set(e, ECANCELED, "stopped: tcpscope is quitting");
}

int recorder_write(struct recorder *r, const struct engine *g, struct err *e)
{
	/* A quit signal while a big frame is made (a million sockets: seconds
	 * of copying, encoding and zstd) drops it instead of waiting for it. */
	const atomic_bool *stop = engine_stop_flag(g);
	store_writer_set_stop(r->w, stop);
	if (!frame_fill(r, g, stop))
		return stopped(e);
	return append(r, &r->f, (int64_t)(engine_header(g)->wall * 1e9), stop, e);
}

int recorder_append(struct recorder *r, struct frame *f, int64_t tns, struct err *e)
{
	store_writer_set_stop(r->w, NULL);
	return append(r, f, tns, NULL, e);
}

static int append(struct recorder *r, struct frame *f, int64_t tns, const atomic_bool *stop,
		  struct err *e)
{
	/* A chunk's key frame is the reference of the chunk's other frames
	 * (their moving fields are differences from it): a seek decodes two. */
	bool key = !r->key_ns || store_writer_next_key(r->w, tns);
	f->ref_ns = key ? 0 : r->key_ns;
	/* Its rates derive from the last frame written (in its chunk: the
	 * key or a later frame), so a seek decodes a third frame's counters. */
	f->prev_ns = key ? 0 : r->prev_ns;
	r->len = 0;
	const struct frame *prev = r->prev_is_key ? &r->key : &r->prev;
	if (!frame_encode_until(f, key ? NULL : &r->key, key ? NULL : prev, &r->buf, &r->len,
				&r->cap, stop))
		return stopped(e);
	int level = r->level ? r->level : f->interval_s >= 5 ? RECORDER_LEVEL_SLOW : 0;
	store_writer_set_level(r->w, level);
	struct err we = {0};
	/* The index says which frames carry alert events: a/A in the replay
	 * find them without decoding frames. */
	uint32_t flags = STORE_FLAG_MARKED | (f->naev ? STORE_FLAG_ALERTS : 0);
	int rc = store_writer_append_flags(r->w, tns, r->buf, r->len, flags, &we);
	if (rc == -ECANCELED) { /* stopped: nothing written, nothing to say */
		if (e)
			*e = we;
		return rc;
	}
	if (rc == 0) {
		/* The frame written is the next one's previous, and a key frame
		 * its reference as well (one copy serves both). The recorder's
		 * own frame is refilled next tick: swapped, not copied (at a
		 * million sockets a copy is ~1 s of memcpy and page faults). */
		struct frame *keep = key ? &r->key : &r->prev;
		if (f == &r->f) {
			struct frame t = *keep;
			*keep = r->f;
			r->f = t;
		} else {
			frame_copy(keep, f);
		}
		r->prev_is_key = key;
		if (key)
			r->key_ns = tns;
		r->prev_ns = tns;
	}
	const struct store_writer_stats *st = store_writer_stats(r->w);
	char m[512];
	if (rc == 0) {
		if (r->full_reported || r->error_reported) {
			snprintf(m, sizeof m, "%s: recording resumed; %lu frames were lost",
				 r->dir, st->dropped - r->dropped_at_full);
			queue_notice(r, m);
		}
		r->full_reported = r->error_reported = false;
		return 0;
	}
	if (st->full && !r->full_reported) {
		snprintf(m, sizeof m, "%s: disk full: frames are dropped (and counted) until "
			 "space returns; monitoring goes on", r->dir);
		queue_notice(r, m);
		r->full_reported = true;
		r->dropped_at_full = st->dropped - 1;
	} else if (!st->full && !r->error_reported && !r->full_reported) {
		snprintf(m, sizeof m, "recording: %s (frames are dropped until it succeeds)",
			 we.msg);
		queue_notice(r, m);
		r->error_reported = true;
		r->dropped_at_full = st->dropped - 1;
	}
	if (e)
		*e = we;
	return rc;
}

const struct store_writer_stats *recorder_stats(const struct recorder *r)
{
	return store_writer_stats(r->w);
}

void recorder_free(struct recorder *r)
{
	if (!r)
		return;
	store_writer_close(r->w);
	frame_done(&r->f);
	frame_done(&r->key);
	frame_done(&r->prev);
	free(r->buf);
	free(r->dir);
	free(r);
}
