/* replay_time.c — the times, spans and sizes the recording options take
 * (--at, --from, --to, --record-keep, --record-max). Pure: `now` is given. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tcpscope/replay.h"

double replay_parse_span(const char *s)
{
	size_t n = strlen(s);
	if (n > 1 && s[n - 1] == 'd') {
		char *end;
		double v = strtod(s, &end);
		return end == s + n - 1 && v >= 0 && isfinite(v) ? v * 86400 : -1;
	}
	return util_parse_duration(s, 1.0);
}

int replay_parse_size(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || errno || !(v >= 0) || !isfinite(v))
		return -EINVAL;
	static const char units[] = "bkmgt";
	double mul = 1;
	if (*end) {
		const char *u = strchr(units, *end | 0x20);
		if (!u || (end[1] && strcmp(end + 1, "B") && strcmp(end + 1, "iB")))
			return -EINVAL;
		for (const char *p = units; p < u; p++)
			mul *= 1024;
	}
	v *= mul;
	if (v >= 1.8e19)
		return -EINVAL;
	*out = (uint64_t)v;
	return 0;
}

/* "HH:MM[:SS[.frac]]" to seconds since midnight; -1 if not that. */
static double clock_of(const char *s)
{
	unsigned h, m;
	double sec = 0;
	int end = 0;
	if (sscanf(s, "%2u:%2u%n", &h, &m, &end) != 2)
		return -1;
	if (s[end] == ':') {
		int e2 = 0;
		if (sscanf(s + end + 1, "%lf%n", &sec, &e2) != 1 || s[end + 1] == '-' ||
		    s[end + 1] == '+')
			return -1;
		end += 1 + e2;
	}
	if (s[end] || h > 23 || m > 59 || !(sec >= 0 && sec < 61))
		return -1;
	return h * 3600.0 + m * 60.0 + sec;
}

/* Local midnight of the day `days` after the one holding `t`. */
static double local_midnight(double t, int days)
{
	time_t tt = (time_t)floor(t);
	struct tm tm;
	localtime_r(&tt, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_mday += days;
	tm.tm_isdst = -1;
	return (double)mktime(&tm);
}

static int iso(const char *s, double *out)
{
	unsigned y, mo, d, h = 0, mi = 0;
	double sec = 0;
	int end = 0;
	if (sscanf(s, "%4u-%2u-%2u%n", &y, &mo, &d, &end) != 3 || end != 10)
		return -1;
	const char *p = s + end;
	if (*p == 'T' || *p == ' ') {
		int e2 = 0;
		if (sscanf(p + 1, "%2u:%2u%n", &h, &mi, &e2) != 2)
			return -1;
		p += 1 + e2;
		if (*p == ':') {
			if (p[1] == '-' || p[1] == '+' || sscanf(p + 1, "%lf%n", &sec, &e2) != 1)
				return -1;
			p += 1 + e2;
		}
	}
	bool utc = false;
	long off = 0;
	if (*p == 'Z' && !p[1]) {
		utc = true;
	} else if ((*p == '+' || *p == '-')) {
		unsigned oh, om = 0;
		int e3 = 0;
		if (sscanf(p + 1, "%2u%n", &oh, &e3) != 1)
			return -1;
		const char *q = p + 1 + e3;
		if (*q == ':')
			q++;
		int e4 = 0;
		if (*q && (sscanf(q, "%2u%n", &om, &e4) != 1 || q[e4]))
			return -1;
		off = (long)(oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
		utc = true;
	} else if (*p) {
		return -1;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || !(sec >= 0 && sec < 61))
		return -1;
	struct tm tm = {.tm_year = (int)y - 1900, .tm_mon = (int)mo - 1, .tm_mday = (int)d,
			.tm_hour = (int)h, .tm_min = (int)mi, .tm_isdst = -1};
	double base = utc ? (double)timegm(&tm) - (double)off : (double)mktime(&tm);
	*out = base + sec;
	return 0;
}

int replay_parse_time(const char *s, double now, double *out, struct err *e)
{
	const char *orig = s;
	while (*s == ' ')
		s++;
	double v;
	if (!strcmp(s, "now")) {
		*out = now;
		return 0;
	}
	if (*s == '@') {
		char *end;
		v = strtod(s + 1, &end);
		if (end != s + 1 && !*end && isfinite(v)) {
			*out = v;
			return 0;
		}
	} else if (*s == '-') {
		v = replay_parse_span(s + 1);
		if (v >= 0) {
			*out = now - v;
			return 0;
		}
	} else if (!strncmp(s, "yesterday ", 10) || !strncmp(s, "today ", 6)) {
		int days = *s == 'y' ? -1 : 0;
		v = clock_of(s + (days ? 10 : 6));
		if (v >= 0) {
			*out = local_midnight(now, days) + v;
			return 0;
		}
	} else if ((v = clock_of(s)) >= 0) {
		double t = local_midnight(now, 0) + v;
		*out = t <= now ? t : local_midnight(now, -1) + v;
		return 0;
	} else if (iso(s, &v) == 0) {
		*out = v;
		return 0;
	}
	return err_set(e, EINVAL, "'%s' is not a time (03:10, yesterday 03:10, -2h, "
		       "2026-12-07T03:10Z, @UNIXTIME)", orig);
}
