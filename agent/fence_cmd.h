/*
 * fence_cmd.h - `headguard fence` (see fence_cmd.c). Returns the exit code.
 */
#ifndef HG_FENCE_CMD_H
#define HG_FENCE_CMD_H

#include "agent/config.h"

int fence_cmd(const struct hg_config *cfg, const char *target, int yes, int dry);

#endif
