/*
 * test_nif.c - netif/ against the real kernel, in a network namespace of
 * its own (unshare at the start of main): nothing outlives the process.
 *
 * Each section exercises one group of nif.h. The expectations are checked
 * with the kernel's own interfaces (ioctl, getifaddrs, `ip`, a packet
 * capture), not with netif's answers alone, so a broken netif fails here.
 */
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include "check.h"
#include "netif/nif.h"

#define VIP	"192.0.2.10"
#define PRIMARY	"192.0.2.11"

static int process_errors;	/* nif_process() < 0 anywhere: must stay 0 */

static void on_alarm(int sig)
{
	static const char msg[] = "test_nif: timed out (a call blocked?)\n";

	(void)!write(2, msg, sizeof(msg) - 1);
	_exit(2);
}

static int sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	if (rc != 0)
		fprintf(stderr, "command failed (%d): %s\n", rc, cmd);
	return rc;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * Feeds link events to n until nif_link_up(ifname) == want and at least
 * min_changes changes were reported, or 10 s pass. Returns the last answer
 * of nif_link_up(); *changes (if given) gets the changes seen.
 *
 * The deadline is generous because carrier changes reach netlink through
 * the kernel's linkwatch work, which needs the global RTNL lock: on a busy
 * host (other namespaces being torn down) it can lag by seconds.
 */
static int pump(struct nif *n, const char *ifname, int want, int min_changes,
		int *changes)
{
	struct pollfd p = { .fd = nif_fd(n), .events = POLLIN };
	long long deadline = now_ms() + 10000;
	int total = 0, up, r;

	for (;;) {
		up = nif_link_up(n, ifname);
		if ((up == want && total >= min_changes) || now_ms() > deadline)
			break;
		poll(&p, 1, 50);
		r = nif_process(n);
		if (r < 0) {
			fprintf(stderr, "nif_process: %s\n", strerror(-r));
			process_errors++;
		} else {
			total += r;
		}
	}
	if (up != want) {
		fprintf(stderr, "pump: %s still %d, wanted %d; kernel says:\n",
			ifname, up, want);
		sh("ip -o link show %s", ifname);
	}
	if (changes)
		*changes = total;
	return up;
}

/* Processes events until none came for quiet_ms (10 s at most). */
static void settle(struct nif *n, int quiet_ms)
{
	struct pollfd p = { .fd = nif_fd(n), .events = POLLIN };
	long long deadline = now_ms() + 10000;

	while (now_ms() < deadline && poll(&p, 1, quiet_ms) > 0)
		if (nif_process(n) < 0)
			process_errors++;
}

static int admin_up(const char *ifname)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM, 0), rc;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	rc = ioctl(fd, SIOCGIFFLAGS, &ifr);
	close(fd);
	return rc < 0 ? -1 : !!(ifr.ifr_flags & IFF_UP);
}

static int hwaddr(const char *ifname, uint8_t mac[6])
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM, 0), rc;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	rc = ioctl(fd, SIOCGIFHWADDR, &ifr);
	close(fd);
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return rc;
}

/* How many times ip sits on ifname, as getifaddrs(3) sees it. */
static int count_addr(const char *ifname, const char *ip)
{
	struct ifaddrs *ifa, *i;
	char buf[INET_ADDRSTRLEN];
	int count = 0;

	if (getifaddrs(&ifa) < 0)
		return -1;
	for (i = ifa; i; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET ||
		    strcmp(i->ifa_name, ifname) != 0)
			continue;
		inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr,
			  buf, sizeof(buf));
		count += strcmp(buf, ip) == 0;
	}
	freeifaddrs(ifa);
	return count;
}

/* 1 if `ip` lists ip/prefix on ifname as secondary, 0 if not, -1 if absent. */
static int is_secondary(const char *ifname, const char *ip_prefix)
{
	char cmd[128], line[512];
	int found = -1;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "ip -o -4 addr show dev %s", ifname);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, ip_prefix))
			found = strstr(line, " secondary") != NULL;
	pclose(f);
	return found;
}

/* Dropped messages the kernel counts for our event socket. */
static long netlink_drops(int fd)
{
	unsigned long ino, drops;
	char line[256];
	struct stat st;
	long found = -1;
	FILE *f;

	if (fstat(fd, &st) < 0 || !(f = fopen("/proc/net/netlink", "r")))
		return -1;
	/* sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode */
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %*s %*s %*s %*s %*s %*s %*s %lu %lu",
			   &drops, &ino) == 2 && ino == st.st_ino)
			found = (long)drops;
	fclose(f);
	return found;
}

static void test_open_and_fd(struct nif *n)
{
	long long t0;
	int fd = nif_fd(n);

	CHECK(fd >= 0);
	CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK);
	while (nif_process(n) > 0)
		;
	t0 = now_ms();
	CHECK_EQ(nif_process(n), 0);		/* nothing pending: no wait */
	CHECK(now_ms() - t0 < 50);
}

static void test_link_state(struct nif *n)
{
	int changes;

	sh("ip link add hgv0 type veth peer name hgv1");
	/* Watched state: a link nobody has processed yet is unknown. */
	CHECK_EQ(nif_link_up(n, "hgv0"), -ENODEV);
	sh("ip link set hgv0 up && ip link set hgv1 up");
	CHECK_EQ(pump(n, "hgv0", 1, 1, &changes), 1);
	CHECK(changes >= 1);

	/* Peer down: carrier lost here, seen only once processed. */
	sh("ip link set hgv1 down");
	CHECK_EQ(nif_link_up(n, "hgv0"), 1);
	CHECK_EQ(pump(n, "hgv0", 0, 1, &changes), 0);
	CHECK(changes >= 1);
	CHECK_EQ(admin_up("hgv0"), 1);		/* admin-up, no carrier */
	CHECK_EQ(nif_link_up(n, "hgv1"), 0);
	sh("ip link set hgv1 up");
	CHECK_EQ(pump(n, "hgv0", 1, 1, NULL), 1);

	/* Admin-down with the peer up is down too. */
	sh("ip link set hgv0 down");
	CHECK_EQ(pump(n, "hgv0", 0, 1, NULL), 0);
	sh("ip link set hgv0 up");
	CHECK_EQ(pump(n, "hgv0", 1, 1, NULL), 1);

	/*
	 * A bridge port: the bridge also announces its ports (AF_BRIDGE) on
	 * the link group; the answer must stay the port's own state.
	 */
	sh("ip link add hgbr0 type bridge && ip link add hgb0 type veth peer name hgb0p");
	sh("ip link set hgb0 master hgbr0 && ip link set hgbr0 up");
	sh("ip link set hgb0 up && ip link set hgb0p up");
	CHECK_EQ(pump(n, "hgb0", 1, 0, NULL), 1);
	CHECK_EQ(pump(n, "hgbr0", 1, 0, NULL), 1);
	sh("ip link set hgb0p down");
	CHECK_EQ(pump(n, "hgb0", 0, 0, NULL), 0);
	sh("ip link set hgb0p up");
	CHECK_EQ(pump(n, "hgb0", 1, 0, NULL), 1);
	sh("ip link set hgb0 down");
	CHECK_EQ(pump(n, "hgb0", 0, 0, NULL), 0);
	/* The port renamed: its old name must be gone. */
	sh("ip link set hgb0 name hgb9");
	CHECK_EQ(pump(n, "hgb9", 0, 0, NULL), 0);
	settle(n, 300);
	CHECK_EQ(nif_link_up(n, "hgb0"), -ENODEV);
	sh("ip link set hgb9 name hgb0");
	CHECK_EQ(pump(n, "hgb0", 0, 0, NULL), 0);
	sh("ip link set hgb0 nomaster");
	settle(n, 300);
	CHECK_EQ(nif_link_up(n, "hgb0"), 0);
	sh("ip link del hgb0");
	CHECK_EQ(pump(n, "hgb0", -ENODEV, 0, NULL), -ENODEV);
	settle(n, 300);
	CHECK_EQ(nif_link_up(n, "hgb0"), -ENODEV);

	/* Links come and go. */
	CHECK_EQ(nif_link_up(n, "nosuch0"), -ENODEV);
	sh("ip link add hgd0 type veth peer name hgd0p");
	CHECK_EQ(pump(n, "hgd0", 0, 1, NULL), 0);
	sh("ip link set hgd0 up && ip link set hgd0p up");
	CHECK_EQ(pump(n, "hgd0", 1, 1, NULL), 1);
	sh("ip link del hgd0");
	CHECK_EQ(pump(n, "hgd0", -ENODEV, 1, NULL), -ENODEV);
	CHECK_EQ(pump(n, "hgd0p", -ENODEV, 0, NULL), -ENODEV);
}

static void test_addr(struct nif *n)
{
	sh("ip addr add " PRIMARY "/24 dev hgv0");
	CHECK_EQ(nif_addr_present(n, "hgv0", VIP), 0);
	CHECK_EQ(nif_addr_add(n, "hgv0", VIP, 24), 0);
	CHECK_EQ(nif_addr_present(n, "hgv0", VIP), 1);
	CHECK_EQ(count_addr("hgv0", VIP), 1);
	/* Ours is the extra address; the primary stays primary. */
	CHECK_EQ(is_secondary("hgv0", VIP "/24"), 1);
	CHECK_EQ(is_secondary("hgv0", PRIMARY "/24"), 0);

	CHECK_EQ(nif_addr_add(n, "hgv0", VIP, 24), 0);	/* idempotent */
	CHECK_EQ(count_addr("hgv0", VIP), 1);

	/* Delete needs the prefix it was added with, like `ip addr del`. */
	CHECK_EQ(nif_addr_del(n, "hgv0", VIP, 32), 0);
	CHECK_EQ(nif_addr_present(n, "hgv0", VIP), 1);
	CHECK_EQ(nif_addr_del(n, "hgv0", VIP, 24), 0);
	CHECK_EQ(nif_addr_present(n, "hgv0", VIP), 0);
	CHECK_EQ(count_addr("hgv0", VIP), 0);
	CHECK_EQ(count_addr("hgv0", PRIMARY), 1);
	CHECK_EQ(nif_addr_del(n, "hgv0", VIP, 24), 0);	/* absent: 0 */

	/* A link the event stream has not delivered yet still works. */
	sh("ip link add hgd1 type veth peer name hgd1p");
	CHECK_EQ(nif_addr_add(n, "hgd1", VIP, 24), 0);
	CHECK_EQ(count_addr("hgd1", VIP), 1);
	CHECK_EQ(nif_addr_present(n, "hgd1", VIP), 1);
	CHECK_EQ(nif_addr_present(n, "hgv0", VIP), 0);	/* per link */
	CHECK_EQ(nif_addr_del(n, "hgd1", VIP, 24), 0);
	CHECK_EQ(count_addr("hgd1", VIP), 0);

	CHECK_EQ(nif_addr_add(n, "nosuch0", VIP, 24), -ENODEV);
	CHECK_EQ(nif_addr_del(n, "nosuch0", VIP, 24), -ENODEV);
	CHECK_EQ(nif_addr_present(n, "nosuch0", VIP), -ENODEV);
	CHECK_EQ(nif_addr_add(n, "hgv0", "192.0.2", 24), -EINVAL);
	CHECK_EQ(nif_addr_add(n, "hgv0", "2001:db8::1", 64), -EAFNOSUPPORT);
	CHECK_EQ(nif_addr_add(n, "hgv0", VIP, 33), -EINVAL);
	CHECK_EQ(nif_addr_add(n, "hgv0", VIP, -1), -EINVAL);
	CHECK_EQ(nif_addr_present(n, "hgv0", NULL), -EINVAL);
}

static void test_link_reset(struct nif *n)
{
	int changes;

	CHECK_EQ(nif_addr_add(n, "hgv0", VIP, 24), 0);
	CHECK_EQ(pump(n, "hgv0", 1, 0, NULL), 1);
	while (nif_process(n) > 0)
		;
	CHECK_EQ(nif_link_reset(n, "hgv0"), 0);
	CHECK_EQ(admin_up("hgv0"), 1);
	/* It went down and came back: the events say so. */
	CHECK_EQ(pump(n, "hgv0", 1, 2, &changes), 1);
	CHECK(changes >= 2);
	CHECK_EQ(nif_addr_present(n, "hgv0", VIP), 1);	/* survives */
	CHECK_EQ(nif_link_reset(n, "nosuch0"), -ENODEV);
}

static void test_garp(struct nif *n)
{
	struct sockaddr_ll ll = { .sll_family = AF_PACKET,
				  .sll_protocol = htons(ETH_P_ARP) };
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t zero[6] = { 0 };
	struct pollfd p = { .events = POLLIN };
	uint8_t mac[6], f[128];
	struct in_addr vip;
	long long deadline;
	ssize_t len = -1;
	int cap;

	inet_pton(AF_INET, VIP, &vip);
	CHECK_EQ(hwaddr("hgv0", mac), 0);
	CHECK_EQ(pump(n, "hgv0", 1, 0, NULL), 1);
	cap = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ARP));
	ll.sll_ifindex = (int)if_nametoindex("hgv1");
	CHECK(cap >= 0 && bind(cap, (struct sockaddr *)&ll, sizeof(ll)) == 0);

	CHECK_EQ(nif_garp_send(n, "hgv0", VIP), 0);
	p.fd = cap;
	for (deadline = now_ms() + 2000; now_ms() < deadline; len = -1) {
		if (poll(&p, 1, 100) <= 0)
			continue;
		len = recv(cap, f, sizeof(f), 0);
		/* Anything else the kernel says on the wire is not ours. */
		if (len >= 42 && memcmp(f + 28, &vip, 4) == 0)
			break;
	}
	CHECK(len >= 42);
	if (len >= 42) {
		CHECK(memcmp(f, bcast, 6) == 0);		/* to broadcast */
		CHECK(memcmp(f + 6, mac, 6) == 0);		/* from our MAC */
		CHECK_EQ(f[12] << 8 | f[13], ETH_P_ARP);
		CHECK_EQ(f[14] << 8 | f[15], 1);		/* Ethernet */
		CHECK_EQ(f[16] << 8 | f[17], ETH_P_IP);
		CHECK_EQ(f[18], 6);
		CHECK_EQ(f[19], 4);
		CHECK_EQ(f[20] << 8 | f[21], 1);		/* request */
		CHECK(memcmp(f + 22, mac, 6) == 0);		/* sender MAC */
		CHECK(memcmp(f + 28, &vip, 4) == 0);		/* sender IP */
		CHECK(memcmp(f + 32, zero, 6) == 0);		/* target MAC */
		CHECK(memcmp(f + 38, &vip, 4) == 0);		/* target IP */
	}
	close(cap);

	CHECK_EQ(nif_garp_send(n, "nosuch0", VIP), -ENODEV);
	CHECK_EQ(nif_garp_send(n, "hgv0", "not-an-ip"), -EINVAL);
	sh("ip link add hgd2 type veth peer name hgd2p");
	CHECK_EQ(nif_garp_send(n, "hgd2", VIP), -ENETDOWN);
	sh("ip link set hgd2 arp off up && ip link set hgd2p up");
	CHECK_EQ(pump(n, "hgd2", 1, 0, NULL), 1);
	CHECK_EQ(nif_garp_send(n, "hgd2", VIP), -EOPNOTSUPP);
}

/*
 * Overrun: with a tiny receive buffer the kernel drops link events. The
 * table must end up exact anyway, and the old events still queued must not
 * roll hgv1 back to "down" after the re-read.
 */
static void test_overrun(struct nif *n)
{
	int fd = nif_fd(n), small = 1, big = 256 * 1024, i;
	char name[IFNAMSIZ];

	while (nif_process(n) > 0)
		;
	CHECK_EQ(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)), 0);
	sh("ip link set hgv1 down");
	usleep(200 * 1000);
	sh("for i in $(seq 1 30); do ip link add hgo$i type veth peer name hgp$i; done");
	sh("ip link set hgv1 up");
	usleep(300 * 1000);
	CHECK(netlink_drops(fd) > 0);	/* the overrun really happened */

	CHECK_EQ(pump(n, "hgp30", 0, 0, NULL), 0);
	for (i = 1; i <= 30; i++) {
		snprintf(name, sizeof(name), "hgo%d", i);
		CHECK_EQ(nif_link_up(n, name), 0);
	}
	CHECK_EQ(pump(n, "hgv1", 1, 0, NULL), 1);
	CHECK_EQ(pump(n, "hgv0", 1, 0, NULL), 1);
	/* Whatever is still queued must not take them back down. */
	settle(n, 300);
	CHECK_EQ(nif_link_up(n, "hgv1"), 1);
	CHECK_EQ(nif_link_up(n, "hgv0"), 1);

	CHECK_EQ(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big)), 0);
	sh("for i in $(seq 1 30); do ip link del hgo$i; done");
	CHECK_EQ(pump(n, "hgo30", -ENODEV, 0, NULL), -ENODEV);
	CHECK_EQ(nif_link_up(n, "hgo1"), -ENODEV);
}

static void test_bad_names(struct nif *n)
{
	CHECK_EQ(nif_link_up(n, NULL), -EINVAL);
	CHECK_EQ(nif_link_up(n, ""), -EINVAL);
	CHECK_EQ(nif_link_up(n, "a-name-too-long-for-linux"), -EINVAL);
	CHECK_EQ(nif_addr_add(n, "", VIP, 24), -EINVAL);
	CHECK_EQ(nif_garp_send(n, NULL, VIP), -EINVAL);
	nif_close(NULL);
}

int main(void)
{
	struct nif *n = NULL;

	if (geteuid() != 0) {
		fprintf(stderr, "test_nif: needs root, skipped\n");
		return 77;
	}
	if (unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr, "unshare(CLONE_NEWNET): %s\n", strerror(errno));
		return 77;
	}
	setenv("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", 1);
	signal(SIGALRM, on_alarm);
	alarm(100);

	CHECK_EQ(nif_open(&n), 0);
	if (!n)
		return check_report();
	test_open_and_fd(n);
	test_link_state(n);
	test_addr(n);
	test_link_reset(n);
	test_garp(n);
	test_overrun(n);
	test_bad_names(n);
	CHECK_EQ(process_errors, 0);
	nif_close(n);
	return check_report();
}
