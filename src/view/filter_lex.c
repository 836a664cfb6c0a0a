/* filter_lex.c — the filter expression into tokens.
 *
 * ss splits its filter at blanks only and then recognises whole words
 * ("and", "&&", "ge", "(", ...). We do the same for words, and also split
 * the punctuation ( ) ! & | = < > out of words, so "(dport=:443)" works
 * too; every expression ss accepts tokenises the same way here. */
#include <stdlib.h>
#include <string.h>

#include "filter_int.h"
#include "tcpscope/util.h"

static const struct {
	const char *word;
	enum ftok kind;
} keywords[] = {
	{"!", FT_NOT},   {"not", FT_NOT},  {"&", FT_AND},  {"&&", FT_AND}, {"and", FT_AND},
	{"|", FT_OR},    {"||", FT_OR},    {"or", FT_OR},  {"(", FT_LPAREN}, {")", FT_RPAREN},
	{">=", FT_GE},   {"ge", FT_GE},    {"geq", FT_GE}, {"<=", FT_LE},  {"le", FT_LE},
	{"leq", FT_LE},  {"!=", FT_NE},    {"ne", FT_NE},  {"neq", FT_NE}, {"=", FT_EQ},
	{"==", FT_EQ},   {"eq", FT_EQ},    {">", FT_GT},   {"gt", FT_GT},  {"<", FT_LT},
	{"lt", FT_LT},
};

bool filter_tok_is_cmp(enum ftok k)
{
	return k >= FT_EQ && k <= FT_GE;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_punct(char c)
{
	return c && strchr("()!&|=<>", c) != NULL;
}

static void push(struct ftokens *t, const char *s, size_t len, int col)
{
	t->v = xgrow(t->v, &t->cap, t->n + 1, sizeof *t->v);
	struct ftoken *k = &t->v[t->n++];
	k->text = xmalloc(len + 1);
	memcpy(k->text, s, len);
	k->text[len] = '\0';
	k->col = col;
	k->kind = FT_WORD;
	for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
		if (!strcmp(k->text, keywords[i].word)) {
			k->kind = keywords[i].kind;
			break;
		}
}

void filter_lex(const char *expr, struct ftokens *out)
{
	memset(out, 0, sizeof *out);
	size_t i = 0;
	size_t n = expr ? strlen(expr) : 0;
	while (i < n) {
		if (is_blank(expr[i])) {
			i++;
			continue;
		}
		size_t start = i;
		if (is_punct(expr[i])) {
			char c = expr[i], d = expr[i + 1];
			size_t len = 1;
			/* && || != == <= >= */
			if ((c == '&' && d == '&') || (c == '|' && d == '|') ||
			    (d == '=' && strchr("!=<>", c)))
				len = 2;
			i += len;
		} else {
			while (i < n && !is_blank(expr[i]) && !is_punct(expr[i]))
				i++;
		}
		push(out, expr + start, i - start, (int)start + 1);
	}
	push(out, "", 0, (int)n + 1);
	out->v[out->n - 1].kind = FT_END;
}

void filter_lex_free(struct ftokens *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].text);
	free(t->v);
	memset(t, 0, sizeof *t);
}
