/*
 * peer.h - replay window and path liveness (internal to agent/core and its
 * tests). Paths are numbered lan*2 (UDP heartbeat) and lan*2+1 (ICMP echo).
 */
#ifndef HG_PEER_H
#define HG_PEER_H

#include "agent/core/core.h"

enum hg_replay {
	HG_REPLAY_REJECT,  /* old incarnation, too old, or seen: changes nothing */
	HG_REPLAY_OLD,     /* first sight of an older packet: liveness only */
	HG_REPLAY_NEW,     /* newest packet: liveness and the peer's state */
};

/* Checks (inc, seq) against the window and records it when accepted. */
enum hg_replay hg_replay_check(struct hg_peer *pr, uint64_t inc, uint64_t seq);

int hg_path_alive(const struct hg_peer *pr, int path, hg_ms now, uint32_t deadtime);
int hg_peer_any_path(const struct hg_peer *pr, int n_paths, hg_ms now,
		     uint32_t deadtime);
/* The newest time any path was heard. */
hg_ms hg_peer_silent_since(const struct hg_peer *pr, int n_paths);

#endif
