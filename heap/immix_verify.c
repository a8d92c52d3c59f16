/* immix_verify.c — what the heap verifier checks in the immix space, and
 * the space's statistics.
 *
 * Per reachable object (immix_verify_object):
 *   - it lies in a block that is not free, and does not cross its end;
 *   - its header carries no BUSY or FWD bit (a reference left pointing at
 *     an evacuated object's old copy, or a lost claim);
 *   - if marked, every line it occupies is marked or, under the
 *     conservative rule, follows a marked line: no live object lies in a
 *     line the allocator counts free;
 *   - if unmarked, it is young: every line it occupies is still usable (it
 *     was allocated into a hole). Right after a collection nothing
 *     reachable may be unmarked, and nothing in a block evacuated by it.
 * Once per walk (immix_verify_space): every block's state agrees with its
 * line marks and its census, the block mark agrees with the line marks,
 * the free and recyclable lists hold what their states say, and the chunks
 * tagged for the space are the chunks it counts. */
#include "immix_space.h"
#include <string.h>

static const char *line_problem(immix_space *sp, uintptr_t addr, size_t bytes,
                                bool marked) {
  size_t b = immix_block_of(sp, addr);
  const uint8_t *marks = immix_lines_of(sp, b);
  unsigned first = (unsigned)((addr - immix_block_addr(sp, b)) >> sp->line_log);
  unsigned last =
      (unsigned)((addr + bytes - 1 - immix_block_addr(sp, b)) >> sp->line_log);
  for (unsigned l = first; l <= last; l++) {
    bool usable = immix_line_usable(marks, l, sp->conservative);
    if (marked && usable)
      return "is live but occupies a line the allocator counts free";
    if (!marked && !usable)
      return "is unmarked (young) but occupies a used line";
  }
  return NULL;
}

bool immix_verify_object(immix_space *sp, gc_verifier *v, uintptr_t addr,
                         bool after_gc) {
  size_t b = immix_block_of(sp, addr);
  const immix_block *blk = &sp->blocks[b];
  uint64_t h = __atomic_load_n((uint64_t *)addr, __ATOMIC_RELAXED);
  size_t bytes = immix_object_bytes(addr);
  bool marked = immix_is_marked(sp, addr);
  const char *bad = NULL;
  if (blk->state == IMMIX_FREE || blk->state == IMMIX_UNOWNED)
    bad = "lies in a free block";
  else if (h & (GC_FWD_BUSY | GC_FWD_FORWARDED))
    bad = "carries a forwarding or claim bit (an evacuated object's old copy)";
  else if (addr + bytes > immix_block_addr(sp, b) + sp->block_bytes)
    bad = "crosses the end of its block";
  else if (after_gc && !marked)
    bad = blk->candidate ? "lies in an evacuated block, unmarked"
                         : "was not marked by the collection";
  else
    bad = line_problem(sp, addr, bytes, marked);
  if (bad)
    gc_verify_fail(v, "immix: object 0x%lx (%zu bytes, block %zu, line %zu) %s",
                   (unsigned long)addr, bytes, b,
                   (size_t)((addr - immix_block_addr(sp, b)) >> sp->line_log),
                   bad);
  return bad == NULL;
}

static const char *block_problem(immix_space *sp, size_t b) {
  const immix_block *blk = &sp->blocks[b];
  immix_census c;
  immix_census_of(immix_lines_of(sp, b), sp->lines_per_block, sp->conservative,
                  &c);
  if (!sp->block_mark[b] && c.marked)
    return "has marked lines but no block mark";
  if (c.marked != blk->marked || c.free != blk->free || c.holes != blk->holes)
    return "has line marks that disagree with its census";
  switch (blk->state) {
  case IMMIX_FREE:
    return c.marked ? "is free but has marked lines" : NULL;
  case IMMIX_FULL:
    return c.free || !c.marked ? "is full but has free lines" : NULL;
  case IMMIX_RECYCLABLE:
    return !c.free || !c.marked ? "is recyclable without holes or live lines"
                                : NULL;
  case IMMIX_IN_USE:
    return NULL;
  default:
    return "has an unknown state";
  }
}

static bool fail_block(gc_verifier *v, size_t b, const char *what) {
  gc_verify_fail(v, "immix: block %zu %s", b, what);
  return false;
}

/* Chunk by chunk: ownership agrees with block states; returns chunks
 * owned, or SIZE_MAX after a failure. */
static size_t verify_chunks(immix_space *sp, gc_verifier *v, size_t *nfree) {
  size_t owned = 0;
  for (size_t c = 0; c < sp->arena->nchunks; c++) {
    bool ours = immix_owns(sp, sp->base + (c << GC_CHUNK_LOG));
    owned += ours;
    for (size_t i = 0; i < sp->blocks_per_chunk; i++) {
      size_t b = c * sp->blocks_per_chunk + i;
      const char *bad =
          ours != (sp->blocks[b].state != IMMIX_UNOWNED)
              ? "has a state that disagrees with its chunk's owner"
          : ours ? block_problem(sp, b)
                 : NULL;
      if (bad)
        return fail_block(v, b, bad), SIZE_MAX;
      *nfree += sp->blocks[b].state == IMMIX_FREE;
    }
  }
  return owned;
}

static bool verify_lists(immix_space *sp, gc_verifier *v, size_t nfree) {
  if (nfree != sp->nfree) {
    gc_verify_fail(v, "immix: %zu free blocks, the free list holds %zu", nfree,
                   sp->nfree);
    return false;
  }
  for (size_t i = 0; i < sp->nfree; i++)
    if (sp->blocks[sp->free_list[i]].state != IMMIX_FREE)
      return fail_block(v, sp->free_list[i], "is on the free list, not free");
  size_t next = __atomic_load_n(&sp->recycle_next, __ATOMIC_RELAXED);
  for (size_t i = 0; i < sp->nrecyclable; i++) {
    uint8_t want = i < next ? IMMIX_IN_USE : IMMIX_RECYCLABLE;
    if (sp->blocks[sp->recyclable[i]].state != want)
      return fail_block(v, sp->recyclable[i],
                        "has the wrong state for its place on the "
                        "recyclable list");
  }
  return true;
}

bool immix_verify_space(immix_space *sp, gc_verifier *v) {
  size_t nfree = 0, owned = verify_chunks(sp, v, &nfree);
  if (owned == SIZE_MAX)
    return false;
  if (owned != __atomic_load_n(&sp->chunks_held, __ATOMIC_RELAXED)) {
    gc_verify_fail(v, "immix: %zu chunks tagged, %zu counted", owned,
                   sp->chunks_held);
    return false;
  }
  return verify_lists(sp, v, nfree);
}

json_t *immix_sweep_json(const immix_sweep_stats *st) {
  json_t *hist = json_array();
  for (unsigned i = 0; i < IMMIX_HOLE_BINS; i++)
    json_array_append_new(hist, json_integer(st->hole_hist[i]));
  json_t *o = json_pack(
      "{s:i, s:i, s:i, s:i, s:I, s:i, s:f, s:I, s:I, s:I}", "free_blocks",
      (json_int_t)st->free_blocks, "recyclable_blocks",
      (json_int_t)st->recyclable_blocks, "full_blocks",
      (json_int_t)st->full_blocks, "chunks_released",
      (json_int_t)st->chunks_released, "holes", (json_int_t)st->holes,
      "max_holes", (json_int_t)st->max_holes, "mean_holes",
      st->recyclable_blocks ? (double)st->holes / st->recyclable_blocks : 0.0,
      "free_line_bytes", (json_int_t)st->free_line_bytes, "marked_line_bytes",
      (json_int_t)st->marked_line_bytes, "block_bytes_in_use",
      (json_int_t)st->block_bytes_in_use);
  json_object_set_new(o, "holes_per_block", hist);
  return o;
}

static json_t *cycle_json(const immix_cycle_log *c) {
  json_t *o = immix_sweep_json(&c->sweep);
  json_object_set_new(o, "kind", json_string(c->kind));
  json_object_set_new(o, "defrag", json_boolean(c->defrag));
#define SET(key, val)                                                          \
  json_object_set_new(o, key, json_integer((json_int_t)(val)))
  SET("candidates", c->candidates);
  SET("live_bytes", c->live_bytes);
  SET("objects_copied", c->objects_copied);
  SET("bytes_copied", c->bytes_copied);
  SET("objects_kept", c->objects_kept);
  SET("remembered", c->remembered);
#undef SET
  return o;
}

void immix_report_space(immix_space *sp, json_t *out) {
#define SET(key, val)                                                          \
  json_object_set_new(out, key, json_integer((json_int_t)(val)))
  SET("block_bytes", sp->block_bytes);
  SET("line_bytes", sp->line_bytes);
  SET("chunks_held", sp->chunks_held);
  SET("reserve_blocks", sp->reserve_blocks);
  SET("bytes_in_use", immix_bytes_in_use(sp));
#undef SET
  json_object_set_new(out, "line_marking",
                      json_string(sp->conservative ? "conservative" : "exact"));
  json_object_set_new(out, "last_sweep", immix_sweep_json(&sp->last));
  json_t *cycles = json_array();
  for (size_t i = 0; i < sp->nlog; i++)
    json_array_append_new(cycles, cycle_json(&sp->log[i]));
  json_object_set_new(out, "cycles", cycles);
  /* the footprint after collections: what fragmentation costs */
  json_object_set_new(
      out, "mean_block_bytes_in_use",
      json_integer(
          (json_int_t)(sp->ncycles ? sp->sum_in_use / sp->ncycles : 0)));
  json_object_set_new(out, "max_block_bytes_in_use",
                      json_integer((json_int_t)sp->max_in_use));
}
