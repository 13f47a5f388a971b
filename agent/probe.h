/*
 * probe.h - the built-in probes behind `headguard probe` (see probe.c).
 */
#ifndef HG_PROBE_H
#define HG_PROBE_H

/* argv: the words after "probe". Returns the exit code: 0 healthy, 1 not, 2 usage. */
int probe_main(int argc, char **argv);

#endif
