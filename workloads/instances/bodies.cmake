# Workload bodies compiled once per policy family (workloads/instance.h,
# cmake/families.cmake): one line per workload.
gctb_instances(gcbench_body.h)
