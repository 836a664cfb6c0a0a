/* filter_parse.c — tokens into the filter AST (recursive descent).
 *
 * Grammar (ss's, plus the extensions):
 *   filter  := { ("state" | "exclude" | "excl") STATE } [ list ]
 *   list    := expr { [ "and" | "or" ] expr }      equal precedence, left to right
 *   expr    := "(" list ")" | "!" expr | term
 *   term    := ("dst" | "src") [ "=" ] HOST
 *            | ("dport" | "sport") [ OP ] PORT
 *            | "autobound" | ("state" | "exclude") STATE
 *            | extension terms (see filter.h)
 */
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "filter_int.h"
#include "tcpscope/collect.h"
#include "tcpscope/util.h"

#define FILTER_MAX_LEN 8192
#define FILTER_MAX_DEPTH 128

struct parser {
	struct ftokens t;
	size_t i;
	struct filter *f;
	struct fhostctx hctx;
	struct filter_error *err;
	bool failed;
	int depth;
};

static struct ftoken *peek(struct parser *p)
{
	return &p->t.v[p->i];
}

static struct ftoken *advance(struct parser *p)
{
	struct ftoken *t = &p->t.v[p->i];
	if (t->kind != FT_END)
		p->i++;
	return t;
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static struct fnode *fail(struct parser *p, int col, const char *fmt, ...)
{
	if (p->failed)
		return NULL;
	p->failed = true;
	if (p->err) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(p->err->message, sizeof p->err->message, fmt, ap);
		va_end(ap);
		p->err->column = col;
	}
	return NULL;
}

static struct fnode *node_new(enum fnode_kind k)
{
	struct fnode *n = xcalloc(1, sizeof *n);
	n->kind = k;
	n->port = -1;
	return n;
}

static struct fnode *node_bin(enum fnode_kind k, struct fnode *l, struct fnode *r)
{
	struct fnode *n = node_new(k);
	n->l = l;
	n->r = r;
	return n;
}

void filter_node_free(struct fnode *n)
{
	/* Lists are left-deep: walk the left spine without recursing on it. */
	while (n) {
		struct fnode *l = n->l;
		filter_node_free(n->r);
		free(n->hosts);
		free(n->pattern);
		free(n);
		n = l;
	}
}

/* Text for "after 'dport ='" messages. */
static const char *after_text(const struct ftoken *kw, const struct ftoken *op, char *buf,
			      size_t len)
{
	if (op)
		snprintf(buf, len, "%s %s", kw->text, op->text);
	else
		snprintf(buf, len, "%s", kw->text);
	return buf;
}

/* The operand word after a keyword (and optional operator). */
static struct ftoken *operand(struct parser *p, const struct ftoken *kw, const struct ftoken *op,
			      const char *what)
{
	struct ftoken *t = peek(p);
	char ab[96];
	if (t->kind != FT_WORD) {
		fail(p, t->col, "expected %s after '%s'", what, after_text(kw, op, ab, sizeof ab));
		return NULL;
	}
	return advance(p);
}

static struct ftoken *take_op(struct parser *p)
{
	return filter_tok_is_cmp(peek(p)->kind) ? advance(p) : NULL;
}

static struct fnode *negate_if(bool neg, struct fnode *n)
{
	return neg ? node_bin(FN_NOT, n, NULL) : n;
}

static struct fnode *term_host(struct parser *p, struct ftoken *kw, bool remote)
{
	struct ftoken *op = take_op(p);
	if (op && op->kind != FT_EQ && op->kind != FT_NE)
		return fail(p, op->col, "'%s' takes '=' or '!=', not '%s'", kw->text, op->text);
	struct ftoken *w = operand(p, kw, op, "an address");
	if (!w)
		return NULL;
	struct fnode *n = node_new(FN_HOST);
	n->remote = remote;
	char msg[128];
	if (filter_hostcond(w->text, false, &p->hctx, n, msg, sizeof msg) < 0) {
		filter_node_free(n);
		return fail(p, w->col, "%s", msg);
	}
	return negate_if(op && op->kind == FT_NE, n);
}

static struct fnode *term_port(struct parser *p, struct ftoken *kw, bool remote)
{
	struct ftoken *op = take_op(p);
	struct ftoken *w = operand(p, kw, op, "a port");
	if (!w)
		return NULL;
	struct fnode *n = node_new(FN_HOST);
	n->remote = remote;
	char msg[128];
	if (filter_hostcond(w->text, true, &p->hctx, n, msg, sizeof msg) < 0) {
		filter_node_free(n);
		return fail(p, w->col, "%s", msg);
	}
	enum ftok k = op ? op->kind : FT_EQ;
	if (k == FT_EQ)
		return n;
	if (k == FT_NE)
		return negate_if(true, n);
	if (n->port < 0) {
		filter_node_free(n);
		return fail(p, w->col, "'%s %s' needs a port number, not '%s'", kw->text, op->text,
			    w->text);
	}
	/* As ss: > is !<=, < is !>=. */
	n->kind = (k == FT_GE || k == FT_LT) ? FN_PORT_GE : FN_PORT_LE;
	return negate_if(k == FT_GT || k == FT_LT, n);
}

static struct fnode *term_state(struct parser *p, struct ftoken *kw, bool exclude)
{
	struct ftoken *w = operand(p, kw, NULL, "a state name");
	if (!w)
		return NULL;
	uint32_t m = filter_state_word(w->text);
	if (!m)
		return fail(p, w->col, "'%s' is not a TCP state name", w->text);
	struct fnode *n = node_new(FN_STATE);
	n->states = m;
	return negate_if(exclude, n);
}

static struct fnode *term_process(struct parser *p, struct ftoken *kw)
{
	struct ftoken *op = take_op(p);
	if (op && op->kind != FT_EQ && op->kind != FT_NE)
		return fail(p, op->col, "'%s' takes '=' or '!=', not '%s'", kw->text, op->text);
	struct ftoken *w = operand(p, kw, op, "a process name");
	if (!w)
		return NULL;
	struct fnode *n = node_new(FN_PROCESS);
	n->pattern = xstrdup(w->text);
	n->glob = strpbrk(w->text, "*?[") != NULL;
	p->f->needs |= NEED_PROCS;
	return negate_if(op && op->kind == FT_NE, n);
}

static struct fnode *term_portclass(struct parser *p, struct ftoken *kw)
{
	struct ftoken *op = take_op(p);
	if (op && op->kind != FT_EQ && op->kind != FT_NE)
		return fail(p, op->col, "'%s' takes '=' or '!=', not '%s'", kw->text, op->text);
	struct ftoken *w = operand(p, kw, op, "a port class");
	if (!w)
		return NULL;
	int pc = -1;
	for (int i = PORTCLASS_WELL_KNOWN; i <= PORTCLASS_DYNAMIC; i++)
		if (!strcmp(w->text, port_class_name((enum port_class)i)))
			pc = i;
	if (!strcmp(w->text, "ephemeral"))
		pc = PORTCLASS_DYNAMIC;
	if (pc < 0)
		return fail(p, w->col, "'%s' is not a port class (well-known, registered, dynamic)",
			    w->text);
	struct fnode *n = node_new(FN_PORTCLASS);
	n->pclass = pc;
	return negate_if(op && op->kind == FT_NE, n);
}

/* netns NAME|INODE: a namespace by its name (glob) or nsfs inode. */
static struct fnode *term_netns(struct parser *p, struct ftoken *kw)
{
	struct ftoken *op = take_op(p);
	if (op && op->kind != FT_EQ && op->kind != FT_NE)
		return fail(p, op->col, "'%s' takes '=' or '!=', not '%s'", kw->text, op->text);
	struct ftoken *w = operand(p, kw, op, "a namespace name or inode");
	if (!w)
		return NULL;
	struct fnode *n = node_new(FN_NETNS);
	unsigned long long v;
	if (util_parse_uint(w->text, 0xffffffffull, &v) == 0 && v)
		n->netns = (uint32_t)v;
	n->pattern = xstrdup(w->text);
	n->glob = strpbrk(w->text, "*?[") != NULL;
	return negate_if(op && op->kind == FT_NE, n);
}

/* cgroup PATH (ss's term: the socket's cgroup is PATH), service NAME,
 * container NAME, unit NAME (either): globs allowed. */
static struct fnode *term_owner(struct parser *p, struct ftoken *kw, enum fowner_field what)
{
	struct ftoken *op = take_op(p);
	if (op && op->kind != FT_EQ && op->kind != FT_NE)
		return fail(p, op->col, "'%s' takes '=' or '!=', not '%s'", kw->text, op->text);
	struct ftoken *w = operand(p, kw, op, what == FO_CGROUP ? "a cgroup path" : "a name");
	if (!w)
		return NULL;
	if (what == FO_CGROUP && w->text[0] != '/')
		return fail(p, w->col, "'%s' is not a cgroup path (it starts with '/')", w->text);
	struct fnode *n = node_new(FN_OWNER);
	n->owner = what;
	const char *pat = w->text;
	/* A path under the cgroup2 mount is the same cgroup. */
	static const char *const mounts[] = {"/sys/fs/cgroup/unified", "/sys/fs/cgroup"};
	for (size_t i = 0; what == FO_CGROUP && i < sizeof mounts / sizeof mounts[0]; i++) {
		size_t ml = strlen(mounts[i]);
		if (!strncmp(pat, mounts[i], ml) && (pat[ml] == '/' || !pat[ml])) {
			pat = pat[ml] ? pat + ml : "/";
			break;
		}
	}
	n->pattern = xstrdup(pat);
	n->glob = strpbrk(pat, "*?[") != NULL;
	return negate_if(op && op->kind == FT_NE, n);
}

enum numkind { NK_COUNT, NK_SECONDS, NK_MILLIS, NK_USER };

static const struct {
	const char *name;
	enum fnum_field field;
	enum numkind kind;
	unsigned long long max;
	uint32_t needs;
	bool track;
} num_terms[] = {
	{"pid", FF_PID, NK_COUNT, 0x7fffffff, NEED_PROCS, false},
	{"uid", FF_UID, NK_COUNT, 0xffffffff, 0, false},
	{"user", FF_UID, NK_USER, 0xffffffff, 0, false},
	{"retrans", FF_RETRANS, NK_COUNT, 0xffffffff, NEED_INFO, false},
	{"recvq", FF_RECVQ, NK_COUNT, 0xffffffff, 0, false},
	{"sendq", FF_SENDQ, NK_COUNT, 0xffffffff, 0, false},
	{"age", FF_AGE, NK_SECONDS, 0, 0, true},
	{"state-age", FF_AGE, NK_SECONDS, 0, 0, true},
	{"lifetime", FF_LIFETIME, NK_SECONDS, 0, 0, true},
	{"rtt", FF_RTT, NK_MILLIS, 0, NEED_INFO, false},
};

static struct fnode *term_num(struct parser *p, struct ftoken *kw, size_t ti)
{
	struct ftoken *op = take_op(p);
	enum numkind nk = num_terms[ti].kind;
	const char *what = nk == NK_USER ? "a user name or uid"
			   : nk == NK_COUNT ? "a number"
					    : "a duration";
	struct ftoken *w = operand(p, kw, op, what);
	if (!w)
		return NULL;
	double v;
	unsigned long long u;
	if (nk == NK_SECONDS || nk == NK_MILLIS) {
		v = util_parse_duration(w->text, nk == NK_MILLIS ? 1e-3 : 1.0);
		if (v < 0)
			return fail(p, w->col, "'%s' is not a duration (like 30s, 250ms, 2m)", w->text);
	} else if (util_parse_uint(w->text, num_terms[ti].max, &u) == 0) {
		v = (double)u;
	} else if (nk == NK_USER) {
		struct passwd *pw = getpwnam(w->text);
		if (!pw)
			return fail(p, w->col, "no such user '%s'", w->text);
		v = pw->pw_uid;
	} else {
		return fail(p, w->col, "'%s' is not a whole number", w->text);
	}
	struct fnode *n = node_new(FN_NUM);
	n->field = num_terms[ti].field;
	n->op = op ? op->kind : FT_EQ;
	n->value = v;
	p->f->needs |= num_terms[ti].needs;
	if (num_terms[ti].track)
		p->f->uses_track = true;
	return n;
}

static void read_ephemeral(struct filter *f)
{
	/* As ss: the kernel's range, else 1024-4999. */
	f->eph_min = 1024;
	f->eph_max = 4999;
	FILE *fp = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
	if (!fp)
		return;
	int a, b;
	if (fscanf(fp, "%d %d", &a, &b) == 2) {
		f->eph_min = a;
		f->eph_max = b;
	}
	fclose(fp);
}

static struct fnode *parse_term(struct parser *p)
{
	struct ftoken *kw = advance(p);
	const char *w = kw->text;
	if (!strcmp(w, "dst") || !strcmp(w, "src"))
		return term_host(p, kw, w[0] == 'd');
	if (!strcmp(w, "dport") || !strcmp(w, "sport"))
		return term_port(p, kw, w[0] == 'd');
	if (!strcmp(w, "state"))
		return term_state(p, kw, false);
	if (!strcmp(w, "exclude") || !strcmp(w, "excl"))
		return term_state(p, kw, true);
	if (!strcmp(w, "autobound")) {
		if (!p->f->eph_min)
			read_ephemeral(p->f);
		return node_new(FN_AUTOBOUND);
	}
	if (!strcmp(w, "process") || !strcmp(w, "comm"))
		return term_process(p, kw);
	if (!strcmp(w, "portclass"))
		return term_portclass(p, kw);
	for (size_t i = 0; i < sizeof num_terms / sizeof num_terms[0]; i++)
		if (!strcmp(w, num_terms[i].name))
			return term_num(p, kw, i);
	if (!strcmp(w, "netns"))
		return term_netns(p, kw);
	if (!strcmp(w, "cgroup"))
		return term_owner(p, kw, FO_CGROUP);
	if (!strcmp(w, "service"))
		return term_owner(p, kw, FO_SERVICE);
	if (!strcmp(w, "container") || !strcmp(w, "pod"))
		return term_owner(p, kw, FO_CONTAINER);
	if (!strcmp(w, "unit"))
		return term_owner(p, kw, FO_UNIT);
	if (!strcmp(w, "dev") || !strcmp(w, "fwmark"))
		return fail(p, kw->col, "'%s' conditions are not supported by tcpscope", w);
	union conn_addr a;
	if (strchr(w, ':') || conn_addr_parse(w, &a))
		return fail(p, kw->col, "unknown condition '%s' (an address needs 'dst' or 'src')", w);
	return fail(p, kw->col, "unknown condition '%s'", w);
}

static struct fnode *parse_list(struct parser *p);

static struct fnode *parse_expr(struct parser *p, const struct ftoken *after)
{
	struct ftoken *t = peek(p);
	if (p->depth >= FILTER_MAX_DEPTH)
		return fail(p, t->col, "expression nested too deeply");
	struct fnode *n;
	switch (t->kind) {
	case FT_LPAREN:
		advance(p);
		p->depth++;
		n = parse_list(p);
		p->depth--;
		if (!n)
			return NULL;
		if (peek(p)->kind != FT_RPAREN) {
			filter_node_free(n);
			return fail(p, peek(p)->col, "missing ')' for the '(' at column %d", t->col);
		}
		advance(p);
		return n;
	case FT_NOT:
		advance(p);
		p->depth++;
		n = parse_expr(p, t);
		p->depth--;
		return n ? node_bin(FN_NOT, n, NULL) : NULL;
	case FT_WORD:
		return parse_term(p);
	case FT_END:
		if (after)
			return fail(p, t->col, "expected a condition after '%s'", after->text);
		return fail(p, t->col, "expected a condition");
	default:
		if (after)
			return fail(p, t->col, "expected a condition after '%s', not '%s'",
				    after->text, t->text);
		return fail(p, t->col, "expected a condition, not '%s'", t->text);
	}
}

static struct fnode *parse_list(struct parser *p)
{
	struct fnode *left = parse_expr(p, NULL);
	while (left) {
		struct ftoken *t = peek(p);
		enum fnode_kind k = FN_AND;
		struct fnode *right;
		if (t->kind == FT_AND || t->kind == FT_OR) {
			k = t->kind == FT_AND ? FN_AND : FN_OR;
			advance(p);
			right = parse_expr(p, t);
		} else if (t->kind == FT_WORD || t->kind == FT_LPAREN || t->kind == FT_NOT) {
			right = parse_expr(p, NULL);
		} else {
			break;
		}
		if (!right) {
			filter_node_free(left);
			return NULL;
		}
		left = node_bin(k, left, right);
	}
	return left;
}

static bool leading_states(struct parser *p)
{
	bool saw = false;
	uint32_t m = TCPS_ALL_MASK;
	for (;;) {
		struct ftoken *kw = peek(p);
		if (kw->kind != FT_WORD)
			break;
		bool st = !strcmp(kw->text, "state");
		if (!st && strcmp(kw->text, "exclude") && strcmp(kw->text, "excl"))
			break;
		advance(p);
		struct ftoken *w = operand(p, kw, NULL, "a state name");
		if (!w)
			return false;
		uint32_t sm = filter_state_word(w->text);
		if (!sm) {
			fail(p, w->col, "'%s' is not a TCP state name", w->text);
			return false;
		}
		if (st)
			m = (saw ? m : 0) | sm;
		else
			m = (saw ? m : TCPS_ALL_MASK) & ~sm;
		saw = true;
	}
	p->f->states = m & TCPS_ALL_MASK;
	return true;
}

struct filter *filter_parse_flags(const char *expr, unsigned flags, struct filter_error *err)
{
	if (err)
		memset(err, 0, sizeof *err);
	size_t len = expr ? strlen(expr) : 0;
	if (len > FILTER_MAX_LEN) {
		if (err) {
			snprintf(err->message, sizeof err->message,
				 "expression longer than %d characters", FILTER_MAX_LEN);
			err->column = FILTER_MAX_LEN + 1;
		}
		return NULL;
	}
	struct parser p = {0};
	p.err = err;
	p.hctx.pref_family = AF_UNSPEC;
	p.hctx.flags = flags;
	p.f = xcalloc(1, sizeof *p.f);
	p.f->families = FILTER_FAM_V4 | FILTER_FAM_V6;
	p.f->states = TCPS_ALL_MASK;
	filter_lex(expr, &p.t);
	if (leading_states(&p) && peek(&p)->kind != FT_END) {
		p.f->root = parse_list(&p);
		struct ftoken *t = peek(&p);
		if (p.f->root && t->kind != FT_END) {
			if (t->kind == FT_RPAREN)
				fail(&p, t->col, "')' without a matching '('");
			else
				fail(&p, t->col, "unexpected '%s'", t->text);
		}
	}
	filter_lex_free(&p.t);
	if (p.failed) {
		filter_free(p.f);
		return NULL;
	}
	if (p.hctx.families)
		p.f->families = p.hctx.families;
	return p.f;
}

struct filter *filter_parse(const char *expr, struct filter_error *err)
{
	return filter_parse_flags(expr, 0, err);
}

void filter_free(struct filter *f)
{
	if (!f)
		return;
	filter_node_free(f->root);
	free(f);
}
