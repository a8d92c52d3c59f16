/* machine.c — what machine produced a result. Timings are only comparable
 * on the same hardware and kernel settings (transparent huge pages,
 * frequency governor), so every record carries them (the build: build.c).
 */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include "harness/run/run.h"
#include <hwloc.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

/* The first line of a file, without its newline; false if unreadable. */
static bool read_line(const char *path, char *buf, size_t len) {
  FILE *f = fopen(path, "r");
  if (!f)
    return false;
  bool ok = fgets(buf, (int)len, f) != NULL;
  fclose(f);
  if (ok)
    buf[strcspn(buf, "\n")] = 0;
  return ok;
}

static json_t *cpu_model(void) {
  char line[512];
  FILE *f = fopen("/proc/cpuinfo", "r");
  if (!f)
    return json_null();
  json_t *model = NULL;
  while (!model && fgets(line, sizeof line, f)) {
    char *colon = strchr(line, ':');
    if (strncmp(line, "model name", 10) == 0 && colon) {
      line[strcspn(line, "\n")] = 0;
      model = json_string(colon + 1 + strspn(colon + 1, " \t"));
    }
  }
  fclose(f);
  return model ? model : json_null();
}

/* "always madvise [never]" -> "never". */
static json_t *thp_setting(const char *path) {
  char line[256];
  if (!read_line(path, line, sizeof line))
    return json_null();
  char *lb = strchr(line, '['), *rb = lb ? strchr(lb, ']') : NULL;
  if (!lb || !rb)
    return json_string(line);
  *rb = 0;
  return json_string(lb + 1);
}

static json_t *file_string(const char *path) {
  char line[256];
  return read_line(path, line, sizeof line) ? json_string(line) : json_null();
}

/* Size of the first cache object of type t, 0 if none. */
static json_int_t cache_bytes(hwloc_topology_t topo, hwloc_obj_type_t t) {
  hwloc_obj_t o = hwloc_get_obj_by_type(topo, t, 0);
  return o && o->attr ? (json_int_t)o->attr->cache.size : 0;
}

/* "1 package, 8 cores, 16 PUs, L3 32M": what a reader compares first. */
static json_t *topology_summary(const json_t *t) {
  char buf[160], l3[32];
  json_int_t pk = json_integer_value(json_object_get(t, "packages"));
  json_int_t co = json_integer_value(json_object_get(t, "cores"));
  json_int_t pu = json_integer_value(json_object_get(t, "pus"));
  json_int_t c3 = json_integer_value(json_object_get(t, "l3_bytes"));
  gctb_format_size((uint64_t)c3, l3, sizeof l3);
  snprintf(buf, sizeof buf, "%lld package%s, %lld cores, %lld PUs%s%s",
           (long long)pk, pk == 1 ? "" : "s", (long long)co, (long long)pu,
           c3 ? ", L3 " : "", c3 ? l3 : "");
  return json_string(buf);
}

static json_t *topology(void) {
  hwloc_topology_t topo;
  if (hwloc_topology_init(&topo) != 0)
    return json_null();
  if (hwloc_topology_load(topo) != 0) {
    hwloc_topology_destroy(topo);
    return json_null();
  }
  json_t *o =
      json_pack("{s:i,s:i,s:i,s:i}", "packages",
                hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PACKAGE), "numa_nodes",
                hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE), "cores",
                hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE), "pus",
                hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU));
  json_object_set_new(o, "l1d_bytes",
                      json_integer(cache_bytes(topo, HWLOC_OBJ_L1CACHE)));
  json_object_set_new(o, "l2_bytes",
                      json_integer(cache_bytes(topo, HWLOC_OBJ_L2CACHE)));
  json_object_set_new(o, "l3_bytes",
                      json_integer(cache_bytes(topo, HWLOC_OBJ_L3CACHE)));
  json_object_set_new(o, "summary", topology_summary(o));
  json_object_set_new(o, "hwloc_version", json_string(HWLOC_VERSION));
  hwloc_topology_destroy(topo);
  return o;
}

/* The 1, 5 and 15 minute load averages: a busy machine at the start of a
 * run is the first suspect for an outlier. */
static json_t *loadavg(void) {
  double a[3];
  FILE *f = fopen("/proc/loadavg", "r");
  bool ok = f && fscanf(f, "%lf %lf %lf", &a[0], &a[1], &a[2]) == 3;
  if (f)
    fclose(f);
  return ok ? json_pack("[f,f,f]", a[0], a[1], a[2]) : json_null();
}

static json_t *file_integer(const char *path) {
  char line[64], *end;
  if (!read_line(path, line, sizeof line))
    return json_null();
  long long v = strtoll(line, &end, 10);
  return end != line ? json_integer(v) : json_null();
}

static json_t *kernel(void) {
  struct utsname u;
  char buf[512];
  if (uname(&u) != 0)
    return json_null();
  snprintf(buf, sizeof buf, "%s %s %s %s", u.sysname, u.release, u.version,
           u.machine);
  return json_string(buf);
}

json_t *gctb_machine_json(void) {
  char host[256] = "";
  cpu_set_t set;
  json_t *o = json_object();
  gethostname(host, sizeof host - 1);
  json_object_set_new(o, "hostname", json_string(host));
  json_object_set_new(o, "cpu_model", cpu_model());
  json_object_set_new(o, "ncpus", json_integer(sysconf(_SC_NPROCESSORS_ONLN)));
  /* The CPUs this process may run on: fewer than ncpus in a container or
   * under taskset, and what bounds useful GC threads. */
  json_object_set_new(o, "ncpus_allowed",
                      sched_getaffinity(0, sizeof set, &set) == 0
                          ? json_integer(CPU_COUNT(&set))
                          : json_null());
  json_object_set_new(o, "memory_bytes",
                      json_integer((json_int_t)sysconf(_SC_PHYS_PAGES) *
                                   sysconf(_SC_PAGESIZE)));
  json_object_set_new(o, "kernel", kernel());
  json_object_set_new(o, "topology", topology());
  json_object_set_new(
      o, "thp", thp_setting("/sys/kernel/mm/transparent_hugepage/enabled"));
  json_object_set_new(
      o, "thp_defrag",
      thp_setting("/sys/kernel/mm/transparent_hugepage/defrag"));
  json_object_set_new(
      o, "cpufreq_governor",
      file_string("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"));
  json_object_set_new(
      o, "cpufreq_max_khz",
      file_integer("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq"));
  json_object_set_new(o, "loadavg", loadavg());
  return o;
}
