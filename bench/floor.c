// SPDX-License-Identifier: MIT
/*
 * floor.c - the kernel's floor under one bridged container.
 *
 * DOC: Theory of operation
 * What `cnm run` must make the kernel do for a container on a bridge, and
 * nothing else: no store, no IPAM, no mounts, no exec.  For each of N
 * iterations:
 *
 *   netns     clone() a child with CLONE_NEWNET that waits on a pipe, and
 *             open /proc/PID/ns/net;
 *   wire      with ONE rtnetlink socket in the host namespace, create a veth
 *             pair whose host end is up and enslaved to the bridge "flr0" and
 *             whose peer is born as eth0 inside the child's namespace
 *             (IFLA_NET_NS_FD in VETH_INFO_PEER; it cannot be born up, the
 *             kernel answers ENOTCONN); then open a socket inside the child's
 *             namespace (setns there and back) and send ONE batch: lo up,
 *             eth0 up, 10.99.X.Y/16 on eth0, default route via 10.99.0.1,
 *             each with NLM_F_ACK;
 *   teardown  SIGKILL the child and reap it, after the namespace's last
 *             references (ns fd, child socket) are closed.  The kernel then
 *             destroys the namespace, eth0 and the host end in the
 *             background;
 *   setup     netns + wire, per iteration;
 *   gone      (reported apart) from the kill until the host end's RTM_DELLINK
 *             arrives: what the background cleanup takes.
 *
 * eth0's ifindex is chosen by us (the kernel honours ifi_index on the peer
 * when the host end has one too), so no lookup round trip is needed: two
 * round trips on netlink in all.  If the kernel does not honour it, the
 * warm-up iteration notices and the floor falls back to an RTM_GETLINK.
 *
 * FLOOR_SHOW=1 in the environment prints the warm-up container's addresses
 * and routes (with ip(8)), to check the wiring by eye.
 *
 * Output: a line per step (median/min/max in microseconds) and, last, one
 * line of JSON.  Run it as root in a throwaway network namespace: it creates
 * the bridge flr0 (10.99.0.1/16) and leaves it there.
 *
 * `floor N BRIDGE` wires onto an existing bridge instead (the bench's scale
 * section, to see what the kernel's own cost does with 1,000 ports on it)
 * and the way cnm does: the host end created down, its IPv6 address
 * generation off, then up, and eth0's off too, in the same two batches.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "nlattr.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

#define BRIDGE "flr0"
#define MAX_ITER 65000

struct nl {
	int fd;
	uint32_t seq;
};

struct batch {
	struct nl *nl;
	uint8_t buf[8192] __attribute__((aligned(8)));
	size_t len;
	int n;
};

static void die(const char *what, int e)
{
	fprintf(stderr, "floor: %s: %s\n", what, strerror(e));
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int nl_open(struct nl *nl, unsigned int groups)
{
	int one = 1;

	uint32_t portid;

	nl->fd = nlsock_open(NETLINK_ROUTE, groups, &portid);
	if (nl->fd < 0)
		return -errno;
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	nl->seq = 1;
	return 0;
}

/* Open a socket inside the namespace @nsfd: a socket keeps the namespace it was born in. */
static int nl_open_in(struct nl *nl, int nsfd, int selffd)
{
	int rc;

	if (setns(nsfd, CLONE_NEWNET) < 0)
		return -errno;
	rc = nl_open(nl, 0);
	if (setns(selffd, CLONE_NEWNET) < 0)
		die("setns back to the host namespace", errno);
	return rc;
}

static void batch_init(struct batch *b, struct nl *nl)
{
	b->nl = nl;
	b->len = 0;
	b->n = 0;
}

/* Append a request; every request asks for an ACK. */
static struct nlmsghdr *batch_put(struct batch *b, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh;

	if (b->n) {
		nlh = (struct nlmsghdr *)(b->buf + b->len);
		b->len += NLMSG_ALIGN(nlh->nlmsg_len);
	}
	nlh = nlmsg_put_header(b->buf + b->len);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = b->nl->seq++;
	b->n++;
	return nlh;
}

static const char *extack(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	size_t off = sizeof(*e);

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return "";
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	nla_for_each(attr, nlh, off)
		if (nla_get_type(attr) == NLMSGERR_ATTR_MSG)
			return nla_get_str(attr);
	return "";
}

/*
 * Send the batch with one sendmsg() and read one ACK per request.  Returns 0
 * or the first negative errno, whose request index goes to *@failed.
 * Replies other than ACKs (a GETLINK answer) go to @cb.
 */
static int batch_run(struct batch *b, int ignore, nl_cb_t cb, void *data, const char **why)
{
	uint8_t rbuf[16384] __attribute__((aligned(8)));
	const struct nlmsghdr *last = (const struct nlmsghdr *)(b->buf + b->len);
	size_t len = b->len + NLMSG_ALIGN(last->nlmsg_len);
	int acked = 0, ret = 0;

	if (nlsock_send(b->nl->fd, b->buf, len) < 0)
		return -errno;
	while (acked < b->n) {
		ssize_t n = nlsock_recv(b->nl->fd, rbuf, sizeof(rbuf));
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)rbuf;
		int left = (int)n;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return ret ? ret : -errno;
		}
		for (; nlmsg_ok(nlh, left); nlh = nlmsg_next(nlh, &left)) {
			const struct nlmsgerr *e;

			if (nlh->nlmsg_type != NLMSG_ERROR) {
				if (cb)
					cb(nlh, data);
				continue;
			}
			e = nlmsg_get_payload(nlh);
			acked++;
			if (e->error && -e->error != ignore && !ret) {
				ret = e->error;
				if (why)
					*why = extack(nlh);
			}
		}
	}
	return ret;
}

static void check(int rc, const char *what, const char *why)
{
	if (rc) {
		fprintf(stderr, "floor: %s: %s%s%s\n", what, strerror(-rc), why && *why ? ": " : "",
			why ? why : "");
		exit(1);
	}
}

static void put_ifinfo(struct nlmsghdr *nlh, int ifindex, unsigned int up)
{
	struct ifinfomsg *ifi = nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = up;
	ifi->ifi_change = up;
}

/* `floor N BRIDGE`: wire as cnm does (see the top of the file). */
static bool cnm_like;

/* IN6_ADDR_GEN_MODE_NONE on @ifindex, or on @name when @ifindex is 0 */
static void put_no_addrgen(struct batch *b, int ifindex, const char *name)
{
	struct nlmsghdr *nlh = batch_put(b, RTM_NEWLINK, 0);
	struct nlattr *af, *in6;

	put_ifinfo(nlh, ifindex, 0);
	if (!ifindex)
		nla_put_strz(nlh, IFLA_IFNAME, name);
	af = nla_nest_start(nlh, IFLA_AF_SPEC);
	in6 = nla_nest_start(nlh, AF_INET6);
	nla_put_u8(nlh, IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_NONE);
	nla_nest_end(nlh, in6);
	nla_nest_end(nlh, af);
}

static void put_addr(struct batch *b, int ifindex, const uint8_t a[4], int prefix)
{
	struct nlmsghdr *nlh = batch_put(b, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
	struct ifaddrmsg *ifa = nlmsg_put_extra_header(nlh, sizeof(*ifa));
	uint32_t mask = prefix ? ~0u << (32 - prefix) : 0;
	uint8_t brd[4];

	for (int i = 0; i < 4; i++)
		brd[i] = a[i] | (uint8_t)(~mask >> (24 - 8 * i));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (uint8_t)prefix;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (uint32_t)ifindex;
	nla_put(nlh, IFA_LOCAL, 4, a);
	nla_put(nlh, IFA_ADDRESS, 4, a);
	nla_put(nlh, IFA_BROADCAST, 4, brd);
}

static void put_default_route(struct batch *b, const uint8_t gw[4], int ifindex)
{
	struct nlmsghdr *nlh = batch_put(b, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
	struct rtmsg *rtm = nlmsg_put_extra_header(nlh, sizeof(*rtm));

	rtm->rtm_family = AF_INET;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_BOOT;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	nla_put(nlh, RTA_GATEWAY, 4, gw);
	nla_put_u32(nlh, RTA_OIF, (uint32_t)ifindex);
}

static int link_index_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type == RTM_NEWLINK)
		*(int *)data = ifi->ifi_index;
	return NL_CB_OK;
}

static int link_index(struct nl *nl, const char *name)
{
	struct batch b;
	struct nlmsghdr *nlh;
	int idx = 0, rc;

	batch_init(&b, nl);
	nlh = batch_put(&b, RTM_GETLINK, 0);
	put_ifinfo(nlh, 0, 0);
	nla_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	nla_put_strz(nlh, IFLA_IFNAME, name);
	rc = batch_run(&b, 0, link_index_cb, &idx, NULL);
	return rc ? rc : idx;
}

/* The bridge, up, with the gateway address; made once. */
static int bridge_setup(struct nl *nl, const uint8_t gw[4])
{
	struct batch b;
	struct nlmsghdr *nlh;
	struct nlattr *li;
	const char *why = NULL;
	int rc, idx;

	batch_init(&b, nl);
	nlh = batch_put(&b, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	put_ifinfo(nlh, 0, IFF_UP);
	nla_put_strz(nlh, IFLA_IFNAME, BRIDGE);
	li = nla_nest_start(nlh, IFLA_LINKINFO);
	nla_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	nla_nest_end(nlh, li);
	rc = batch_run(&b, EEXIST, NULL, NULL, &why);
	check(rc, "create bridge " BRIDGE, why);
	idx = link_index(nl, BRIDGE);
	if (idx <= 0)
		check(idx ? idx : -ENODEV, "look up bridge " BRIDGE, NULL);
	batch_init(&b, nl);
	put_addr(&b, idx, gw, 16);
	rc = batch_run(&b, EEXIST, NULL, NULL, &why);
	check(rc, "add 10.99.0.1/16 to " BRIDGE, why);
	return idx;
}

static char child_stack[64 * 1024] __attribute__((aligned(16)));

/* The child only holds its namespace until its pipe closes or it is killed. */
static int child_main(void *arg)
{
	const int *p = arg;
	char c;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	close(p[1]);
	while (read(p[0], &c, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

/* Wait for the RTM_DELLINK of @ifindex on the monitor socket (or poll GETLINK). */
static void wait_gone(struct nl *mon, int ifindex)
{
	uint8_t rbuf[16384] __attribute__((aligned(8)));
	int fd = mon->fd;
	char name[IF_NAMESIZE];

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;
		int left;

		if (poll(&p, 1, 20) <= 0) {
			/* a lost event (ENOBUFS) must not hang us: ask */
			if (!if_indextoname((unsigned int)ifindex, name))
				return;
			continue;
		}
		n = recv(fd, rbuf, sizeof(rbuf), MSG_DONTWAIT);
		if (n < 0) {
			if (!if_indextoname((unsigned int)ifindex, name))
				return;
			continue;
		}
		left = (int)n;
		for (const struct nlmsghdr *nlh = (const void *)rbuf; nlmsg_ok(nlh, left);
		     nlh = nlmsg_next(nlh, &left)) {
			const struct ifinfomsg *ifi = nlmsg_get_payload(nlh);

			if (nlh->nlmsg_type == RTM_DELLINK && ifi->ifi_index == ifindex)
				return;
		}
	}
}

static void drain(struct nl *mon)
{
	uint8_t rbuf[16384] __attribute__((aligned(8)));

	while (recv(mon->fd, rbuf, sizeof(rbuf), MSG_DONTWAIT) > 0)
		;
}

enum { NETNS, WIRE, SETUP, TEARDOWN, GONE, NSTEP };

struct sample {
	double us[NSTEP];
};

/* One container: returns its timings.  @lookup: find eth0 by name instead of choosing its index. */
static void iterate(struct nl *host, struct nl *mon, int selffd, int br, int i, int idx_base,
		    bool *lookup, struct sample *s)
{
	static const uint8_t gw[4] = { 10, 99, 0, 1 };
	uint8_t addr[4] = { 10, 99, (uint8_t)((i + 3) >> 8), (uint8_t)((i + 3) & 0xff) };
	char host_name[IF_NAMESIZE], path[64];
	struct nlattr *li, *data, *pi;
	struct nl cnl;
	struct batch b;
	struct nlmsghdr *nlh;
	const char *why = NULL;
	int p[2], nsfd, rc, host_idx = idx_base + i, eth = idx_base + i;
	uint64_t t0, t1, t2, t3, t4;
	pid_t pid;

	snprintf(host_name, sizeof(host_name), "flrv%d", i);

	/* (a) the namespace */
	t0 = now_ns();
	if (pipe2(p, O_CLOEXEC) < 0)
		die("pipe", errno);
	pid = clone(child_main, child_stack + sizeof(child_stack), CLONE_NEWNET | SIGCHLD, p);
	if (pid < 0)
		die("clone(CLONE_NEWNET)", errno);
	close(p[0]);
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0)
		die(path, errno);
	t1 = now_ns();

	/* (b) the veth pair, host end up on the bridge, peer born in the namespace */
	batch_init(&b, host);
	nlh = batch_put(&b, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	put_ifinfo(nlh, *lookup ? 0 : host_idx, cnm_like ? 0 : IFF_UP);
	nla_put_strz(nlh, IFLA_IFNAME, host_name);
	nla_put_u32(nlh, IFLA_MASTER, (uint32_t)br);
	li = nla_nest_start(nlh, IFLA_LINKINFO);
	nla_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = nla_nest_start(nlh, IFLA_INFO_DATA);
	pi = nla_nest_start(nlh, VETH_INFO_PEER);
	put_ifinfo(nlh, *lookup ? 0 : eth, 0); /* not IFF_UP: ENOTCONN */
	nla_put_strz(nlh, IFLA_IFNAME, "eth0");
	nla_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)nsfd);
	nla_nest_end(nlh, pi);
	nla_nest_end(nlh, data);
	nla_nest_end(nlh, li);
	if (cnm_like) {
		put_no_addrgen(&b, 0, host_name);
		nlh = batch_put(&b, RTM_NEWLINK, 0);
		put_ifinfo(nlh, 0, IFF_UP);
		nla_put_strz(nlh, IFLA_IFNAME, host_name);
	}
	rc = batch_run(&b, 0, NULL, NULL, &why);
	check(rc, "create veth pair", why);

	/* (c) one batch on a socket inside the namespace */
	rc = nl_open_in(&cnl, nsfd, selffd);
	check(rc, "open netlink socket in the child namespace", NULL);
	if (*lookup) {
		eth = link_index(&cnl, "eth0");
		if (eth <= 0)
			check(eth ? eth : -ENODEV, "look up eth0", NULL);
	}
	batch_init(&b, &cnl);
	put_ifinfo(batch_put(&b, RTM_NEWLINK, 0), 1, IFF_UP);
	if (cnm_like)
		put_no_addrgen(&b, eth, "eth0");
	put_ifinfo(batch_put(&b, RTM_NEWLINK, 0), eth, IFF_UP);
	put_addr(&b, eth, addr, 16);
	put_default_route(&b, gw, eth);
	rc = batch_run(&b, 0, NULL, NULL, &why);
	if (rc == -ENODEV && !*lookup && i == -1) {
		/* warm-up: this kernel did not give eth0 the index we asked for */
		*lookup = true;
	} else {
		check(rc, "configure the child namespace (lo, eth0, address, route)", why);
	}
	t2 = now_ns();
	if (i == -1 && getenv("FLOOR_SHOW")) {
		/* debugging aid: what the warm-up container looks like */
		char cmd[160];

		snprintf(cmd, sizeof(cmd), "nsenter --net=/proc/%d/ns/net sh -c "
			 "'ip -br addr; ip route'; ip -br link show master " BRIDGE, (int)pid);
		fflush(stdout);
		if (system(cmd) != 0)
			fprintf(stderr, "floor: FLOOR_SHOW command failed\n");
	}
	if (*lookup)
		host_idx = (int)if_nametoindex(host_name);

	/* teardown: drop our references, kill, reap */
	close(cnl.fd);
	close(nsfd);
	drain(mon);
	t3 = now_ns();
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	close(p[1]);
	t4 = now_ns();
	wait_gone(mon, host_idx);

	s->us[NETNS] = (double)(t1 - t0) / 1e3;
	s->us[WIRE] = (double)(t2 - t1) / 1e3;
	s->us[SETUP] = (double)(t2 - t0) / 1e3;
	s->us[TEARDOWN] = (double)(t4 - t3) / 1e3;
	s->us[GONE] = (double)(now_ns() - t3) / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct stat3 {
	double med, min, max;
};

static struct stat3 stats(double *v, int n)
{
	struct stat3 s;

	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	s.min = v[0];
	s.max = v[n - 1];
	s.med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	return s;
}

int main(int argc, char **argv)
{
	static const uint8_t gw[4] = { 10, 99, 0, 1 };
	static const char *const names[NSTEP] = { "netns", "wire", "setup", "teardown", "gone" };
	struct nl host, mon;
	struct sample *smp;
	struct stat3 st[NSTEP];
	double *col;
	bool lookup = false;
	int n = argc > 1 ? atoi(argv[1]) : 30, selffd, br, idx_base;

	if (argc > 3 || n < 1 || n > MAX_ITER) {
		fprintf(stderr, "usage: floor [N [BRIDGE]]   (1..%d iterations, default 30)\n",
			MAX_ITER);
		return 2;
	}
	cnm_like = argc == 3;
	smp = calloc((size_t)n, sizeof(*smp));
	col = calloc((size_t)n, sizeof(*col));
	if (!smp || !col)
		die("calloc", ENOMEM);
	selffd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (selffd < 0)
		die("/proc/self/ns/net", errno);
	check(nl_open(&host, 0), "open netlink socket", NULL);
	check(nl_open(&mon, RTMGRP_LINK), "open netlink monitor socket", NULL);
	if (cnm_like) {
		br = link_index(&host, argv[2]);
		if (br <= 0)
			check(br ? br : -ENODEV, "look up the bridge", argv[2]);
	} else {
		br = bridge_setup(&host, gw);
	}
	/* indexes far above what the kernel hands out, different for each run */
	idx_base = 1 << 20 | (getpid() & 0x3ff) << 16;

	/* warm-up (not counted): first port on the bridge, page cache, slab */
	{
		struct sample s;

		iterate(&host, &mon, selffd, br, -1, idx_base, &lookup, &s);
	}
	for (int i = 0; i < n; i++)
		iterate(&host, &mon, selffd, br, i, idx_base, &lookup, &smp[i]);

	for (int k = 0; k < NSTEP; k++) {
		for (int i = 0; i < n; i++)
			col[i] = smp[i].us[k];
		st[k] = stats(col, n);
		printf("floor %-9s median %9.0f us   min %9.0f us   max %9.0f us\n", names[k],
		       st[k].med, st[k].min, st[k].max);
	}
	printf("{\"n\":%d,\"eth0_index\":\"%s\"", n, lookup ? "looked-up" : "chosen");
	printf(",\"floor_netns_us\":%.0f,\"floor_wire_us\":%.0f,\"floor_teardown_us\":%.0f"
	       ",\"floor_setup_us\":%.0f,\"floor_gone_us\":%.0f",
	       st[NETNS].med, st[WIRE].med, st[TEARDOWN].med, st[SETUP].med, st[GONE].med);
	for (int k = 0; k < NSTEP; k++)
		printf(",\"floor_%s\":{\"median_us\":%.0f,\"min_us\":%.0f,\"max_us\":%.0f}", names[k],
		       st[k].med, st[k].min, st[k].max);
	printf("}\n");
	close(host.fd);
	close(mon.fd);
	free(smp);
	free(col);
	return 0;
}
