/* object.c — the process-wide type table. */
#include "gctb.h"
#include <pthread.h>

const gc_type *gc__type_table[GC_MAX_TYPES];
static unsigned ntypes = 1; /* id 0 is never valid: a zeroed header is caught */
static pthread_mutex_t types_lock = PTHREAD_MUTEX_INITIALIZER;

static bool type_valid(const gc_type *t) {
  if (!t->name)
    return false;
  switch (t->kind) {
  case GC_TYPE_FIXED:
    if (t->nwords == 0 || t->nwords > GC_MAX_FIXED_WORDS)
      return false;
    return t->nwords == 64 || (t->ref_map >> t->nwords) == 0;
  case GC_TYPE_REF_ARRAY:
  case GC_TYPE_WORD_ARRAY:
    return t->nwords == 0 && t->ref_map == 0;
  }
  return false;
}

bool gc_type_register(gc_type *t) {
  if (!type_valid(t))
    return false;
  pthread_mutex_lock(&types_lock);
  bool ok = true;
  if (t->id == 0 || t->id >= ntypes || gc__type_table[t->id] != t) {
    if (ntypes == GC_MAX_TYPES) {
      ok = false;
    } else {
      t->id = (uint16_t)ntypes;
      t->header = (uint64_t)t->id << GC_HDR_TYPE_SHIFT;
      bool fixed = t->kind == GC_TYPE_FIXED;
      t->elem_bytes = fixed ? 0 : GC_WORD;
      t->pointer_free =
          t->kind == GC_TYPE_WORD_ARRAY || (fixed && t->ref_map == 0);
      for (unsigned h = 1; h <= 2; h++) /* arrays: size with one element */
        t->base_bytes[h] = gc_object_bytes(t, fixed ? 0 : 1, h);
      t->base_bytes[0] = t->base_bytes[1];
      __atomic_store_n(&gc__type_table[ntypes], t, __ATOMIC_RELEASE);
      ntypes++;
    }
  }
  pthread_mutex_unlock(&types_lock);
  return ok;
}
