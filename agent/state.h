/*
 * state.h - what the agent keeps across restarts in its state_dir: our own
 * incarnation and the newest incarnation heard from the peer (docs/protocol.md,
 * "Incarnations"). Each value is one decimal number and a newline in its own
 * file, replaced atomically: written to NAME.new, fsync'd, renamed over NAME,
 * and the directory fsync'd, so a power cut leaves the old or the new value.
 * Errors: 0 / -errno, with a message for the operator in err.
 */
#ifndef HG_STATE_H
#define HG_STATE_H

#include <stddef.h>
#include <stdint.h>

#define STATE_INCARNATION       "incarnation"
#define STATE_PEER_INCARNATION  "peer_incarnation"

/* Parses text (len bytes, not NUL-terminated) as one decimal number in
 * 1..UINT64_MAX followed by at most one newline. Anything else (empty,
 * signs, spaces, other bytes, overflow, zero) is -EINVAL. Pure. */
int state_parse(const char *text, size_t len, uint64_t *v);

/* Reads dir/name into *v. A missing file is -ENOENT; a file that does not
 * parse is -EINVAL (never taken as 0). */
int state_read(const char *dir, const char *name, uint64_t *v, char *err, size_t errlen);

/* Replaces dir/name with v durably (see above). Creates dir (0700) if
 * missing. */
int state_write(const char *dir, const char *name, uint64_t v, char *err, size_t errlen);

/* Our incarnation for this start: the persisted one plus one, persisted
 * before it is returned. With no file yet (first start, wiped state_dir)
 * the caller's seed is used (the daemon passes the wall clock's seconds so
 * that a wiped directory most likely still moves forward); the file, not
 * the clock, orders restarts. Any failure to read or persist is an error:
 * the daemon refuses to start. */
int state_next_incarnation(const char *dir, uint64_t seed, uint64_t *inc,
			   char *err, size_t errlen);

#endif
