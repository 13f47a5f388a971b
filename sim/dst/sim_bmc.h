/*
 * sim_bmc.h - the simulated BMCs (docs/simulation.md "BMCs"): each node's
 * power, hardware watchdog and worst sensor, as the core reads them through
 * HG_ACT_BMC_POLL (and the shell's own periodic poll of its BMC). A BMC can
 * be unreachable, slow, or answer like ipmi_sim (a truncated watchdog
 * reply: no usable countdown). A watchdog that is not reset within its
 * timeout powers its node off.
 */
#ifndef SIM_BMC_H
#define SIM_BMC_H

#include "sim_world.h"

/* Node i's core asks about BMC who (0 own, 1 the peer's). */
void sim_bmc_poll(struct sim_world *w, int i, int who);
/* What node target's BMC says now to a session that reaches it. */
struct hg_bmc_report sim_bmc_report(const struct sim_world *w, int target);
/* A BMC request of node i through its management port is lost now
 * (own: a request about its own BMC, which takes that port only with
 * own_lan). Draws from the world's generator. */
int sim_mgmt_lost(struct sim_world *w, int i, int own);

/* Node i's core resets its own watchdog. */
void sim_bmc_pet(struct sim_world *w, int i);
/* Watchdogs that expired at `now` power their node off; the shell's own
 * periodic poll of its BMC. Called by sim_run before each item. */
void sim_bmc_tick(struct sim_world *w);
/* The next time a watchdog would fire or a shell poll is due. */
hg_ms sim_bmc_next(const struct sim_world *w);

#endif
