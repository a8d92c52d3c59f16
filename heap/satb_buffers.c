/* satb_buffers.c — SATB buffers: the mutators' side of
 * snapshot-at-the-beginning marking (heap/satb_marking.h).
 *
 * A mutator writes old values into its own buffer without synchronisation;
 * the marker's lock is taken once per SATB_BUFFER_ENTRIES entries, to hand a
 * full buffer over and take an empty one. A lock-free list would save that
 * lock but needs ABA care on the pop side; at one acquisition per thousand
 * barrier hits it does not show in profiles, so the simple form stays. */
#include "satb_marking.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void satb_marker_init(satb_marker *mk, gc_heap *heap, unsigned hdr_words,
                      satb_mark_fn mark, satb_is_marked_fn is_marked,
                      void *ctx) {
  memset(mk, 0, sizeof *mk);
  mk->heap = heap;
  mk->hdr_words = hdr_words;
  mk->mark = mark;
  mk->is_marked = is_marked;
  mk->ctx = ctx;
  pthread_mutex_init(&mk->lock, NULL);
}

static void free_list(satb_buffer *b) {
  while (b) {
    satb_buffer *n = b->next;
    free(b);
    b = n;
  }
}

void satb_marker_destroy(satb_marker *mk) {
  free_list(mk->full);
  free_list(mk->spare);
  free(mk->grey);
  free(mk->objs);
  pthread_mutex_destroy(&mk->lock);
}

/* Under mk->lock: an empty buffer, recycled or new. */
static satb_buffer *take_spare(satb_marker *mk) {
  satb_buffer *b = mk->spare;
  if (b)
    mk->spare = b->next;
  else if (!(b = malloc(sizeof *b))) {
    fprintf(stderr, "gctb: out of memory for an SATB buffer\n");
    abort();
  }
  b->next = NULL;
  b->n = 0;
  return b;
}

/* Under mk->lock. */
static void publish(satb_marker *mk, satb_buffer *b) {
  b->next = mk->full;
  mk->full = b;
  __atomic_store_n(&mk->nfull, mk->nfull + 1, __ATOMIC_RELAXED);
}

void satb_enqueue(satb_marker *mk, satb_queue *q, gc_ref old) {
  /* Filtering here keeps buffers (and the final pause) small: a marked
   * object is already grey or black and needs no second look. */
  if (old == GC_NULL || mk->is_marked(mk->ctx, old)) {
    q->filtered++;
    return;
  }
  satb_buffer *b = q->buf;
  if (!b || b->n == SATB_BUFFER_ENTRIES) {
    pthread_mutex_lock(&mk->lock);
    if (b)
      publish(mk, b);
    b = q->buf = take_spare(mk);
    pthread_mutex_unlock(&mk->lock);
  }
  b->entries[b->n++] = old;
  q->enqueued++;
}

void satb_flush(satb_marker *mk, satb_queue *q) {
  if (!q->buf || q->buf->n == 0)
    return;
  pthread_mutex_lock(&mk->lock);
  publish(mk, q->buf);
  q->buf = NULL;
  pthread_mutex_unlock(&mk->lock);
}

void satb_queue_release(satb_marker *mk, satb_queue *q) {
  satb_flush(mk, q);
  if (!q->buf)
    return;
  pthread_mutex_lock(&mk->lock);
  q->buf->next = mk->spare;
  mk->spare = q->buf;
  q->buf = NULL;
  pthread_mutex_unlock(&mk->lock);
}

typedef struct flush_ctx {
  satb_marker *mk;
  satb_queue *(*queue_of)(gc_mutator *m);
} flush_ctx;

static void flush_one(gc_mutator *m, void *arg) {
  flush_ctx *fc = arg;
  satb_flush(fc->mk, fc->queue_of(m));
}

void satb_flush_all(satb_marker *mk, satb_queue *(*queue_of)(gc_mutator *m)) {
  flush_ctx fc = {mk, queue_of};
  gc_for_each_mutator(mk->heap, flush_one, &fc);
}
