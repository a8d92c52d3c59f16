/* instance.h — a workload's hot code compiled once per policy family and
 * chosen at run time (docs/policy-interface.md, "Fast-path dispatch and
 * specialisation"; heap/gctb.h, "Policy families"; the families are generated
 * from the policies' declarations by cmake/families.cmake).
 *
 * The hot code (everything that allocates, reads or writes objects in a
 * loop) lives in a body header, e.g. workloads/gcbench_body.h, whose
 * functions are static except the entry points, named GC_INSTANCE(name).
 * The build compiles the body once per family, with that family's constants,
 * from one line in workloads/instances/bodies.cmake:
 *
 *   gctb_instances(gcbench_body.h)
 *
 * which generates units like build/generated/instances/gcbench_body_bump1.c
 * (#define GCTB_FAMILY bump1, #include the body) defining
 * gb_run_thread_bump1. The workload's driver declares every
 * instance with GC_INSTANCE_DECLARE and calls the heap's:
 *
 *   typedef void gb_run_fn(gc_mutator *m, unsigned id);
 *   GC_INSTANCE_DECLARE(gb_run_fn, gb_run_thread);
 *   gc_family f = gc_instance_family(heap);
 *   gb_run_fn *run = GC_INSTANCE_PICK(f, gb_run_thread);
 *
 * and records gc_family_name(f) in its metrics ("instance"). A body's entry
 * point calls gc_instance_check first, so a mutator whose kinds do not
 * match the constants it was compiled with fails loudly instead of
 * corrupting the heap. */
#ifndef GCTB_INSTANCE_H
#define GCTB_INSTANCE_H

#include "../heap/gctb.h" /* and, through it, gctb_families.h */

/* name_<family> in a body compiled with GCTB_FAMILY defined. */
#define GC_INSTANCE(name) GC__CAT(name, GC__CAT(_, GCTB_FAMILY))

#define GC__INSTANCE_NAME(name, fam, style, hdr, rb, wb, roots) , name##_##fam
#define GC__INSTANCE_ADDR(name, fam, style, hdr, rb, wb, roots) , &name##_##fam

/* Declares name's instance for every family (generated/gctb_families.h);
 * fn_type is a function type (typedef void run_fn(gc_mutator *m, ...)), the
 * type the body defines GC_INSTANCE(name) with. */
#define GC_INSTANCE_DECLARE(fn_type, name)                                     \
  fn_type name##_generic GC__FAMILIES(GC__INSTANCE_NAME, name)

/* name's instance for family f (a pointer to it; generic for an id out of
 * range). */
#define GC_INSTANCE_PICK(f, name)                                              \
  ((__typeof__(&name##_generic)[]){&name##_generic GC__FAMILIES(               \
      GC__INSTANCE_ADDR, name)})[(f) < gc_family_count() ? (f) : 0]

/* The family whose instance runs on heap: gc_heap_family(heap), unless the
 * environment variable GCTB_INSTANCE=generic asks for the run-time
 * dispatched instance (to measure what dispatch costs within one build; the
 * record's "instance" says which ran). Any other value is a usage error
 * (exit 2) unless it names the heap's own family. */
gc_family gc_instance_family(const gc_heap *heap);

/* In a body's entry point: fails the run if m's kinds are not those the
 * instance of family f was compiled for (generic runs anything). */
static inline void gc_instance_check(gc_mutator *m, gc_family f,
                                     const char *workload) {
  if (f != GC_FAMILY_GENERIC && gc_mutator_family(m) != f)
    gc_fail(m, "%s: the %s instance cannot run a mutator of family %s",
            workload, gc_family_name(f), gc_family_name(gc_mutator_family(m)));
}

#endif
