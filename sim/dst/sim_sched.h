/*
 * sim_sched.h - recorded schedules (docs/simulation.md "Schedules"): the
 * configuration a seed drew and the fault records of its run, as a
 * versioned, line-oriented text file that hg-dst replays exactly.
 *
 *   hg-dst schedule v1
 *   config seed=1727 duration_ms=120000 lans=2 services=1 ... bmc_ms=120
 *   service 0 check_interval=900 restarts=2 window=30000 backoff=100 ready=1
 *   node a wdt_ms=4000
 *   node b wdt_ms=9000
 *   0 boot node=a
 *   2145 lan-loss lan=1 pm=677
 *   8000 probe end=12513
 *
 * '#' starts a comment line; blank lines are skipped. The header (one
 * config line, one service line per service, one node line per node) comes
 * before the records. A record is "TIME KIND key=value ...": its keys are
 * the fields and arguments of the kind's row in sim_fault_kinds[], every
 * one required, none repeated, each bounds-checked; times never go back.
 */
#ifndef SIM_SCHED_H
#define SIM_SCHED_H

#include <stddef.h>
#include <stdio.h>

#include "sim_run.h"

#define SIM_SCHED_MAGIC    "hg-dst schedule v1"
#define SIM_SCHED_MAX_LINE 4096
#define SIM_SCHED_MAX_RECS (1u << 20)

struct sim_sched {
	struct sim_config cfg;
	struct sim_fault *f;      /* records in file order */
	size_t n, cap;
};

/* Write the magic line and the header. Returns 0, or -1 on a write error. */
int  sim_sched_write_header(FILE *out, const struct sim_config *c);
/* Write one record line. Returns 0, or -1 on a write error. */
int  sim_sched_write_fault(FILE *out, const struct sim_fault *f);

/* Read a schedule from `path`. Returns 0, or -1 with a message naming the
 * file and line in err (the schedule is then empty). Everything in the file
 * is untrusted input: nothing is used before it has been checked. */
int  sim_sched_load(const char *path, struct sim_sched *s, char *err, size_t errlen);
void sim_sched_free(struct sim_sched *s);

#endif
