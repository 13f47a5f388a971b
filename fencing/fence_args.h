/*
 * fence_args.h - the fence-agents stdin protocol of hg-fence-ipmi: key=value
 * lines, as Debian's fence agents read them (docs/fencing.md). Split from
 * fence_ipmi_main.c so that it can be fuzzed (tests/fuzz/fuzz_fence_stdin.c).
 */
#ifndef HG_FENCE_ARGS_H
#define HG_FENCE_ARGS_H

#include <stdio.h>

struct fence_opts {
	char action[32];
	char ip[256];
	char user[64];
	char password[64];
	unsigned port;
	int cipher;
	int privilege;
	double power_timeout;	/* s, wait for the state after on/off */
	double power_wait;	/* s, pause after the command before polling */
	double delay;		/* s, before anything */
	int bad;		/* an option had an invalid value */
};

/* Reads every line of `in` into *o (which holds the defaults). Unknown keys
 * are warned about on stderr (the key only when it is a plain name: a stray
 * line might be a password); invalid values set o->bad. Lines are wiped
 * from memory once parsed. */
void fence_args_read(FILE *in, struct fence_opts *o);

#endif
