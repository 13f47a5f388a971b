/*
 * sim_fence.h - the simulated fence device (a BMC reached over the
 * management LAN, as fencing/ drives it): power off, then read the power back.
 * It can be slow, fail, answer "unknown" (the power-off may or may not have
 * happened) or answer late, after the shell already reported a timeout.
 */
#ifndef SIM_FENCE_H
#define SIM_FENCE_H

#include "sim_world.h"

/* Node i's core asked to fence its peer (generation gen), the silence
 * having begun at since: the native level's check first (hg_bmc_alive_since). */
void sim_fence_request(struct sim_world *w, int i, uint64_t gen, hg_ms since);
/* A fence answer is about to reach node i: settles a CONFIRMED that depends
 * on the power read back at answer time, and notes the evidence for the
 * checks. Returns -1 if the answer is not delivered at all. */
int  sim_fence_answer(struct sim_world *w, int i, struct hg_event *ev);
const char *sim_fence_mode_name(enum sim_fence_mode m);
extern const char *const sim_fence_mode_names[SIM_FD_COUNT + 1];

#endif
