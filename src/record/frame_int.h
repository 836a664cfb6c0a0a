/* frame_int.h — what the frame codec's files share (private to
 * src/record): the coding context, in which one set of field functions
 * serves both directions (frame.c), and version 2 and 3's hot fields
 * (frame_hot.c); the two primitives both use are in frame_cx.c. */
#ifndef TCPSCOPE_FRAME_INT_H
#define TCPSCOPE_FRAME_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcpscope/frame.h"
#include "tcpscope/hmap.h"

struct cx {
	bool rd, bad;
	uint8_t **buf;          /* writing */
	size_t *len, *cap;
	const uint8_t *in;      /* reading */
	size_t pos, n;
	const char *why;        /* first reason the input is bad */
	uint16_t ver;           /* the frame's version (reading: as read) */
	const struct frame *ref;/* version 2: hot fields relative to it, or NULL */
	struct hmap refmap;     /* its entries: track key -> index */
	const struct frame *prev;/* version 3: rates derived from it, or NULL */
	struct hmap prevmap;    /* its entries: track key -> index */
	bool derive;            /* the frame's rates are derived (prev_ns != 0) */
	bool base;              /* reading without prev: derived rates are NAN */
	const atomic_bool *stop;/* writing: set, the encoding ends (bad, "stopped") */
};

/* Mark the input bad (the first reason is kept). */
void frame_cx_fail(struct cx *c, const char *why);
/* Writing with a stop flag, every 4096th item i: the flag set ends the
 * encoding (c->bad, why "stopped"; true). Reading: false. */
bool frame_cx_stop(struct cx *c, size_t i);
/* n bytes either way; reading past the end fails and zero-fills p. */
void frame_cx_raw(struct cx *c, uint8_t *p, size_t n);
/* Version 2 and 3's hot part of f's entries (their cold parts already
 * coded): per-entry changed-field bitmaps, then the differences from c->ref
 * (version 3: rates from what c->prev predicts) column by column
 * (docs/RECORDING.md). */
void frame_hot_code(struct cx *c, struct frame *f, uint32_t now_ms);

#endif
