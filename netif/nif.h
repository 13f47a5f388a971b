/*
 * nif.h - the host's network interfaces as headguard needs them: virtual IP
 * addresses, link state and carrier, gratuitous ARP. Built on libnl-3
 * (docs/netif.md says why, and why the ARP frame is hand-built).
 *
 * Error convention, every function: 0 (or the documented non-negative
 * value) on success, -errno on failure. libnl's own NLE_* codes never leave
 * this module.
 *
 * Addresses are IPv4 dotted quads without a prefix ("192.0.2.10"); an IPv6
 * string gives -EAFNOSUPPORT, anything else -EINVAL. Interface names are
 * kernel names (< IFNAMSIZ); an empty or too long name gives -EINVAL.
 *
 * Every call returns quickly so it can sit on the heartbeat loop: at most
 * one netlink request/ack round trip (or one address dump), never a sleep,
 * never a read that waits for data. One struct nif belongs to one thread.
 */
#ifndef HG_NETIF_NIF_H
#define HG_NETIF_NIF_H

struct nif;	/* opaque */

/*
 * Opens the netlink sockets, subscribes to link events (RTNLGRP_LINK), reads
 * the current link table once and opens the packet socket used for ARP.
 * Needs CAP_NET_ADMIN and CAP_NET_RAW. *out is NULL on failure.
 */
int nif_open(struct nif **out);

/* Releases everything nif_open took. NULL is accepted. */
void nif_close(struct nif *n);

/*
 * The link event socket. It is non-blocking: poll() it for POLLIN, then call
 * nif_process(). Valid until nif_close().
 */
int nif_fd(const struct nif *n);

/*
 * Applies pending link events to the watched link table without blocking.
 * Returns how many links were added, changed or removed (0 when nothing was
 * pending), or -errno. Drains at most a bounded batch per call, so under an
 * event storm the fd stays readable and the next loop turn continues. If
 * the kernel dropped events (socket overrun) the table is re-read from the
 * kernel, so the state stays exact; that costs one dump round trip. After
 * a negative return the table may be stale: call again on the next loop
 * turn even if the fd is quiet, the re-read is retried.
 */
int nif_process(struct nif *n);

/*
 * 1 if the link is admin-up and running (IFF_UP and IFF_RUNNING: carrier
 * present and operational), 0 if not, -ENODEV if no such link is known.
 * Answers from the watched table, no system call: it is as fresh as the
 * last nif_process().
 */
int nif_link_up(struct nif *n, const char *ifname);

/*
 * Adds addr/prefix (prefix 0..32) to ifname. The request never replaces an
 * existing address (no NLM_F_REPLACE): on a link that already has an
 * address in the same subnet the kernel files ours as secondary, and the
 * primary is left alone. Already present with that prefix: 0.
 * -ENODEV: no such link.
 */
int nif_addr_add(struct nif *n, const char *ifname, const char *addr, int prefix);

/*
 * Removes addr/prefix from ifname. The prefix must be the one it was added
 * with, as for `ip addr del`. Not present (with that prefix): 0.
 * -ENODEV: no such link.
 */
int nif_addr_del(struct nif *n, const char *ifname, const char *addr, int prefix);

/*
 * 1 if ifname carries addr (whatever its prefix), 0 if not, -errno.
 * Asks the kernel (one address dump), so it is exact right after
 * nif_addr_add()/nif_addr_del(). -ENODEV: no such link.
 */
int nif_addr_present(struct nif *n, const char *ifname, const char *addr);

/*
 * Self-repair: sets the link admin-down, then admin-up (two round trips).
 * Returns once the link is admin-up again; carrier comes back later and is
 * reported through nif_process(). IPv4 addresses survive the bounce. If the
 * down step fails nothing changed; if the up step fails the link is left
 * down and that error is returned.
 */
int nif_link_reset(struct nif *n, const char *ifname);

/*
 * Sends one gratuitous ARP for addr out of ifname: an ARP request (RFC 5227
 * announcement form) with sender IP = target IP = addr, sender hardware
 * address = the link's address, target hardware address zero, to the link's
 * broadcast address. Does not check that addr is configured. Never waits:
 * -EAGAIN if the device queue is full, -ENETDOWN if the link is admin-down,
 * -EOPNOTSUPP if the link does not do ARP (IFF_NOARP, no hardware address).
 */
int nif_garp_send(struct nif *n, const char *ifname, const char *addr);

#endif
