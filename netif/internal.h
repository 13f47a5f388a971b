/*
 * internal.h - shared between the files of netif/ only; not part of the
 * module's interface (that is nif.h).
 */
#ifndef HG_NETIF_INTERNAL_H
#define HG_NETIF_INTERNAL_H

#include <netinet/in.h>
#include <netlink/route/link.h>

#include "netif/nif.h"

struct nif {
	struct nl_sock  *ev;      /* RTNLGRP_LINK subscriber, non-blocking */
	struct nl_sock  *req;     /* requests and dumps, blocking round trips */
	struct nl_cache *links;   /* watched link table, moved by nif_process */
	int              pkt;     /* AF_PACKET, send-only, for gratuitous ARP */
	int              changes; /* link changes seen by the current nif_process */
	int              stale;   /* events were lost: re-read the link table */
};

/* The one place where libnl's NLE_* codes become -errno. */
int nif_nlerr(int nlerr);

/* "192.0.2.10" -> *out. -EINVAL, or -EAFNOSUPPORT for an IPv6 string. */
int nif_parse_ip4(const char *addr, struct in_addr *out);

/*
 * The link named ifname, from the watched table or, if the table has not
 * seen it yet, from the kernel. The caller owns a reference: drop it with
 * rtnl_link_put(). -EINVAL for a bad name, -ENODEV if there is no such link.
 */
int nif_link_get(struct nif *n, const char *ifname, struct rtnl_link **out);

#endif
