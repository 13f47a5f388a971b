/*
 * addr.c - virtual IP addresses: add, delete, presence. IPv4 only.
 *
 * Adds and deletes are one request/ack round trip on the request socket;
 * presence is one address dump, so it is exact right after a change (the
 * event socket does not watch addresses).
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <netlink/netlink.h>
#include <netlink/addr.h>
#include <netlink/cache.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>

#include "netif/internal.h"

/* An rtnl_addr for addr/prefix on ifname, ready for a request. */
static int addr_new(struct nif *n, const char *ifname, const char *addr,
		    int prefix, struct rtnl_addr **out)
{
	struct rtnl_link *link = NULL;
	struct nl_addr *local = NULL;
	struct rtnl_addr *a = NULL;
	struct in_addr ip;
	int err;

	*out = NULL;
	err = nif_parse_ip4(addr, &ip);
	if (!err && (prefix < 0 || prefix > 32))
		err = -EINVAL;
	if (!err)
		err = nif_link_get(n, ifname, &link);
	if (err)
		goto out;
	err = -ENOMEM;
	local = nl_addr_build(AF_INET, &ip, sizeof(ip));
	a = rtnl_addr_alloc();
	if (!local || !a)
		goto out;
	nl_addr_set_prefixlen(local, prefix);
	rtnl_addr_set_ifindex(a, rtnl_link_get_ifindex(link));
	rtnl_addr_set_family(a, AF_INET);
	err = nif_nlerr(rtnl_addr_set_local(a, local));
	if (err)
		goto out;
	rtnl_addr_set_prefixlen(a, prefix);
	*out = a;
	a = NULL;
out:
	rtnl_addr_put(a);
	nl_addr_put(local);
	rtnl_link_put(link);
	return err;
}

int nif_addr_add(struct nif *n, const char *ifname, const char *addr, int prefix)
{
	struct rtnl_addr *a;
	int err;

	err = addr_new(n, ifname, addr, prefix, &a);
	if (err)
		return err;
	/* EXCL, never REPLACE: the link's own addresses are not ours to touch. */
	err = nif_nlerr(rtnl_addr_add(n->req, a, NLM_F_CREATE | NLM_F_EXCL));
	rtnl_addr_put(a);
	return err == -EEXIST ? 0 : err;
}

int nif_addr_del(struct nif *n, const char *ifname, const char *addr, int prefix)
{
	struct rtnl_addr *a;
	int err;

	err = addr_new(n, ifname, addr, prefix, &a);
	if (err)
		return err;
	err = nif_nlerr(rtnl_addr_delete(n->req, a, 0));
	rtnl_addr_put(a);
	return err == -EADDRNOTAVAIL ? 0 : err;
}

struct addr_match {
	int ifindex;
	struct in_addr ip;
	int found;
};

static void addr_match_one(struct nl_object *obj, void *arg)
{
	struct rtnl_addr *a = (struct rtnl_addr *)obj;
	struct addr_match *m = arg;
	struct nl_addr *local;

	if (rtnl_addr_get_ifindex(a) != m->ifindex ||
	    rtnl_addr_get_family(a) != AF_INET)
		return;
	local = rtnl_addr_get_local(a);
	/* Compare the bytes only: nl_addr_cmp() also compares prefixes. */
	if (local && nl_addr_get_len(local) == sizeof(m->ip) &&
	    memcmp(nl_addr_get_binary_addr(local), &m->ip, sizeof(m->ip)) == 0)
		m->found = 1;
}

int nif_addr_present(struct nif *n, const char *ifname, const char *addr)
{
	struct rtnl_link *link = NULL;
	struct nl_cache *addrs = NULL;
	struct addr_match m = { 0 };
	int err;

	err = nif_parse_ip4(addr, &m.ip);
	if (!err)
		err = nif_link_get(n, ifname, &link);
	if (err)
		goto out;
	m.ifindex = rtnl_link_get_ifindex(link);
	err = nif_nlerr(rtnl_addr_alloc_cache(n->req, &addrs));
	if (err)
		goto out;
	nl_cache_foreach(addrs, addr_match_one, &m);
	err = m.found;
out:
	nl_cache_free(addrs);
	rtnl_link_put(link);
	return err;
}
