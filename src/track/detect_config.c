/* detect_config.c — the thresholds: one table entry each, parsed from
 * "KEY=VALUE" (command line, config file) and enumerated for setup screens. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tcpscope/detect.h"

enum dt_unit { DTU_DURATION, DTU_PERCENT, DTU_COUNT, DTU_RATE, DTU_BOOL };
static const char *const unit_names[] = {
	[DTU_DURATION] = "duration", [DTU_PERCENT] = "percent", [DTU_COUNT] = "count",
	[DTU_RATE] = "per_s",        [DTU_BOOL] = "bool",
};

struct dt_def {
	enum detect_kind kind;
	const char *name;
	enum dt_unit unit;
	double def, min, max;
	const char *help;
};

static const struct dt_def dt_table[DT_COUNT] = {
	[DT_CW_AGE] = {DK_CLOSE_WAIT, "age", DTU_DURATION, 60, 0, 86400,
		       "raise when a CLOSE_WAIT socket is older than this"},
	[DT_CW_GROWTH] = {DK_CLOSE_WAIT, "growth", DTU_COUNT, 20, 1, 1e9,
			  "or when a group's CLOSE_WAIT count grew by this many within the window"},
	[DT_CW_WINDOW] = {DK_CLOSE_WAIT, "window", DTU_DURATION, 60, 1, 86400,
			  "the window the growth is measured over"},
	[DT_CW_CRITICAL] = {DK_CLOSE_WAIT, "critical", DTU_COUNT, 200, 1, 1e9,
			    "this many stuck sockets in one group is critical"},
	[DT_SR_COUNT] = {DK_SYN_RECV, "count", DTU_COUNT, 128, 1, 1e9,
			 "half-open (SYN_RECV) connections on one listener"},
	[DT_SR_COOKIES] = {DK_SYN_RECV, "cookies", DTU_RATE, 1, 0, 1e9,
			   "SYN cookies sent per second that make it critical"},
	[DT_LO_FILL] = {DK_LISTEN_OVERFLOW, "fill", DTU_PERCENT, 90, 1, 1000,
			"accept queue (Recv-Q) as a share of the backlog (Send-Q)"},
	[DT_LO_RATE] = {DK_LISTEN_OVERFLOW, "rate", DTU_RATE, 1, 0, 1e9,
			"ListenOverflows+ListenDrops per second (namespace-wide)"},
	[DT_SS_AGE] = {DK_SYN_SENT, "age", DTU_DURATION, 5, 0, 86400,
		       "raise when an outbound connect stays in SYN_SENT this long"},
	[DT_SS_CRITICAL] = {DK_SYN_SENT, "critical", DTU_COUNT, 50, 1, 1e9,
			    "this many stuck connects to one destination is critical"},
	[DT_PE_WARN] = {DK_PORT_EXHAUSTION, "warn", DTU_PERCENT, 50, 1, 100,
			"share of the usable ephemeral ports used towards one destination"},
	[DT_PE_CRITICAL] = {DK_PORT_EXHAUSTION, "critical", DTU_PERCENT, 80, 1, 100,
			    "share that is critical"},
	[DT_TW_WARN] = {DK_TIME_WAIT, "warn", DTU_PERCENT, 50, 1, 100,
			"TIME_WAIT sockets as a share of tcp_max_tw_buckets"},
	[DT_TW_CRITICAL] = {DK_TIME_WAIT, "critical", DTU_PERCENT, 80, 1, 100,
			    "share that is critical (or any TIME_WAIT overflow)"},
	[DT_OR_WARN] = {DK_ORPHANS, "warn", DTU_PERCENT, 50, 1, 100,
			"orphaned sockets as a share of tcp_max_orphans"},
	[DT_OR_CRITICAL] = {DK_ORPHANS, "critical", DTU_PERCENT, 80, 1, 100,
			    "share that is critical"},
	[DT_RT_RATE] = {DK_RETRANS, "rate", DTU_RATE, 5, 0.01, 1e9,
			"retransmitted segments per second of one connection"},
	[DT_RT_SHARE] = {DK_RETRANS, "share", DTU_PERCENT, 5, 0.01, 100,
			 "retransmitted share of all sent segments (namespace-wide)"},
	[DT_RT_CRITICAL] = {DK_RETRANS, "critical", DTU_PERCENT, 20, 0.01, 100,
			    "retransmitted share that is critical"},
	[DT_RT_MIN_SEGS] = {DK_RETRANS, "min_segs", DTU_RATE, 100, 0, 1e12,
			    "judge the share only above this many sent segments per second"},
	[DT_ST_AGE] = {DK_STALLED, "age", DTU_DURATION, 30, 0, 86400,
		       "raise when an ESTABLISHED socket's Send-Q has not drained for this long"},
	[DT_EX_RISKY] = {DK_EXPOSURE, "risky", DTU_BOOL, 1, 0, 1,
			 "alert on known-risky services bound to a wildcard or public address"},
	[DT_EX_EPHEMERAL] = {DK_EXPOSURE, "ephemeral", DTU_BOOL, 1, 0, 1,
			     "alert on listeners inside ip_local_port_range, not reserved"},
	[DT_EX_SHARED] = {DK_EXPOSURE, "shared", DTU_BOOL, 1, 0, 1,
			  "alert on ports other programs or users listen on too"},
};

/* Per-kind defaults of the common keys: hold (noisy rates need a little),
 * clear (how long the condition must be gone). */
static const double hold_def[DK_COUNT] = {
	[DK_SYN_RECV] = 2, [DK_RETRANS] = 2,
};
#define CLEAR_DEF 10.0

enum { COMMON_HOLD, COMMON_CLEAR, COMMON_ENABLED, COMMON_N };
static const struct {
	const char *name;
	enum dt_unit unit;
	const char *help;
} common[COMMON_N] = {
	[COMMON_HOLD] = {"hold", DTU_DURATION, "the condition must hold this long before raising"},
	[COMMON_CLEAR] = {"clear", DTU_DURATION, "a raised alert clears after its condition is gone this long"},
	[COMMON_ENABLED] = {"enabled", DTU_BOOL, "run this detector"},
};

void detect_config_defaults(struct detect_config *c)
{
	memset(c, 0, sizeof *c);
	for (int i = 0; i < DT_COUNT; i++)
		c->v[i] = dt_table[i].def;
	for (int k = 0; k < DK_COUNT; k++) {
		c->hold_s[k] = hold_def[k];
		c->clear_s[k] = CLEAR_DEF;
		c->enabled[k] = true;
	}
}

static void fmt_value(enum dt_unit u, double v, char *buf, size_t len);

static int parse_value(enum dt_unit u, const char *s, double *out)
{
	char *end;
	double v;
	switch (u) {
	case DTU_DURATION:
		v = util_parse_duration(s, 1.0);
		if (v < 0)
			return -EINVAL;
		*out = v == 0 ? 0 : v; /* "-0" is 0: it must round-trip as "0" */
		return 0;
	case DTU_BOOL:
		if (!strcasecmp(s, "on") || !strcasecmp(s, "yes") || !strcasecmp(s, "true") ||
		    !strcmp(s, "1"))
			*out = 1;
		else if (!strcasecmp(s, "off") || !strcasecmp(s, "no") || !strcasecmp(s, "false") ||
			 !strcmp(s, "0"))
			*out = 0;
		else
			return -EINVAL;
		return 0;
	default:
		break;
	}
	if (!*s || *s == ' ' || *s == '+' || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !isfinite(v))
		return -EINVAL;
	if (u == DTU_PERCENT && *end == '%')
		end++;
	else if (u == DTU_RATE && !strcmp(end, "/s"))
		end += 2;
	if (*end)
		return -EINVAL;
	if (u == DTU_COUNT && v != floor(v))
		return -EINVAL;
	*out = v;
	return 0;
}

static int kind_lookup(const char *name, size_t len)
{
	for (int k = 0; k < DK_COUNT; k++)
		if (strlen(detect_kinds[k].name) == len && !memcmp(detect_kinds[k].name, name, len))
			return k;
	return -1;
}

int detect_set_threshold(struct detect_config *c, const char *key, const char *value,
			 struct err *e)
{
	const char *dot = strchr(key, '.');
	int k = dot ? kind_lookup(key, (size_t)(dot - key)) : -1;
	if (k < 0)
		return err_set(e, EINVAL, "'%s': unknown detector (one of close_wait, "
				"syn_recv, listen_overflow, syn_sent, port_exhaustion, time_wait, "
				"orphans, retrans, stalled, exposure)", key);
	const char *name = dot + 1;
	double v;
	for (int i = 0; i < COMMON_N; i++) {
		if (strcmp(name, common[i].name))
			continue;
		if (parse_value(common[i].unit, value, &v) < 0 ||
		    (common[i].unit == DTU_DURATION && v > 86400))
			return err_set(e, EINVAL, "%s: '%s' is not a %s", key, value,
				       common[i].unit == DTU_BOOL ? "on/off value"
								 : "duration up to 1d (e.g. 10s, 500ms)");
		if (i == COMMON_HOLD)
			c->hold_s[k] = v;
		else if (i == COMMON_CLEAR)
			c->clear_s[k] = v;
		else
			c->enabled[k] = v != 0;
		return 0;
	}
	for (int i = 0; i < DT_COUNT; i++) {
		const struct dt_def *d = &dt_table[i];
		if ((int)d->kind != k || strcmp(d->name, name))
			continue;
		if (parse_value(d->unit, value, &v) < 0 || v < d->min || v > d->max) {
			char lo[32], hi[32];
			fmt_value(d->unit, d->min, lo, sizeof lo);
			fmt_value(d->unit, d->max, hi, sizeof hi);
			return err_set(e, EINVAL, "%s: '%s' is not a %s from %s to %s", key, value,
				       d->unit == DTU_DURATION ? "duration (e.g. 30s, 500ms, 2m)"
				       : d->unit == DTU_PERCENT ? "percentage"
				       : d->unit == DTU_RATE	? "rate per second"
				       : d->unit == DTU_BOOL	? "on/off value"
								: "whole number",
				       lo, hi);
		}
		c->v[i] = v;
		return 0;
	}
	return err_set(e, EINVAL, "'%s': %s has no such setting (see --list-thresholds)",
		       key, detect_kinds[k].name);
}

int detect_set_threshold_kv(struct detect_config *c, const char *kv, struct err *e)
{
	const char *eq = strchr(kv, '=');
	if (!eq || eq == kv || !eq[1])
		return err_set(e, EINVAL, "'%s': expected KEY=VALUE, e.g. close_wait.age=30s",
			       kv);
	char key[64];
	size_t n = (size_t)(eq - kv);
	if (n >= sizeof key)
		return err_set(e, EINVAL, "'%s': key too long", kv);
	memcpy(key, kv, n);
	key[n] = '\0';
	return detect_set_threshold(c, key, eq + 1, e);
}

/* One candidate spelling of v: `prec` significant digits, in ms or not. */
static void fmt_try(enum dt_unit u, double v, int prec, bool ms, char *buf, size_t len)
{
	switch (u) {
	case DTU_DURATION:
		if (ms)
			snprintf(buf, len, "%.*gms", prec, v * 1000);
		else
			snprintf(buf, len, "%.*gs", prec, v);
		break;
	case DTU_PERCENT:
		snprintf(buf, len, "%.*g%%", prec, v);
		break;
	case DTU_RATE:
		snprintf(buf, len, "%.*g/s", prec, v);
		break;
	case DTU_BOOL:
		snprintf(buf, len, "%s", v != 0 ? "on" : "off");
		break;
	default:
		snprintf(buf, len, "%.*g", prec, v);
		break;
	}
}

/* The shortest readable spelling that parses back to exactly v, so a saved
 * tcpscoperc reads back the same thresholds ("700ms" would come back as
 * 0.7000000000000001 s, "%g" keeps only six digits). */
static void fmt_value(enum dt_unit u, double v, char *buf, size_t len)
{
	static const int precs[] = {6, 10, 15, 17};
	for (int ms = (u == DTU_DURATION && v > 0 && v < 1) ? 1 : 0; ms >= 0; ms--) {
		for (size_t i = 0; i < sizeof precs / sizeof precs[0]; i++) {
			double back;
			fmt_try(u, v, precs[i], ms, buf, len);
			if (u == DTU_BOOL || (parse_value(u, buf, &back) == 0 && back == v))
				return;
		}
	}
	fmt_try(u, v, 17, false, buf, len);
}

size_t detect_threshold_count(void)
{
	return DT_COUNT + (size_t)DK_COUNT * COMMON_N;
}

int detect_threshold_info(const struct detect_config *c, size_t i,
			  struct detect_threshold_info *out)
{
	memset(out, 0, sizeof *out);
	if (i < DT_COUNT) {
		const struct dt_def *d = &dt_table[i];
		out->kind = d->kind;
		snprintf(out->key, sizeof out->key, "%s.%s", detect_kinds[d->kind].name, d->name);
		fmt_value(d->unit, c->v[i], out->value, sizeof out->value);
		fmt_value(d->unit, d->def, out->def, sizeof out->def);
		out->unit = unit_names[d->unit];
		out->help = d->help;
		return 0;
	}
	i -= DT_COUNT;
	if (i >= (size_t)DK_COUNT * COMMON_N)
		return -ERANGE;
	int k = (int)(i / COMMON_N), w = (int)(i % COMMON_N);
	out->kind = (enum detect_kind)k;
	snprintf(out->key, sizeof out->key, "%s.%s", detect_kinds[k].name, common[w].name);
	double cur = w == COMMON_HOLD ? c->hold_s[k] : w == COMMON_CLEAR ? c->clear_s[k] : c->enabled[k];
	double def = w == COMMON_HOLD ? hold_def[k] : w == COMMON_CLEAR ? CLEAR_DEF : 1;
	fmt_value(common[w].unit, cur, out->value, sizeof out->value);
	fmt_value(common[w].unit, def, out->def, sizeof out->def);
	out->unit = unit_names[common[w].unit];
	out->help = common[w].help;
	return 0;
}

/* --- names ---------------------------------------------------------------- */

static const char *const sev_names[DS_COUNT] = {
	[DS_INFO] = "info", [DS_WARNING] = "warning", [DS_CRITICAL] = "critical"};
static const char *const by_names[DOWN_COUNT] = {
	[DOWN_PROCESS] = "process", [DOWN_LOCAL] = "local_port",
	[DOWN_DESTINATION] = "destination", [DOWN_TUPLE] = "tuple", [DOWN_HOST] = "host"};

const char *detect_severity_name(int sev)
{
	return sev >= 0 && sev < DS_COUNT ? sev_names[sev] : "unknown";
}

const char *detect_kind_name(int kind)
{
	return kind >= 0 && kind < DK_COUNT ? detect_kinds[kind].name : "unknown";
}

const char *detect_owner_by_name(int by)
{
	return by >= 0 && by < DOWN_COUNT ? by_names[by] : "unknown";
}

const char *detect_event_name(int kind)
{
	return kind == DEV_RAISED ? "alert_raised" : kind == DEV_CLEARED ? "alert_cleared" : "unknown";
}
