/* replay_play.c — the replay's pure bookkeeping (contract in replay.h): the
 * playback speeds, and the marks saying which frames carry alert events,
 * learnt lazily through a probe so a jump to the next alert decodes each
 * frame at most once per session. */
#include <stdlib.h>

#include "tcpscope/replay.h"

/* × the recorded pace: a 24 h recording plays in 24 min at 60×, 24 s at
 * 3600×. */
static const double speeds[] = {1, 2, 4, 8, 16, 60, 300, 900, 3600};
#define NSPEEDS (sizeof speeds / sizeof speeds[0])

double replay_speed_step(double cur, int dir)
{
	if (dir > 0) {
		for (size_t i = 0; i < NSPEEDS; i++)
			if (speeds[i] > cur * 1.0001)
				return speeds[i];
		return speeds[NSPEEDS - 1];
	}
	for (size_t i = NSPEEDS; i-- > 0;)
		if (speeds[i] < cur * 0.9999)
			return speeds[i];
	return speeds[0];
}

size_t replay_speeds(const double **out)
{
	*out = speeds;
	return NSPEEDS;
}

enum { MARK_UNKNOWN, MARK_NONE, MARK_ALERT };

void replay_marks_init(struct replay_marks *m, size_t n)
{
	m->st = xcalloc(n ? n : 1, 1);
	m->n = n;
}

void replay_marks_done(struct replay_marks *m)
{
	free(m->st);
	m->st = NULL;
	m->n = 0;
}

void replay_marks_set(struct replay_marks *m, size_t i, bool alert)
{
	if (i < m->n)
		m->st[i] = alert ? MARK_ALERT : MARK_NONE;
}

bool replay_marks_known(const struct replay_marks *m, size_t i)
{
	return i < m->n && m->st[i] != MARK_UNKNOWN;
}

long replay_marks_next(struct replay_marks *m, long from, int dir, replay_probe_fn probe, void *arg,
		       size_t *probed)
{
	long step = dir < 0 ? -1 : 1;
	for (long i = from + step; i >= 0 && i < (long)m->n; i += step) {
		if (m->st[i] == MARK_UNKNOWN) {
			if (probed)
				(*probed)++;
			m->st[i] = probe(arg, (size_t)i) > 0 ? MARK_ALERT : MARK_NONE;
		}
		if (m->st[i] == MARK_ALERT)
			return i;
	}
	return -1;
}
