/* barrier.c — the object-remembering write barrier's slow path and the
 * remembered set.
 *
 * The inline fast path (gctb.h, GC_WB_OBJECT_LOG) calls here only for a
 * reference store into an object whose header has GC_HDR_UNLOGGED: an old
 * object not yet logged since the last collection. The bit is cleared with
 * an atomic and-not, so when two mutators race to store into one object
 * exactly one logs it; both stores then happen. The log is per mutator, so
 * logging takes no lock. Young objects are allocated without the bit (the
 * fast path writes the type's header, whose GC bits are zero) and never
 * reach this path: a nursery collection traces them anyway. */
#include "../../heap/object_log.h"
#include "../../heap/util.h"
#include "sticky.h"
#include <stdlib.h>

void sticky_log_push(sticky_log *l, uintptr_t obj) {
  if (!gc_vec_reserve((void **)&l->objs, &l->cap, l->n, sizeof *l->objs, 256)) {
    fprintf(stderr, "gctb: sticky-immix: out of memory for the remembered "
                    "set\n");
    abort();
  }
  l->objs[l->n++] = obj;
}

void sticky_store_slow(gc_mutator *m, gc_ref obj, size_t off, uintptr_t val,
                       bool is_ref) {
  if (is_ref) {
    if (gc_object_log_claim(obj, __ATOMIC_RELAXED))
      sticky_log_push(&((sticky_mutator *)m->policy_data)->log, obj);
  }
  gc__store_word((uintptr_t)obj + off, val);
}

static void add_log(sticky_state *s, sticky_log *l) {
  if (!l->n)
    return;
  if (!gc_vec_reserve((void **)&s->logs, &s->logs_cap, s->nlogs,
                      sizeof *s->logs, 16)) {
    fprintf(stderr, "gctb: sticky-immix: out of memory gathering logs\n");
    abort();
  }
  s->logs[s->nlogs++] = l;
}

static void gather_mutator(gc_mutator *m, void *ctx) {
  add_log(ctx, &((sticky_mutator *)m->policy_data)->log);
}

size_t sticky_gather_logs(sticky_state *s) {
  s->nlogs = 0;
  add_log(s, &s->orphans);
  gc_for_each_mutator(s->heap, gather_mutator, s);
  size_t n = 0;
  for (size_t i = 0; i < s->nlogs; i++)
    n += s->logs[i]->n;
  return n;
}

static void clear_mutator(gc_mutator *m, void *ctx) {
  ((sticky_mutator *)m->policy_data)->log.n = 0;
}

void sticky_clear_logs(sticky_state *s) {
  s->orphans.n = 0;
  s->nlogs = 0;
  gc_for_each_mutator(s->heap, clear_mutator, NULL);
}
