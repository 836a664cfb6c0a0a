/* filter_int.h — the filter module's private parts: tokens, the AST, and
 * the ss host/port condition parser. Only src/view/filter*.c include it. */
#ifndef TCPSCOPE_FILTER_INT_H
#define TCPSCOPE_FILTER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcpscope/conn.h"
#include "tcpscope/filter.h"

/* ---------------------------------------------------------------- tokens */

enum ftok {
	FT_END = 0,
	FT_WORD,
	FT_LPAREN,
	FT_RPAREN,
	FT_NOT,
	FT_AND,
	FT_OR,
	FT_EQ,
	FT_NE,
	FT_LT,
	FT_LE,
	FT_GT,
	FT_GE,
};

struct ftoken {
	enum ftok kind;
	int col;      /* 1-based column of the first character */
	char *text;   /* owned, NUL-terminated, as typed */
};

struct ftokens {
	struct ftoken *v; /* owned; the last one is FT_END */
	size_t n, cap;
};

/* Split expr into tokens (never fails: every character lands in a token). */
void filter_lex(const char *expr, struct ftokens *out);
void filter_lex_free(struct ftokens *t);
bool filter_tok_is_cmp(enum ftok k);

/* ---------------------------------------------------------------- the AST */

enum fnode_kind {
	FN_AND,
	FN_OR,
	FN_NOT,
	FN_HOST,      /* ss SSF_SCOND / SSF_DCOND: [addr/prefix][:port] */
	FN_PORT_GE,   /* ss SSF_S_GE / SSF_D_GE */
	FN_PORT_LE,
	FN_AUTOBOUND,
	FN_STATE,     /* extension: state set as a term */
	FN_PROCESS,
	FN_NUM,       /* numeric extension terms */
	FN_PORTCLASS,
	FN_NETNS,     /* netns NAME|INODE (-A) */
	FN_OWNER,     /* cgroup PATH, service NAME, container NAME, unit NAME */
};

/* What an FN_OWNER term compares its pattern with. */
enum fowner_field { FO_CGROUP, FO_SERVICE, FO_CONTAINER, FO_UNIT };

enum fnum_field {
	FF_PID,
	FF_UID,
	FF_AGE,
	FF_LIFETIME,
	FF_RTT,
	FF_RETRANS,
	FF_RECVQ,
	FF_SENDQ,
};

/* One address of a host condition; family 0 = none given (`*`). */
struct fhost {
	uint8_t family;
	int16_t bitlen;          /* prefix length; 0 = any address */
	uint8_t addr[16];        /* network order, zero-padded */
};

struct fnode {
	enum fnode_kind kind;
	struct fnode *l, *r;     /* owned: AND/OR use both, NOT uses l */
	bool remote;             /* HOST/PORT_*: dst/dport (true) or src/sport */
	int32_t port;            /* HOST: -1 any; PORT_*: the bound */
	size_t nhosts;           /* HOST: addresses (several for a host name) */
	struct fhost *hosts;     /* owned */
	uint32_t states;         /* STATE */
	char *pattern;           /* PROCESS: owned */
	bool glob;               /* PROCESS: pattern has *?[ */
	enum fnum_field field;   /* NUM */
	enum ftok op;            /* NUM: FT_EQ ... FT_GE */
	double value;            /* NUM: seconds for times, else the number */
	int pclass;              /* PORTCLASS */
	uint32_t netns;          /* NETNS: an inode given as a number, else 0 */
	enum fowner_field owner; /* OWNER */
};

struct filter {
	struct fnode *root;      /* NULL = true */
	uint32_t states;         /* global state set (leading state/exclude) */
	uint8_t families;        /* bit0 AF_INET, bit1 AF_INET6 */
	uint32_t needs;          /* NEED_* */
	bool uses_track;
	int eph_min, eph_max;    /* ephemeral port range, for autobound */
	const struct labels *labels; /* borrowed (filter_set_labels): names of ids */
};

#define FILTER_FAM_V4 1u
#define FILTER_FAM_V6 2u

void filter_node_free(struct fnode *n);

/* ---------------------------------------------------------------- ss conditions */

/* State mask of an ss state name or group (ss spellings, case-insensitive,
 * plus tcpscope's other spellings); 0 when unknown. */
uint32_t filter_state_word(const char *w);

struct fhostctx {
	int pref_family;         /* AF_UNSPEC, or the last inet:/inet6: prefix */
	uint8_t families;        /* set when a prefix narrows the output */
	unsigned flags;          /* FILTER_NO_RESOLVE */
};

/* Parse an ss HOSTCOND word into n (port, hosts) the way ss's
 * parse_hostcond() does; is_port for dport/sport operands. Returns 0 or -1
 * with msg filled. */
int filter_hostcond(const char *word, bool is_port, struct fhostctx *ctx, struct fnode *n,
		    char *msg, size_t msglen);

#endif
