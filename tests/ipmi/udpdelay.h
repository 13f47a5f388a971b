/*
 * udpdelay.h - a slow management LAN for tests/ipmi: a UDP relay on
 * 127.0.0.1 that forwards every datagram to a BMC and back, each way after
 * a fixed delay, and optionally lost, in a thread of the test. A slow BMC without netem (the
 * lab's kernel has none) and without touching the simulator.
 */
#ifndef HG_TEST_UDPDELAY_H
#define HG_TEST_UDPDELAY_H

/* Relays 127.0.0.1:(returned port) <-> 127.0.0.1:bmc_port, delay_ms each
 * way. The port, or -1. One relay per test program; it runs until exit. */
int udpdelay_start(unsigned bmc_port, unsigned delay_ms);

/* From now on each datagram, each way, is lost with this chance (per
 * mille), from a fixed pseudo-random sequence. */
void udpdelay_loss(unsigned permille);

#endif
