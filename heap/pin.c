/* pin.c — the thread-start hook (pin.h). */
#include "pin.h"
#include <stddef.h>

/* Written before any thread that reads it is started; read with acquire so
 * a hook set once and read by later threads needs no lock. */
static gc_thread_hook hook_fn;
static void *hook_ctx;

void gc_set_thread_hook(gc_thread_hook fn, void *ctx) {
  __atomic_store_n(&hook_ctx, ctx, __ATOMIC_RELAXED);
  __atomic_store_n(&hook_fn, fn, __ATOMIC_RELEASE);
}

void gc_thread_started(gc_thread_kind kind, unsigned index) {
  gc_thread_hook fn = __atomic_load_n(&hook_fn, __ATOMIC_ACQUIRE);
  if (fn)
    fn(kind, index, __atomic_load_n(&hook_ctx, __ATOMIC_RELAXED));
}
