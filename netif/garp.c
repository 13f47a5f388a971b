/*
 * garp.c - gratuitous ARP, written by hand on an AF_PACKET socket.
 *
 * The frame is an ARP request in the RFC 5227 announcement form (the form
 * the kernel itself uses for arp_notify): sender IP = target IP = the VIP,
 * sender hardware address = the link's, target hardware address zero, sent
 * to the link's broadcast address. Requests rather than replies because
 * every ARP implementation updates its cache from a request that names an
 * address it already knows. docs/netif.md says why there is no library.
 *
 * The socket is SOCK_DGRAM, so the kernel writes the link-layer header for
 * the device (source address, ethertype, VLAN tag where the device adds
 * one). Hardware type and address length come from the link, which keeps
 * IPoIB (20-byte addresses) working as well as Ethernet.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/if_ether.h>
#include <sys/socket.h>
#include <linux/if_packet.h>
#include <netlink/addr.h>
#include <netlink/route/link.h>

#include "netif/internal.h"

#define GARP_HW_MAX	32	/* the kernel's MAX_ADDR_LEN */
#define GARP_IP_LEN	4
#define GARP_HDR_LEN	8	/* hrd, pro, hln, pln, op */

static void put16(uint8_t *p, unsigned int v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Writes the ARP packet into buf, returns its length. */
static size_t garp_build(uint8_t *buf, unsigned int hwtype, const uint8_t *hw,
			 size_t hwlen, const struct in_addr *ip)
{
	uint8_t *p = buf;

	put16(p, hwtype);
	put16(p + 2, ETHERTYPE_IP);
	p[4] = (uint8_t)hwlen;
	p[5] = GARP_IP_LEN;
	put16(p + 6, ARPOP_REQUEST);
	p += GARP_HDR_LEN;
	memcpy(p, hw, hwlen);			/* sender hardware address */
	p += hwlen;
	memcpy(p, &ip->s_addr, GARP_IP_LEN);	/* sender IP */
	p += GARP_IP_LEN;
	memset(p, 0, hwlen);			/* target hardware address */
	p += hwlen;
	memcpy(p, &ip->s_addr, GARP_IP_LEN);	/* target IP = sender IP */
	p += GARP_IP_LEN;
	return (size_t)(p - buf);
}

int nif_garp_send(struct nif *n, const char *ifname, const char *addr)
{
	uint8_t frame[GARP_HDR_LEN + 2 * (GARP_HW_MAX + GARP_IP_LEN)];
	/* sll_addr holds 8 bytes; longer addresses run on into the pad. */
	union {
		struct sockaddr_ll ll;
		uint8_t raw[sizeof(struct sockaddr_ll) + GARP_HW_MAX];
	} to;
	struct rtnl_link *link = NULL;
	struct nl_addr *hw, *bcast;
	struct in_addr ip;
	size_t hwlen, len;
	socklen_t tolen;
	ssize_t sent;
	int err;

	err = nif_parse_ip4(addr, &ip);
	if (!err)
		err = nif_link_get(n, ifname, &link);
	if (err)
		goto out;
	hw = rtnl_link_get_addr(link);
	bcast = rtnl_link_get_broadcast(link);
	hwlen = hw ? nl_addr_get_len(hw) : 0;
	err = -EOPNOTSUPP;
	if ((rtnl_link_get_flags(link) & IFF_NOARP) || hwlen == 0 ||
	    hwlen > GARP_HW_MAX || !bcast || nl_addr_get_len(bcast) != hwlen)
		goto out;

	len = garp_build(frame, rtnl_link_get_arptype(link),
			 nl_addr_get_binary_addr(hw), hwlen, &ip);
	memset(&to, 0, sizeof(to));
	to.ll.sll_family = AF_PACKET;
	to.ll.sll_protocol = htons(ETH_P_ARP);
	to.ll.sll_ifindex = rtnl_link_get_ifindex(link);
	to.ll.sll_halen = (unsigned char)hwlen;
	memcpy(to.raw + offsetof(struct sockaddr_ll, sll_addr),
	       nl_addr_get_binary_addr(bcast), hwlen);
	tolen = sizeof(to.ll);
	if (offsetof(struct sockaddr_ll, sll_addr) + hwlen > tolen)
		tolen = offsetof(struct sockaddr_ll, sll_addr) + hwlen;

	sent = sendto(n->pkt, frame, len, 0, (struct sockaddr *)&to, tolen);
	if (sent < 0)
		err = errno == EWOULDBLOCK ? -EAGAIN : -errno;
	else
		err = (size_t)sent == len ? 0 : -EIO;
out:
	rtnl_link_put(link);
	return err;
}
