/* slurm_env.c — which Slurm job a record came from (run.h): the job and
 * array task ids and the node, from the environment Slurm gives a batch
 * task, so that a failed or odd run on a cluster can be traced to its job
 * and its node's log. */
#include "harness/run/run.h"
#include <stdlib.h>

json_t *gctb_slurm_json(void) {
  static const char *const vars[][2] = {
      {"job_id", "SLURM_JOB_ID"},
      {"array_job_id", "SLURM_ARRAY_JOB_ID"},
      {"array_task_id", "SLURM_ARRAY_TASK_ID"},
      {"restart_count", "SLURM_RESTART_COUNT"},
      {"node", "SLURMD_NODENAME"},
      {"partition", "SLURM_JOB_PARTITION"},
      {"cluster", "SLURM_CLUSTER_NAME"},
  };
  if (!getenv("SLURM_JOB_ID"))
    return NULL;
  json_t *o = json_object();
  for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
    const char *v = getenv(vars[i][1]);
    char *end;
    if (!v || !*v)
      continue;
    long long n = strtoll(v, &end, 10);
    json_object_set_new(o, vars[i][0], *end ? json_string(v) : json_integer(n));
  }
  return o;
}
