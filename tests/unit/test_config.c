/*
 * test_config.c - hg_config_parse(): the lab configuration gives exactly the
 * expected struct, every class of mistake gives its line and names its key,
 * and the parse is reentrant.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "agent/config.h"

/* The lab of DESIGN.md ("sim/lab"), as node a and node b would both use it.
 * Node b lists its links in another order than the [lan] sections, and one
 * [lan] comes after the nodes: order must not matter. */
static const char lab_conf[] =
	"# headguard on the lab (sim/lab), identical on both head nodes\n"
	"[cluster]\n"
	"name = lab\n"
	"key_file = /etc/headguard/key\n"
	"interval_ms = 100\n"
	"deadtime_ms = 300          ; 3 heartbeats\n"
	"failback = auto\n"
	"gateway = 192.0.2.1\n"
	"vip = 192.0.2.10/24 public\n"
	"\n"
	"[lan public]\n"
	"[lan cluster]\n"
	"\n"
	"[node a]\n"
	"    id = 1\n"
	"    priority = 200\n"
	"    link = public pub0 192.0.2.11\n"
	"    link = cluster clu0 198.51.100.11\n"
	"    link = mgmt mgt0 203.0.113.11\n"
	"    fence = /usr/sbin/fence_ipmilan ip=203.0.113.21 username=ADMIN lanplus=1 "
	"cipher=3 password_file=/etc/headguard/bmc-a.pass timeout_ms=4000\n"
	"\n"
	"[node b]\n"
	"    id = 2\n"
	"    link = mgmt mgt0 203.0.113.12\n"
	"    link = public pub0 192.0.2.12\n"
	"    link = cluster clu0 198.51.100.12\n"
	"    fence = /usr/sbin/fence_ipmilan ip=203.0.113.22 username=ADMIN lanplus=1 "
	"cipher=3 password_file=/etc/headguard/bmc-b.pass\n"
	"\n"
	"[lan mgmt]\n"
	"heartbeat = yes\n"
	"\n"
	"[service demo]\n"
	"start = /usr/lib/headguard/demo start\n"
	"stop = /usr/lib/headguard/demo stop\n"
	"check = /usr/lib/headguard/demo check\n"
	"check_interval_ms = 1000\n";

static void test_lab(void)
{
	struct hg_config c;
	char err[256] = "x";
	int r = hg_config_parse(lab_conf, "a", &c, err, sizeof(err));

	CHECK_EQ(r, 0);
	CHECK_STR(err, "");
	CHECK_STR(c.cluster, "lab");
	CHECK_STR(c.key_file, "/etc/headguard/key");
	CHECK_STR(c.control_socket, "/run/headguard/headguard.sock");
	CHECK_STR(c.state_dir, "/var/lib/headguard");
	CHECK_STR(c.log_file, "");
	CHECK_EQ(c.port, 694);
	CHECK_EQ(c.interval_ms, 100);
	CHECK_EQ(c.deadtime_ms, 300);
	CHECK_EQ(c.wait_for_peer_ms, 3000);
	CHECK_EQ(c.fence_delay_ms, 3000);
	CHECK_EQ(c.fence_retry_ms, 1000);
	CHECK_EQ(c.failback, HG_FAILBACK_AUTO);
	CHECK_EQ(c.failback_holddown_ms, 10000);
	CHECK_STR(c.gateway, "192.0.2.1");
	CHECK_EQ(c.gateway_timeout_ms, 2000);
	CHECK_EQ(c.garp_count, 5);
	CHECK_EQ(c.garp_interval_ms, 50);
	CHECK_EQ(c.garp_refresh_ms, 10000);

	CHECK_EQ(c.n_lans, 3);
	CHECK_STR(c.lan[0].name, "public");
	CHECK_STR(c.lan[1].name, "cluster");
	CHECK_STR(c.lan[2].name, "mgmt");
	CHECK(c.lan[0].heartbeat && c.lan[1].heartbeat && c.lan[2].heartbeat);
	CHECK_EQ(c.public_lan, 0);

	CHECK_EQ(c.n_vips, 1);
	CHECK_STR(c.vip[0].addr, "192.0.2.10");
	CHECK_EQ(c.vip[0].prefix, 24);
	CHECK_STR(c.vip[0].lan, "public");
	CHECK_EQ(c.vip[0].lan_index, 0);

	CHECK_EQ(c.n_services, 1);
	CHECK_STR(c.service[0].name, "demo");
	CHECK_STR(c.service[0].start, "/usr/lib/headguard/demo start");
	CHECK_STR(c.service[0].stop, "/usr/lib/headguard/demo stop");
	CHECK_STR(c.service[0].check, "/usr/lib/headguard/demo check");
	CHECK_EQ(c.service[0].timeout_ms, 10000);
	CHECK_EQ(c.service[0].check_interval_ms, 1000);
	CHECK_EQ(c.service[0].restarts, 3);

	CHECK_STR(c.node[0].name, "a");
	CHECK_EQ(c.node[0].id, 1);
	CHECK_EQ(c.node[0].priority, 200);
	CHECK_STR(c.node[1].name, "b");
	CHECK_EQ(c.node[1].id, 2);
	CHECK_EQ(c.node[1].priority, 100);
	/* link[] is indexed like lan[], whatever the order in the file */
	CHECK_STR(c.node[0].link[0].ifname, "pub0");
	CHECK_STR(c.node[0].link[0].addr, "192.0.2.11");
	CHECK_STR(c.node[0].link[1].ifname, "clu0");
	CHECK_STR(c.node[0].link[1].addr, "198.51.100.11");
	CHECK_STR(c.node[0].link[2].ifname, "mgt0");
	CHECK_STR(c.node[0].link[2].addr, "203.0.113.11");
	CHECK_STR(c.node[1].link[0].addr, "192.0.2.12");
	CHECK_STR(c.node[1].link[1].addr, "198.51.100.12");
	CHECK_STR(c.node[1].link[2].addr, "203.0.113.12");
	CHECK_STR(c.node[0].link[3].ifname, "");

	CHECK_EQ(c.node[0].n_levels, 1);
	CHECK_STR(c.node[0].level[0].agent, "/usr/sbin/fence_ipmilan");
	CHECK_STR(c.node[0].level[0].args,
		  "ip=203.0.113.21\nusername=ADMIN\nlanplus=1\ncipher=3");
	CHECK_STR(c.node[0].level[0].password_file, "/etc/headguard/bmc-a.pass");
	CHECK_EQ(c.node[0].level[0].timeout_ms, 4000);
	CHECK_EQ(c.node[1].n_levels, 1);
	CHECK_STR(c.node[1].level[0].args,
		  "ip=203.0.113.22\nusername=ADMIN\nlanplus=1\ncipher=3");
	CHECK_EQ(c.node[1].level[0].timeout_ms, 5000);

	CHECK_EQ(c.self, 0);
	CHECK_EQ(c.peer, 1);
}

/* The two examples of docs/configuration.md, verbatim: they must stay valid. */
static const char doc_lab[] =
	"[cluster]\n"
	"name = lab\n"
	"key_file = /run/headguard-lab/key\n"
	"interval_ms = 100\n"
	"deadtime_ms = 300\n"
	"wait_for_peer_ms = 3000\n"
	"fence_delay_ms = 2000\n"
	"failback = auto\n"
	"failback_holddown_ms = 5000\n"
	"gateway = 192.0.2.1\n"
	"gateway_timeout_ms = 1000\n"
	"garp_count = 3\n"
	"garp_interval_ms = 50\n"
	"garp_refresh_ms = 5000\n"
	"control_socket = /run/headguard-lab/a/ctl.sock\n"
	"state_dir = /run/headguard-lab/a/state\n"
	"log_file = /run/headguard-lab/a/agent.log\n"
	"vip = 192.0.2.10/24 public\n"
	"\n"
	"[lan public]\n"
	"[lan cluster]\n"
	"[lan management]\n"
	"\n"
	"[node a]\n"
	"id = 1\n"
	"priority = 200\n"
	"link = public pub0 192.0.2.11\n"
	"link = cluster clu0 198.51.100.11\n"
	"link = management mgmt0 203.0.113.11\n"
	"fence = /src/headguard/build/fencing/hg-fence-ipmi ip=203.0.113.21 username=ADMIN lanplus=1 cipher=3 password_file=/run/headguard-lab/bmc-a.pass timeout_ms=3000\n"
	"\n"
	"[node b]\n"
	"id = 2\n"
	"priority = 100\n"
	"link = public pub0 192.0.2.12\n"
	"link = cluster clu0 198.51.100.12\n"
	"link = management mgmt0 203.0.113.12\n"
	"fence = /src/headguard/build/fencing/hg-fence-ipmi ip=203.0.113.22 username=ADMIN lanplus=1 cipher=3 password_file=/run/headguard-lab/bmc-b.pass timeout_ms=3000\n"
	"\n"
	"[service demo]\n"
	"start = /src/headguard/sim/svc start demo\n"
	"stop = /src/headguard/sim/svc stop demo\n"
	"check = /src/headguard/sim/svc check demo\n"
	"timeout_ms = 3000\n"
	"check_interval_ms = 1000\n"
	"restarts = 2\n";

static const char doc_production[] =
	"; /etc/headguard/headguard.conf -- identical on hn1 and hn2\n"
	"[cluster]\n"
	"name = hpc1\n"
	"key_file = /etc/headguard/key\n"
	"interval_ms = 200\n"
	"deadtime_ms = 1000                ; 5 heartbeats\n"
	"wait_for_peer_ms = 60000          ; a rebooted node waits a minute for its peer\n"
	"fence_delay_ms = 5000\n"
	"fence_retry_ms = 2000\n"
	"failback = manual\n"
	"failback_holddown_ms = 300000\n"
	"gateway = 10.10.0.1\n"
	"gateway_timeout_ms = 3000\n"
	"garp_refresh_ms = 10000\n"
	"log_file = /var/log/headguard/headguard.log\n"
	"vip = 10.10.0.10/24 public        ; login, slurmctld\n"
	"vip = 10.10.0.11/24 public        ; NFS exports\n"
	"\n"
	"[lan public]\n"
	"[lan cluster]\n"
	"[lan ipmi]\n"
	"\n"
	"[node hn1]\n"
	"id = 1\n"
	"priority = 200\n"
	"link = public eno1 10.10.0.21\n"
	"link = cluster ens2f0 172.16.0.21\n"
	"link = ipmi eno2 172.17.0.21\n"
	"fence = /usr/sbin/fence_ipmilan ip=172.17.1.21 username=hgfence lanplus=1 cipher=17 privlvl=operator password_file=/etc/headguard/bmc-hn1.pass timeout_ms=20000\n"
	"fence = /usr/sbin/fence_apc ip=172.17.2.5 username=hgfence plug=3 password_file=/etc/headguard/pdu.pass timeout_ms=30000\n"
	"\n"
	"[node hn2]\n"
	"id = 2\n"
	"priority = 100\n"
	"link = public eno1 10.10.0.22\n"
	"link = cluster ens2f0 172.16.0.22\n"
	"link = ipmi eno2 172.17.0.22\n"
	"fence = /usr/sbin/fence_ipmilan ip=172.17.1.22 username=hgfence lanplus=1 cipher=17 privlvl=operator password_file=/etc/headguard/bmc-hn2.pass timeout_ms=20000\n"
	"fence = /usr/sbin/fence_apc ip=172.17.2.5 username=hgfence plug=4 password_file=/etc/headguard/pdu.pass timeout_ms=30000\n"
	"\n"
	"; started in this order\n"
	"[service export-fs]\n"
	"start = /usr/bin/mount /export\n"
	"stop = /usr/bin/umount /export\n"
	"check = /usr/bin/mountpoint -q /export\n"
	"timeout_ms = 60000\n"
	"\n"
	"[service nfs]\n"
	"start = /usr/bin/systemctl start nfs-server\n"
	"stop = /usr/bin/systemctl stop nfs-server\n"
	"check = /usr/bin/systemctl is-active --quiet nfs-server\n"
	"\n"
	"[service slurmctld]\n"
	"start = /usr/bin/systemctl start slurmctld\n"
	"stop = /usr/bin/systemctl stop slurmctld\n"
	"check = /usr/bin/systemctl is-active --quiet slurmctld\n"
	"check_interval_ms = 5000\n"
	"restarts = 2\n"
	"\n"
	"[service dhcpd]\n"
	"start = /usr/bin/systemctl start isc-dhcp-server\n"
	"stop = /usr/bin/systemctl stop isc-dhcp-server\n"
	"check = /usr/bin/systemctl is-active --quiet isc-dhcp-server\n";

static void test_doc_examples(void)
{
	struct hg_config c;
	char err[256];

	CHECK_EQ(hg_config_parse(doc_lab, "a", &c, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK_EQ(c.n_lans, 3);
	CHECK_STR(c.node[c.peer].link[2].ifname, "mgmt0");
	CHECK_EQ(c.gateway_timeout_ms, 1000);

	CHECK_EQ(hg_config_parse(doc_production, "hn2", &c, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK_EQ(c.self, 1);
	CHECK_EQ(c.failback, HG_FAILBACK_MANUAL);
	CHECK_EQ(c.n_vips, 2);
	CHECK_EQ(c.vip[1].lan_index, 0);
	CHECK_EQ(c.public_lan, 0);
	CHECK_EQ(c.node[0].n_levels, 2);
	CHECK_STR(c.node[0].level[1].args, "ip=172.17.2.5\nusername=hgfence\nplug=3");
	CHECK_EQ(c.n_services, 4);
	CHECK_STR(c.service[0].name, "export-fs");
	CHECK_STR(c.service[3].name, "dhcpd");
	CHECK_EQ(c.service[2].restarts, 2);
	CHECK_EQ(c.wait_for_peer_ms, 60000);
}

static void test_self_peer(void)
{
	struct hg_config c;
	char err[256];

	CHECK_EQ(hg_config_parse(lab_conf, "b", &c, err, sizeof(err)), 0);
	CHECK_EQ(c.self, 1);
	CHECK_EQ(c.peer, 0);
	CHECK_STR(c.node[c.self].name, "b");
	CHECK_STR(c.node[c.peer].name, "a");

	CHECK(hg_config_parse(lab_conf, "c", &c, err, sizeof(err)) < 0);
	CHECK_STR(err, "0: no [node NAME] section for this node \"c\" "
		  "(the file has [node a] and [node b])");
	CHECK(hg_config_parse(lab_conf, "", &c, err, sizeof(err)) < 0);
	CHECK(strncmp(err, "0: no [node NAME] section for this node \"\" ", 43) == 0);
	CHECK(hg_config_parse(lab_conf, NULL, &c, err, sizeof(err)) < 0);
	CHECK(hg_config_parse(lab_conf, "A", &c, err, sizeof(err)) < 0);
}

/* A minimal valid file whose last section is [cluster] (line 10), so that a
 * line appended to it is line 14 and belongs to [cluster]. */
#define BASE \
	"[lan pub]\n"                                   /*  1 */ \
	"[node a]\n"                                    /*  2 */ \
	"id = 1\n"                                      /*  3 */ \
	"link = pub e0 192.0.2.11\n"                    /*  4 */ \
	"fence = /f ip=192.0.2.201\n"                   /*  5 */ \
	"[node b]\n"                                    /*  6 */ \
	"id = 2\n"                                      /*  7 */ \
	"link = pub e0 192.0.2.12\n"                    /*  8 */ \
	"fence = /f ip=192.0.2.202\n"                   /*  9 */ \
	"[cluster]\n"                                   /* 10 */ \
	"name = t\n"                                    /* 11 */ \
	"key_file = /k\n"                               /* 12 */ \
	"vip = 192.0.2.10/24 pub\n"                     /* 13 */

/* Node a last (line 10) and without a link yet: the next line is 13. */
#define NODE_A_LAST \
	"[cluster]\n"                                   /*  1 */ \
	"name = t\n"                                    /*  2 */ \
	"key_file = /k\n"                               /*  3 */ \
	"vip = 192.0.2.10/24 pub\n"                     /*  4 */ \
	"[lan pub]\n"                                   /*  5 */ \
	"[node b]\n"                                    /*  6 */ \
	"id = 2\n"                                      /*  7 */ \
	"link = pub e0 192.0.2.12\n"                    /*  8 */ \
	"fence = /f ip=192.0.2.202\n"                   /*  9 */ \
	"[node a]\n"                                    /* 10 */ \
	"id = 1\n"                                      /* 11 */ \
	"fence = /f ip=192.0.2.201\n"                   /* 12 */

#define LINK_A "link = pub e0 192.0.2.11\n"

static const struct bad {
	const char *text;
	int line;
	const char *msg;
} bad[] = {
	/* service probes, hooks and the host watch (issue 6) */
	{ BASE "watch_disk = /var\n", 14, "watch_disk: expected PATH MEGABYTES" },
	{ BASE "watch_disk = var 10\n", 14, "watch_disk: path" },
	{ BASE "watch_disk = /var 0\n", 14, "watch_disk: megabytes" },
	{ BASE "hook = relative/hook\n", 14, "hook:" },
	{ BASE "hook_timeout_ms = 5\n", 14, "hook_timeout_ms: expected an integer 100..600000" },
	{ BASE "[service s]\nstart = x\nstop = y\nprobe = http 192.0.2.1 80\n", 17,
	  "probe: expected \"tcp ADDRESS PORT\"" },
	{ BASE "[service s]\nstart = x\nstop = y\nprobe = tcp 192.0.2.1 99999\n", 17, "probe: port" },
	{ BASE "[service s]\nstart = x\nstop = y\nprobe = systemd a;b\n", 17, "probe: systemd unit" },
	{ BASE "[service s]\nstart = x\nstop = y\nprobe = pid run/x.pid\n", 17, "probe: pid file" },
	{ BASE "[service s]\nstart = x\nstop = y\nprobe = pid /a\nprobe = pid /b\n", 18,
	  "probe: given twice" },
	{ BASE "[service s]\nstart = x\nstop = y\ncheck = z\nprobe = pid /run/x.pid\n", 14,
	  "give check or probe, not both" },
	{ BASE "[service s]\nstart = x\nstop = y\nrestart_window_ms = 10\n", 17,
	  "restart_window_ms: expected an integer 1000.." },
	/* BMC access and native fencing (issues 4 and 5) */
	{ NODE_A_LAST LINK_A "bmc = 203.0.113.21 username=ADMIN password=x\n", 14,
	  "bmc: inline password= is refused" },
	{ NODE_A_LAST LINK_A "bmc = 203.0.113.21 username=ADMIN password_file=/p cipher=0\n", 14,
	  "bmc: cipher: suite 0 is refused" },
	/* issue 10 hole 12: suites without integrity (replies can be forged, a
	 * fake "power off" among them) or without encryption are refused like 0 */
	{ NODE_A_LAST LINK_A "bmc = 203.0.113.21 username=ADMIN password_file=/p cipher=1\n", 14,
	  "bmc: cipher: suite 1 is refused (no integrity" },
	{ NODE_A_LAST LINK_A "bmc = 203.0.113.21 username=ADMIN password_file=/p cipher=2\n", 14,
	  "bmc: cipher: suite 2 is refused (no encryption" },
	{ NODE_A_LAST LINK_A "bmc = 203.0.113.21 username=ADMIN password_file=/p cipher=6\n", 14,
	  "bmc: cipher: suite 6 is refused (no integrity" },
	{ NODE_A_LAST LINK_A "bmc = 203.0.113.21 username=ADMIN password_file=/p cipher=15\n", 14,
	  "bmc: cipher: suite 15 is refused (no integrity" },
	{ NODE_A_LAST LINK_A "bmc = 203.0.113.21 username=ADMIN password_file=/p cipher=16\n", 14,
	  "bmc: cipher: suite 16 is refused (no encryption" },
	{ NODE_A_LAST LINK_A "bmc = 203.0.113.21 username=ADMIN password_file=/p cipher=4\n", 14,
	  "bmc: cipher: suite 4 is refused (not an IPMI 2.0 suite" },
	{ NODE_A_LAST LINK_A "bmc = bmc-a username=ADMIN password_file=/p\n", 14,
	  "bmc: expected ADDRESS" },
	{ NODE_A_LAST LINK_A "bmc = 203.0.113.21 username=ADMIN\n", 14,
	  "username= and password_file= are required" },
	{ NODE_A_LAST LINK_A "bmc = 203.0.113.21 username=ADMIN password_file=/p\n"
	  "bmc = 203.0.113.21 username=ADMIN password_file=/p\n", 15, "bmc: given twice" },
	{ NODE_A_LAST LINK_A "fence = ipmi timeout_ms=3000\n", 10,
	  "fence = ipmi needs the node's bmc = line" },
	{ NODE_A_LAST LINK_A "fence = ipmi ip=192.0.2.1\n", 14, "fence = ipmi takes only timeout_ms=" },
	{ BASE "watchdog_timeout_ms = 500\n", 14, "watchdog_timeout_ms: expected 0 (off) or an integer 1000.." },
	{ BASE "watchdog_timeout_ms = 5000\n", 0, "the self-fence needs each node's bmc = line" },
	/* values */
	{ BASE "interval_ms = fast\n", 14,
	  "interval_ms: expected an integer 10..60000, got \"fast\"" },
	{ BASE "port = 0\n", 14, "port: expected an integer 1..65535" },
	{ BASE "port = 65536\n", 14, "port: expected an integer 1..65535" },
	{ BASE "port = +694\n", 14, "port: expected an integer" },
	{ BASE "port = 694 # not a comment here\n", 14, "port: expected an integer" },
	{ BASE "interval_ms = 99999999999999999999\n", 14, "interval_ms: expected an integer" },
	{ BASE "failback = sometimes\n", 14, "failback: expected manual or auto" },
	{ BASE "gateway = 192.0.2.300\n", 14, "gateway: expected an IPv4 address" },
	{ BASE "gateway = 127.0.0.1\n", 14, "gateway: expected a unicast IPv4 address" },
	{ BASE "garp_refresh_ms = 500\n", 14,
	  "garp_refresh_ms: expected 0 (off) or an integer 1000..86400000" },
	{ BASE "garp_count = 0\n", 14, "garp_count: expected an integer 1..100" },
	{ BASE "state_dir = var/lib/headguard\n", 14, "state_dir: expected an absolute path" },
	{ BASE "log_file = /var/log/head guard.log\n", 14, "log_file: expected an absolute path" },
	{ BASE "control_socket = /run/0123456789012345678901234567890123456789"
	  "01234567890123456789012345678901234567890123456789012345678.sock\n", 14,
	  "control_socket: expected an absolute path (starting with /, no blanks, at most 107" },
	{ BASE "name = x\n", 14, "name: given twice in [cluster] (first at line 11)" },
	{ BASE "colour = red\n", 14, "unknown key \"colour\" in [cluster]" },
	{ BASE "Port = 694\n", 14, "unknown key \"Port\"" },
	/* vip */
	{ BASE "vip = 192.0.2.20/33 pub\n", 14, "vip: prefix: expected an integer 1..32" },
	{ BASE "vip = 192.0.2.20 pub\n", 14, "vip: expected ADDRESS/PREFIX LAN" },
	{ BASE "vip = 192.0.2.20/24 nowhere\n", 14, "vip: unknown LAN \"nowhere\" (declared: pub)" },
	{ BASE "vip = 192.0.2.10/24 pub\n", 14, "vip: 192.0.2.10 is already a VIP (line 13)" },
	{ BASE "vip = 192.0.2.11/24 pub\n", 14, "vip: 192.0.2.11 is the address of [node a]" },
	/* timing consistency */
	{ BASE "deadtime_ms = 150\n", 14, "deadtime_ms: must be at least 2 * interval_ms = 200" },
	{ BASE "wait_for_peer_ms = 200\n", 14, "wait_for_peer_ms: must be at least deadtime_ms (300)" },
	{ BASE "fence_retry_ms = 50\n", 14, "fence_retry_ms: must be at least interval_ms (100)" },
	{ BASE "interval_ms = 2000\n", 14, "interval_ms: 2000 is above fence_retry_ms" },
	{ BASE "failback_holddown_ms = 200\n", 14, "failback_holddown_ms: must be at least deadtime_ms" },
	{ BASE "interval_ms = 4000\nfence_retry_ms = 4000\n", 14,
	  "interval_ms: deadtime_ms 12000 is above failback_holddown_ms" },
	{ BASE "gateway_timeout_ms = 100\n", 14, "gateway_timeout_ms: must be at least deadtime_ms" },
	/* sections and syntax */
	{ BASE "[bogus]\n", 14, "unknown section [bogus]" },
	{ BASE "[lan]\n", 14, "[lan] needs one name: [lan NAME]" },
	{ BASE "[cluster]\n", 14, "duplicate section [cluster] (first at line 10)" },
	{ BASE "[node a]\n", 14, "duplicate section [node a] (first at line 2)" },
	{ BASE "[node c]\n", 14, "too many [node] sections (at most 2)" },
	{ BASE "[lan 0123456789012345678901234567890123456789012345678901234567]\n", 14,
	  "[lan NAME]: expected a name of 1..31 characters" },
	{ BASE "[lan pub lic]\n", 14, "[lan] needs one name" },
	{ BASE "[cluster x]\n", 14, "[cluster] takes no name" },
	{ BASE "[lan x\n", 14, "malformed section header" },
	{ BASE "[lan x] y\n", 14, "unexpected text after the section header" },
	{ BASE "just some words\n", 14, "expected \"key = value\", a [section] header or a "
	  "comment, got \"just some words\"" },
	{ "port = 694\n" BASE, 1, "port: key outside any section" },
	{ BASE "name = a\001b\n", 14, "control character 0x01" },
	{ BASE "name = a\rb\n", 14, "control character 0x0d" },
	/* [lan] */
	{ BASE "[lan x]\nheartbeat = maybe\n", 15, "heartbeat: expected yes or no" },
	{ BASE "[lan x]\n", 2, "[node a]: no link for LAN \"x\"; add link = x IFNAME ADDRESS" },
	/* [service] */
	{ BASE "[service s]\nstart = /bin/true\n", 14, "[service s]: stop is required" },
	{ BASE "[service s]\nstop = /bin/true\n", 14, "[service s]: start is required" },
	{ BASE "[service s]\nstart = a ; b\nstop = c\n", 15, "start: \" ;\" would start a comment" },
	{ BASE "[service s]\nstart = a\nstop =\n", 16, "stop: expected a shell command, got nothing" },
	{ BASE "[service s]\nstart = a\nstop = b\nrestarts = 101\n", 17,
	  "restarts: expected an integer 0..100" },
	{ BASE "[service s]\ntimeout_ms = 99\n", 15, "timeout_ms: expected an integer 100..600000" },
	{ BASE "[service s]\n[service s]\n", 15, "duplicate section [service s] (first at line 14)" },
	/* [node] and link */
	{ NODE_A_LAST, 10, "[node a]: no link for LAN \"pub\"" },
	{ NODE_A_LAST "link = pub e0/1 192.0.2.11\n", 13, "link: interface: expected an interface name" },
	{ NODE_A_LAST "link = pub abcdefghijklmnop 192.0.2.11\n", 13, "link: interface:" },
	{ NODE_A_LAST "link = pub e0\n", 13, "link: expected LAN IFNAME ADDRESS" },
	{ NODE_A_LAST "link = pub e0 192.0.2.11/24\n", 13, "link: address: expected an IPv4 address" },
	{ NODE_A_LAST "link = nowhere e0 192.0.2.11\n", 13,
	  "link: unknown LAN \"nowhere\" (declared: pub)" },
	{ NODE_A_LAST "link = pub e0 192.0.2.12\n", 13,
	  "link: address 192.0.2.12 is already used by [node b] (line 8)" },
	{ NODE_A_LAST LINK_A "link = pub e1 192.0.2.13\n", 14,
	  "link: LAN \"pub\" already has a link in this node (line 13)" },
	{ NODE_A_LAST LINK_A "priority = -1\n", 14, "priority: expected an integer 0..65535" },
	{ NODE_A_LAST LINK_A "id = 1\n", 14, "id: given twice in [node a] (first at line 11)" },
	/* fence levels */
	{ NODE_A_LAST LINK_A "fence = /f ip=192.0.2.201 password=secret\n", 14,
	  "fence: inline password= is refused: keep the BMC password in a root-only file "
	  "and give password_file=/path" },
	{ NODE_A_LAST LINK_A "fence = /f PASSWD=secret\n", 14, "fence: inline PASSWD= is refused" },
	{ NODE_A_LAST LINK_A "fence = /f snmp_priv_passwd=secret\n", 14,
	  "fence: inline snmp_priv_passwd= is refused" },
	{ NODE_A_LAST LINK_A "fence = /f --password=secret\n", 14, "fence: expected option=value" },
	{ NODE_A_LAST LINK_A "fence = /f action=reboot\n", 14, "fence: action= is refused" },
	{ NODE_A_LAST LINK_A "fence = /f option=reboot\n", 14, "fence: option= is refused" },
	{ NODE_A_LAST LINK_A "fence = fence_ipmilan ip=1\n", 14,
	  "fence: the agent must be an absolute path" },
	{ NODE_A_LAST LINK_A "fence = /f lanplus\n", 14, "fence: expected option=value" },
	{ NODE_A_LAST LINK_A "fence = /f ip=\n", 14, "fence: expected option=value" },
	{ NODE_A_LAST LINK_A "fence = /f timeout_ms=50\n", 14,
	  "fence: timeout_ms=: expected an integer 100..600000, got \"50\"" },
	{ NODE_A_LAST LINK_A "fence = /f timeout_ms=500 timeout_ms=600\n", 14,
	  "fence: timeout_ms= given twice" },
	{ NODE_A_LAST LINK_A "fence = /f password_file=bmc.pass\n", 14,
	  "fence: password_file=: expected an absolute path" },
	{ NODE_A_LAST LINK_A "fence = /f ip=1 ip=2\n", 14, "fence: option ip= given twice" },
	{ NODE_A_LAST LINK_A "fence = /f\nfence = /g\nfence = /h\nfence = /i\n", 17,
	  "fence: at most 4 fence levels per node" },
	{ NODE_A_LAST LINK_A "fence =\n", 14, "fence: expected AGENT-PATH" },
	/* not tied to one line */
	{ "", 0, "missing [cluster] section" },
	{ "; only a comment\n", 0, "missing [cluster] section" },
	{ "[cluster]\nkey_file = /k\nvip = 192.0.2.10/24 pub\n", 1,
	  "[cluster]: name is required" },
	{ "[cluster]\nname = t\nvip = 192.0.2.10/24 pub\n", 1, "[cluster]: key_file is required" },
	{ "[cluster]\nname = t\nkey_file = /k\n", 0, "no [lan NAME] section" },
	{ "[cluster]\nname = t\nkey_file = /k\n[lan pub]\nheartbeat = no\n", 0,
	  "no LAN carries heartbeats" },
	{ "[cluster]\nname = t\nkey_file = /k\n[lan pub]\n[node a]\n", 0,
	  "expected exactly two [node NAME] sections, found 1" },
	{ "[node a]\nid = 1\nlink = pub e0 192.0.2.11\nfence = /f\n"
	  "[node b]\nlink = pub e0 192.0.2.12\nfence = /f\n"
	  "[cluster]\nname = t\nkey_file = /k\nvip = 192.0.2.10/24 pub\n[lan pub]\n", 5,
	  "[node b]: id is required" },
	{ "[node a]\nid = 7\nlink = pub e0 192.0.2.11\nfence = /f\n"
	  "[node b]\nid = 7\nlink = pub e0 192.0.2.12\nfence = /f\n"
	  "[cluster]\nname = t\nkey_file = /k\nvip = 192.0.2.10/24 pub\n[lan pub]\n", 6,
	  "id: 7 is already the id of [node a]" },
	{ "[node a]\nid = 1\nlink = pub e0 192.0.2.11\n"
	  "[node b]\nid = 2\nlink = pub e0 192.0.2.12\nfence = /f\n"
	  "[cluster]\nname = t\nkey_file = /k\nvip = 192.0.2.10/24 pub\n[lan pub]\n", 1,
	  "[node a]: no fence level" },
	{ "[node a]\nid = 1\nlink = pub e0 192.0.2.11\nfence = /f\n"
	  "[node b]\nid = 2\nlink = pub e0 192.0.2.12\nfence = /f\n"
	  "[cluster]\nname = t\nkey_file = /k\n[lan pub]\n", 9, "[cluster]: vip is required" },
	/* two LANs, VIPs on both */
	{ "[cluster]\nname = t\nkey_file = /k\nvip = 192.0.2.10/24 pub\n"
	  "vip = 198.51.100.10/24 clu\n[lan pub]\n[lan clu]\n"
	  "[node a]\nid = 1\nlink = pub e0 192.0.2.11\nlink = clu e1 198.51.100.11\nfence = /f\n"
	  "[node b]\nid = 2\nlink = pub e0 192.0.2.12\nlink = clu e1 198.51.100.12\nfence = /f\n",
	  5, "vip: all VIPs must be on one LAN: this one is on \"clu\", the one of line 4 on \"pub\"" },
	/* first error wins, whoever finds it */
	{ BASE "no separator\nport = 0\n", 14, "expected \"key = value\"" },
	{ BASE "port = 0\nno separator\n", 14, "port: expected an integer" },
	{ BASE "port = 0\n[lan x\n", 14, "port: expected an integer" },
	/* crashes found by tests/fuzz/fuzz_config.c go here (none so far) */
};

static void test_supervision_keys(void)
{
	static const char text[] = BASE
		"hook = /usr/lib/headguard/hook\n"          /* 14 */
		"hook_timeout_ms = 2000\n"
		"watch_load = 64\n"
		"watch_memory_mb = 256\n"
		"watch_disk = /var 512\n"
		"watch_disk = /home 1024\n"
		"[service web]\n"
		"start = /bin/true\n"
		"stop = /bin/true\n"
		"probe = tcp 127.0.0.1 8080\n"
		"standby_check = /bin/true ready\n"
		"restarts = 5\n"
		"restart_window_ms = 30000\n"
		"restart_backoff_ms = 250\n"
		"check_timeout_ms = 1500\n"
		"[service slurm]\n"
		"start = /bin/true\n"
		"stop = /bin/true\n"
		"probe = systemd slurmctld.service\n"
		"[service pidf]\n"
		"start = /bin/true\n"
		"stop = /bin/true\n"
		"probe = pid /run/x.pid\n";
	static struct hg_config c;
	char err[256];

	CHECK_EQ(hg_config_parse(text, "a", &c, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK_STR(c.hook, "/usr/lib/headguard/hook");
	CHECK_EQ(c.hook_timeout_ms, 2000);
	CHECK_EQ(c.watch_load, 64);
	CHECK_EQ(c.watch_memory_mb, 256);
	CHECK_EQ(c.watch_interval_ms, 5000);
	CHECK_EQ(c.n_watch_disks, 2);
	CHECK_STR(c.watch_disk[1].path, "/home");
	CHECK_EQ(c.watch_disk[1].min_mb, 1024);
	CHECK_EQ(c.n_services, 3);
	CHECK_EQ(c.service[0].probe_kind, HG_PROBE_TCP);
	CHECK_STR(c.service[0].probe_arg, "127.0.0.1 8080");
	CHECK_STR(c.service[0].standby_check, "/bin/true ready");
	CHECK_EQ(c.service[0].restarts, 5);
	CHECK_EQ(c.service[0].restart_window_ms, 30000);
	CHECK_EQ(c.service[0].restart_backoff_ms, 250);
	CHECK_EQ(c.service[0].check_timeout_ms, 1500);
	CHECK_EQ(c.service[1].probe_kind, HG_PROBE_SYSTEMD);
	CHECK_STR(c.service[1].probe_arg, "slurmctld.service");
	CHECK_EQ(c.service[1].restart_window_ms, 60000);
	CHECK_EQ(c.service[1].restart_backoff_ms, 500);
	CHECK_EQ(c.service[2].probe_kind, HG_PROBE_PID);
	CHECK_STR(c.service[2].probe_arg, "/run/x.pid");
	/* defaults when none is given */
	CHECK_EQ(hg_config_parse(BASE, "a", &c, err, sizeof(err)), 0);
	CHECK_STR(c.hook, "");
	CHECK_EQ(c.hook_timeout_ms, 10000);
	CHECK_EQ(c.watch_load, 0);
	CHECK_EQ(c.n_watch_disks, 0);
}

static void test_bmc_keys(void)
{
	static const char text[] = NODE_A_LAST LINK_A
		"bmc = 203.0.113.21 username=ADMIN password_file=/etc/hg/bmc-a.pass cipher=3 "
		"privilege=operator port=6230 timeout_ms=500\n"
		"fence = ipmi timeout_ms=3000\n";
	static struct hg_config c;
	char err[256];

	CHECK_EQ(hg_config_parse(text, "b", &c, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	const struct hg_cfg_node *a = &c.node[c.peer];
	CHECK_STR(a->name, "a");
	CHECK_EQ(a->bmc.present, 1);
	CHECK_STR(a->bmc.addr, "203.0.113.21");
	CHECK_STR(a->bmc.user, "ADMIN");
	CHECK_STR(a->bmc.password_file, "/etc/hg/bmc-a.pass");
	CHECK_EQ(a->bmc.cipher, 3);
	CHECK_EQ(a->bmc.privilege, 3);
	CHECK_EQ(a->bmc.port, 6230);
	CHECK_EQ(a->bmc.timeout_ms, 500);
	CHECK_EQ(a->n_levels, 2);
	CHECK_EQ(a->level[1].native, 1);
	CHECK_EQ(a->level[1].timeout_ms, 3000);
	CHECK_EQ(a->level[0].native, 0);
	CHECK_EQ(c.node[c.self].bmc.present, 0);
	CHECK_EQ(c.bmc_poll_ms, 2000);
	CHECK_EQ(c.watchdog_timeout_ms, 0);

	/* the suites with integrity and encryption are accepted */
	static const int good[] = { 3, 8, 12, 17 };
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		char t2[sizeof(text) + 16];
		snprintf(t2, sizeof(t2), NODE_A_LAST LINK_A
			 "bmc = 203.0.113.21 username=ADMIN password_file=/p cipher=%d\n", good[i]);
		CHECK_EQ(hg_config_parse(t2, "b", &c, err, sizeof(err)), 0);
		CHECK_EQ(c.node[c.peer].bmc.cipher, good[i]);
	}
}

static void test_bad(void)
{
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct hg_config c;
		char err[512], want[32];
		int r = hg_config_parse(bad[i].text, "a", &c, err, sizeof(err));

		snprintf(want, sizeof(want), "%d: ", bad[i].line);
		CHECK(r < 0);
		CHECK(strncmp(err, want, strlen(want)) == 0 && strstr(err, bad[i].msg) != NULL);
		if (r >= 0 || strncmp(err, want, strlen(want)) != 0 || !strstr(err, bad[i].msg))
			fprintf(stderr, "  case %zu: want \"%s%s\"\n            got  \"%s\"\n",
				i, want, bad[i].msg, err);
	}
}

static void test_syntax(void)
{
	struct hg_config c;
	char err[256], text[4096], *p;

	/* CRLF line ends, a byte order mark, indented keys are keys (not
	 * continuation lines), comments of every kind, empty log_file. */
	snprintf(text, sizeof(text), "\xEF\xBB\xBF; lab\r\n%s", BASE
		 "  port = 695\r\n"
		 "\tlog_file =          ; empty: stderr\n"
		 "    # indented comment\n"
		 "garp_refresh_ms = 0 ; off\n"
		 "failback: manual\n");
	CHECK_EQ(hg_config_parse(text, "b", &c, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK_EQ(c.port, 695);
	CHECK_STR(c.log_file, "");
	CHECK_EQ(c.garp_refresh_ms, 0);
	CHECK_EQ(c.failback, HG_FAILBACK_MANUAL);
	CHECK_EQ(c.self, 1);

	/* a LAN without heartbeats; the second [lan] is index 1 everywhere */
	CHECK_EQ(hg_config_parse("[cluster]\nname = t\nkey_file = /k\n"
				 "vip = 10.1.0.10/16 pub\n[lan hb]\n[lan pub]\nheartbeat = no\n"
				 "[node a]\nid = 1\nlink = pub p 10.1.0.1\nlink = hb h 10.2.0.1\n"
				 "fence = /f\n[node b]\nid = 2\nlink = hb h 10.2.0.2\n"
				 "link = pub p 10.1.0.2\nfence = /f\n", "a", &c, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK_EQ(c.lan[0].heartbeat, 1);
	CHECK_EQ(c.lan[1].heartbeat, 0);
	CHECK_EQ(c.public_lan, 1);
	CHECK_EQ(c.vip[0].lan_index, 1);
	CHECK_STR(c.node[1].link[1].addr, "10.1.0.2");

	/* ';' without a blank before it belongs to the command */
	CHECK_EQ(hg_config_parse(BASE "[service s]\nstart = a;b\nstop = c && d\ncheck =\n",
				 "a", &c, err, sizeof(err)), 0);
	CHECK_STR(c.service[0].start, "a;b");
	CHECK_STR(c.service[0].stop, "c && d");
	CHECK_STR(c.service[0].check, "");

	/* a line of exactly inih's limit passes, one more is refused */
	memset(text, 0, sizeof(text));
	p = text + snprintf(text, sizeof(text), "%s", BASE "[service s]\nstop = x\nstart = ");
	memset(p, 'x', 199 - strlen("start = "));
	CHECK_EQ(hg_config_parse(text, "a", &c, err, sizeof(err)), 0);
	CHECK_EQ(strlen(c.service[0].start), 199 - strlen("start = "));
	strcat(text, "y");
	CHECK(hg_config_parse(text, "a", &c, err, sizeof(err)) < 0);
	CHECK_STR(err, "16: line too long (200 characters, at most 199)");

	/* tiny or absent error buffers are safe */
	CHECK(hg_config_parse("", "a", &c, err, 4) < 0);
	CHECK_STR(err, "0: ");
	CHECK(hg_config_parse("", "a", &c, NULL, 0) < 0);
	CHECK(hg_config_parse(NULL, "a", &c, err, sizeof(err)) < 0);
}

static void test_fence_levels(void)
{
	struct hg_config c;
	char err[256];
	const struct hg_cfg_fence_level *l;

	CHECK_EQ(hg_config_parse(NODE_A_LAST LINK_A
				 "fence = /usr/sbin/fence_apc ip=192.0.2.250 plug=3 "
				 "password_script=/usr/local/sbin/apc-pw timeout_ms=20000 "
				 "snmp_priv_passwd_script=/usr/local/sbin/apc-snmp\n",
				 "a", &c, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK_STR(c.node[1].name, "a");        /* [node b] comes first */
	CHECK_EQ(c.node[1].n_levels, 2);
	l = &c.node[1].level[0];
	CHECK_STR(l->agent, "/f");
	CHECK_STR(l->args, "ip=192.0.2.201");
	CHECK_STR(l->password_file, "");
	CHECK_EQ(l->timeout_ms, 5000);
	l = &c.node[1].level[1];
	CHECK_STR(l->agent, "/usr/sbin/fence_apc");
	CHECK_STR(l->args, "ip=192.0.2.250\nplug=3\npassword_script=/usr/local/sbin/apc-pw\n"
		  "snmp_priv_passwd_script=/usr/local/sbin/apc-snmp");
	CHECK_EQ(l->timeout_ms, 20000);
	CHECK(strstr(l->args, "password=") == NULL);
}

/* Two configurations parsed at the same time must not see each other. */
struct job {
	const char *text, *self;
	struct hg_config want;
	int bad;
};

static void *parse_many(void *arg)
{
	struct job *j = arg;
	struct hg_config *c = malloc(sizeof(*c));
	char err[256];
	int i;

	for (i = 0; i < 300 && c != NULL; i++)
		if (hg_config_parse(j->text, j->self, c, err, sizeof(err)) != 0 ||
		    memcmp(c, &j->want, sizeof(*c)) != 0)
			j->bad++;
	free(c);
	return NULL;
}

static void test_reentrant(void)
{
	static struct job ja, jb;
	struct hg_config c1, c2;
	char e1[256], e2[256];
	pthread_t ta, tb;

	/* interleaved in one thread: the second parse leaves the first alone */
	CHECK_EQ(hg_config_parse(lab_conf, "a", &c1, e1, sizeof(e1)), 0);
	CHECK_EQ(hg_config_parse(BASE "interval_ms = 50\n", "b", &c2, e2, sizeof(e2)), 0);
	CHECK(hg_config_parse(BASE "port = x\n", "b", &c2, e2, sizeof(e2)) < 0);
	CHECK_STR(c1.cluster, "lab");
	CHECK_EQ(c1.interval_ms, 100);
	CHECK_EQ(c1.self, 0);
	CHECK_STR(e1, "");

	ja.text = lab_conf, ja.self = "a";
	jb.text = BASE "interval_ms = 50\n", jb.self = "b";
	CHECK_EQ(hg_config_parse(ja.text, ja.self, &ja.want, e1, sizeof(e1)), 0);
	CHECK_EQ(hg_config_parse(jb.text, jb.self, &jb.want, e2, sizeof(e2)), 0);
	CHECK_EQ(jb.want.interval_ms, 50);
	CHECK_EQ(jb.want.deadtime_ms, 150);
	CHECK(pthread_create(&ta, NULL, parse_many, &ja) == 0);
	CHECK(pthread_create(&tb, NULL, parse_many, &jb) == 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	CHECK_EQ(ja.bad, 0);
	CHECK_EQ(jb.bad, 0);
}

int main(void)
{
	test_lab();
	test_self_peer();
	test_doc_examples();
	test_supervision_keys();
	test_bmc_keys();
	test_bad();
	test_syntax();
	test_fence_levels();
	test_reentrant();
	return check_report();
}
