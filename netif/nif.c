/*
 * nif.c - netlink side of netif/: sockets, the watched link table, link
 * reset, the error mapping. Addresses live in addr.c, gratuitous ARP in
 * garp.c.
 *
 * Two netlink sockets: `ev` only listens to RTNLGRP_LINK and is never used
 * for requests, so an event can never be mistaken for an answer (and the
 * daemon can poll it); `req` carries request/ack round trips and dumps.
 * Every function has one cleanup exit, and every libnl error goes through
 * nif_nlerr(), the only place NLE_* codes are known.
 */
#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/errno.h>
#include <netlink/socket.h>
#include <netlink/msg.h>
#include <netlink/cache.h>
#include <netlink/route/link.h>

#include "netif/internal.h"

/* Datagrams read per nif_process: bounds one loop turn under a storm. */
#define NIF_DRAIN_MAX	256
/* Room for a burst of link events (a bond and its VLANs flapping). */
#define NIF_EV_RCVBUF	(256 * 1024)

int nif_nlerr(int nlerr)
{
	switch (nlerr < 0 ? -nlerr : nlerr) {
	case NLE_SUCCESS:	return 0;
	case NLE_INTR:		return -EINTR;
	case NLE_BAD_SOCK:	return -EBADF;
	case NLE_AGAIN:		return -EAGAIN;
	/* libnl folds ENOBUFS (socket overrun) into NLE_NOMEM too. */
	case NLE_NOMEM:		return -ENOMEM;
	case NLE_EXIST:		return -EEXIST;
	case NLE_INVAL:
	case NLE_MISSING_ATTR:
	case NLE_ATTRSIZE:	return -EINVAL;
	case NLE_RANGE:		return -ERANGE;
	case NLE_MSGSIZE:
	case NLE_MSG_OVERFLOW:	return -EMSGSIZE;
	case NLE_OPNOTSUPP:	return -EOPNOTSUPP;
	case NLE_AF_NOSUPPORT:	return -EAFNOSUPPORT;
	case NLE_OBJ_NOTFOUND:	return -ENOENT;
	case NLE_NOADDR:	return -EADDRNOTAVAIL;
	case NLE_BUSY:		return -EBUSY;
	case NLE_PROTO_MISMATCH: return -EPROTONOSUPPORT;
	case NLE_NOACCESS:	return -EACCES;
	case NLE_PERM:		return -EPERM;
	case NLE_NODEV:		return -ENODEV;
	case NLE_IMMUTABLE:	return -EROFS;
	case NLE_DUMP_INTR:	return -EAGAIN;
	case NLE_FAILURE:	return -EIO;
	default:		return -EPROTO;	/* malformed or unexpected message */
	}
}

int nif_parse_ip4(const char *addr, struct in_addr *out)
{
	struct in6_addr six;

	if (!addr)
		return -EINVAL;
	if (inet_pton(AF_INET, addr, out) == 1)
		return 0;
	if (inet_pton(AF_INET6, addr, &six) == 1)
		return -EAFNOSUPPORT;
	return -EINVAL;
}

static int name_ok(const char *ifname)
{
	size_t len;

	if (!ifname)
		return -EINVAL;
	len = strnlen(ifname, IFNAMSIZ);
	return len == 0 || len >= IFNAMSIZ ? -EINVAL : 0;
}

int nif_link_get(struct nif *n, const char *ifname, struct rtnl_link **out)
{
	int err;

	*out = NULL;
	err = name_ok(ifname);
	if (err)
		return err;
	*out = rtnl_link_get_by_name(n->links, ifname);
	if (*out)
		return 0;
	/* Not seen yet (created since the last nif_process): ask the kernel. */
	err = nif_nlerr(rtnl_link_get_kernel(n->req, 0, ifname, out));
	if (err == -ENOENT)
		err = -ENODEV;
	return err;
}

static void link_changed(struct nl_cache *c, struct nl_object *obj,
			 int action, void *arg)
{
	struct nif *n = arg;

	n->changes++;
}

static void link_parsed(struct nl_object *obj, void *arg)
{
	struct nif *n = arg;

	if (strcmp(nl_object_get_type(obj), "route/link") == 0 &&
	    nl_cache_include(n->links, obj, link_changed, n) < 0)
		n->stale = 1;
}

static int ev_input(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct ifinfomsg ifi;

	if (nlmsg_datalen(h) < (int)sizeof(ifi))
		return NL_SKIP;
	memcpy(&ifi, nlmsg_data(h), sizeof(ifi));
	/*
	 * Bridges repeat their ports on this group as AF_BRIDGE messages,
	 * which libnl files as second objects under the port's name, never
	 * renamed with it. Only the kernel's family field tells them apart:
	 * libnl labels the bridge device itself AF_BRIDGE as well.
	 */
	if (ifi.ifi_family != AF_UNSPEC)
		return NL_SKIP;
	/* A message libnl cannot parse is skipped, not fatal to the batch. */
	if (nl_msg_parse(msg, link_parsed, arg) == -NLE_NOMEM)
		((struct nif *)arg)->stale = 1;
	return NL_OK;
}

int nif_open(struct nif **out)
{
	struct nif *n;
	int err = -ENOMEM;

	*out = NULL;
	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->pkt = -1;
	n->ev = nl_socket_alloc();
	n->req = nl_socket_alloc();
	if (!n->ev || !n->req)
		goto fail;

	nl_socket_disable_seq_check(n->ev);
	nl_socket_modify_cb(n->ev, NL_CB_VALID, NL_CB_CUSTOM, ev_input, n);
	/* Subscribe before the dump: a change racing it is then replayed. */
	err = nl_connect(n->ev, NETLINK_ROUTE);
	if (!err)
		err = nl_socket_add_membership(n->ev, RTNLGRP_LINK);
	if (!err)
		err = nl_socket_set_nonblocking(n->ev);
	if (!err)
		err = nl_socket_set_buffer_size(n->ev, NIF_EV_RCVBUF, 0);
	if (!err)
		err = nl_connect(n->req, NETLINK_ROUTE);
	if (!err)
		err = rtnl_link_alloc_cache(n->req, AF_UNSPEC, &n->links);
	err = nif_nlerr(err);
	if (err)
		goto fail;

	/* Protocol 0: send-only, so the kernel queues no ARP traffic to it. */
	n->pkt = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (n->pkt < 0) {
		err = -errno;
		goto fail;
	}
	*out = n;
	return 0;
fail:
	nif_close(n);
	return err;
}

void nif_close(struct nif *n)
{
	if (!n)
		return;
	if (n->pkt >= 0)
		close(n->pkt);
	nl_cache_free(n->links);
	nl_socket_free(n->ev);
	nl_socket_free(n->req);
	free(n);
}

int nif_fd(const struct nif *n)
{
	return nl_socket_get_fd(n->ev);
}

/*
 * After an overrun the queue still holds events older than what was lost;
 * replayed after the re-read they would roll links back to a stale state
 * that no later event corrects. So they are thrown away first.
 */
static void ev_discard(struct nif *n)
{
	int fd = nl_socket_get_fd(n->ev), i;

	for (i = 0; i < NIF_DRAIN_MAX; i++)
		if (recv(fd, NULL, 0, MSG_DONTWAIT | MSG_TRUNC) < 0 &&
		    (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
}

int nif_process(struct nif *n)
{
	struct nl_cb *cb = nl_socket_get_cb(n->ev);
	int i, err = 0;

	n->changes = 0;
	for (i = 0; i < NIF_DRAIN_MAX; i++) {
		err = nl_recvmsgs_report(n->ev, cb);
		if (err <= 0)
			break;
	}
	nl_cb_put(cb);
	if (err == -NLE_AGAIN)
		err = 0;
	if (err == -NLE_NOMEM) {	/* ENOBUFS: the kernel dropped events */
		ev_discard(n);
		n->stale = 1;
		err = 0;
	}
	/* Stays set if the re-read fails, so the next call tries again. */
	if (!err && n->stale) {
		err = nl_cache_resync(n->req, n->links, link_changed, n);
		if (!err)
			n->stale = 0;
	}
	err = nif_nlerr(err);
	return err ? err : n->changes;
}

int nif_link_up(struct nif *n, const char *ifname)
{
	struct rtnl_link *link;
	unsigned int flags;

	if (name_ok(ifname))
		return -EINVAL;
	link = rtnl_link_get_by_name(n->links, ifname);
	if (!link)
		return -ENODEV;
	flags = rtnl_link_get_flags(link);
	rtnl_link_put(link);
	return (flags & IFF_UP) && (flags & IFF_RUNNING);
}

static int set_admin(struct nif *n, struct rtnl_link *link, int up)
{
	struct rtnl_link *change = rtnl_link_alloc();
	int err;

	if (!change)
		return -ENOMEM;
	if (up)
		rtnl_link_set_flags(change, IFF_UP);
	else
		rtnl_link_unset_flags(change, IFF_UP);
	err = nif_nlerr(rtnl_link_change(n->req, link, change, 0));
	rtnl_link_put(change);
	return err;
}

int nif_link_reset(struct nif *n, const char *ifname)
{
	struct rtnl_link *link;
	int err;

	err = nif_link_get(n, ifname, &link);
	if (err)
		return err;
	err = set_admin(n, link, 0);
	if (!err)
		err = set_admin(n, link, 1);
	rtnl_link_put(link);
	return err;
}
