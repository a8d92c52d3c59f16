# Workload bodies compiled once per policy family (workloads/instance.h,
# cmake/families.cmake): one line per workload.
gctb_instances(gcbench_body.h)
gctb_instances(binary_trees_body.h)
gctb_instances(quads_body.h)
gctb_instances(gcold_body.h)
gctb_instances(lifetimes_body.h)
gctb_instances(server_body.h)
gctb_instances(fragger_body.h)
gctb_instances(mt_gcbench_body.h)
