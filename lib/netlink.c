// SPDX-License-Identifier: MIT
/*
 * netlink.c - rtnetlink requests (messages built with nlattr.h).
 *
 * DOC: Theory of operation
 * A container's network is a handful of requests: create a veth pair whose
 * peer is born inside the container's namespace (IFLA_NET_NS_FD on the peer,
 * so nothing is moved afterwards, which costs the kernel ~20 ms), bring lo
 * up, add the address, add the default route.  Requests for one namespace
 * are put in a batch and sent with one sendmsg(); the last carries NLM_F_ACK,
 * the kernel answers every failure anyway, and the answers are read back up
 * to the last request's, so the first failure is
 * reported with the request that caused it and the kernel's extended-ACK
 * text.  The kernel processes a batch's messages in order, so an address
 * and a route that depends on it can share a batch.
 *
 * One socket per namespace, opened once: the host's socket lives in the
 * context; a container's is opened by entering its namespace just long
 * enough to create the socket (a socket keeps the namespace it was born in).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <linux/if_addr.h>
#include <linux/if_bridge.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>
#include "netlink.h"
#include "nlattr.h"
#include "util.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

/**
 * cnm_nl_open() - open an rtnetlink socket in a namespace.
 * @nl: filled on success
 * @netns_fd: the namespace, or -1 for the caller's own
 * @err: filled on failure
 *
 * Return: 0 or a negative errno.
 */
int cnm_nl_open(struct cnm_nl *nl, int netns_fd, struct cnm_err *err)
{
	int self = -1, one = 1, rc = 0;

	memset(nl, 0, sizeof(*nl));
	if (netns_fd >= 0) {
		self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		if (self < 0)
			return cnm_errf(err, errno, "cannot open own network namespace: %s",
					strerror(errno));
		if (setns(netns_fd, CLONE_NEWNET) < 0) {
			rc = cnm_errf(err, errno, "cannot enter container network namespace: %s",
				      strerror(errno));
			goto out;
		}
	}
	nl->fd = nlsock_open(NETLINK_ROUTE, 0, &nl->portid);
	if (nl->fd < 0) {
		rc = cnm_errf(err, errno, "cannot open netlink socket: %s", strerror(errno));
		goto out;
	}
	nl->open = true;
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	nl->seq = (uint32_t)getpid() << 8;
out:
	if (self >= 0) {
		if (setns(self, CLONE_NEWNET) < 0 && !rc)
			rc = cnm_errf(err, errno, "cannot return to own network namespace: %s",
				      strerror(errno));
		close(self);
	}
	return rc;
}

void cnm_nl_close(struct cnm_nl *nl)
{
	if (nl->open)
		close(nl->fd);
	nl->open = false;
}

void cnm_nl_batch_init(struct cnm_nl_batch *b, struct cnm_nl *nl)
{
	b->nl = nl;
	b->len = 0;
	b->n = 0;
	b->first_seq = nl->seq;
}

/* Start a message at the end of the batch; the caller fills it, then it's kept. */
static struct nlmsghdr *batch_msg(struct cnm_nl_batch *b, uint16_t type, uint16_t flags,
				  int ignore_errno, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static struct nlmsghdr *batch_msg(struct cnm_nl_batch *b, uint16_t type, uint16_t flags,
				  int ignore_errno, const char *fmt, ...)
{
	struct nlmsghdr *nlh;
	va_list ap;

	/*
	 * Commit the previous message's length.  Only the last request asks
	 * for an acknowledgement: the kernel answers a failed request whatever
	 * its flags and handles a batch in order, so the last one's answer
	 * comes after every error.  An ACK for each was an skb built, queued
	 * and read per request.
	 */
	if (b->n) {
		nlh = (struct nlmsghdr *)(b->buf + b->len);
		nlh->nlmsg_flags &= (uint16_t)~NLM_F_ACK;
		b->len += NLMSG_ALIGN(nlh->nlmsg_len);
	}
	nlh = nlmsg_put_header(b->buf + b->len);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = b->nl->seq++;
	va_start(ap, fmt);
	vsnprintf(b->whatbuf[b->n], sizeof(b->whatbuf[0]), fmt, ap);
	va_end(ap);
	b->what[b->n] = b->whatbuf[b->n];
	b->ignore[b->n] = ignore_errno;
	b->n++;
	return nlh;
}

/**
 * cnm_nl_batch_tolerate() - let the last message queued in @b fail with
 * @errnum (positive) and count as done: a CNI route that another network's
 * attachment added first (EEXIST), as the reference plugins skip it.  No
 * extra round trip: the kernel answers a failed request in the batch anyway.
 */
void cnm_nl_batch_tolerate(struct cnm_nl_batch *b, int errnum)
{
	if (b->n)
		b->ignore[b->n - 1] = errnum;
}

static size_t batch_len(const struct cnm_nl_batch *b)
{
	const struct nlmsghdr *last = (const struct nlmsghdr *)(b->buf + b->len);

	return b->n ? b->len + NLMSG_ALIGN(last->nlmsg_len) : 0;
}

/*
 * --dry-run: each request also gets the `ip` command that does the same, and
 * cnm_nl_batch_run() prints those instead of sending (see dryrun.c).  Built
 * only in a dry run: the hot path pays one branch.
 */
static void dry_cmd(struct cnm_nl_batch *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void dry_cmd(struct cnm_nl_batch *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b->cmd[b->n - 1], sizeof(b->cmd[0]), fmt, ap);
	va_end(ap);
}

/* The name of @ifindex for a dry run's command: a link it "made", or the kernel's. */
static const char *dry_name(struct cnm_nl *nl, int ifindex, char buf[IF_NAMESIZE])
{
	int i = ifindex - CNM_NL_DRY_INDEX;

	if (i >= 0 && i < nl->n_dry_made)
		return nl->dry_made[i];
	if (!if_indextoname((unsigned int)ifindex, buf))
		snprintf(buf, IF_NAMESIZE, "if%d", ifindex);
	return buf;
}

/** cnm_nl_dry_made() - in a dry run, @name counts as existing in @nl's namespace. */
void cnm_nl_dry_made(struct cnm_nl *nl, const char *name)
{
	if (nl->n_dry_made < (int)ARRAY_SIZE(nl->dry_made))
		snprintf(nl->dry_made[nl->n_dry_made++], sizeof(nl->dry_made[0]), "%s", name);
}

static int dry_run(struct cnm_nl_batch *b)
{
	for (int i = 0; i < b->n; i++)
		fprintf(b->nl->dry, "ip %s%s%s%s\n", b->nl->dry_ns[0] ? "-n " : "", b->nl->dry_ns,
			b->nl->dry_ns[0] ? " " : "", b->cmd[i]);
	b->n = 0;
	b->len = 0;
	return 0;
}

static const char *extack_msg(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = nlmsg_get_payload(nlh);
	size_t off = sizeof(*e);
	const struct nlattr *attr;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NULL;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	nla_for_each(attr, nlh, off) {
		if (nla_get_type(attr) == NLMSGERR_ATTR_MSG)
			return nla_get_str(attr);
	}
	return NULL;
}

/**
 * cnm_nl_batch_run() - send the batch and collect every acknowledgement.
 * @b: the batch
 * @err: filled with the first failing request and the kernel's reason
 *
 * Return: 0 or the first negative errno.
 */
int cnm_nl_batch_run(struct cnm_nl_batch *b, struct cnm_err *err)
{
	uint8_t rbuf[16384] __attribute__((aligned(8)));
	size_t len = batch_len(b);
	bool done = false;
	int ret = 0;

	if (!len)
		return 0;
	if (b->nl->dry)
		return dry_run(b);
	if (nlsock_send(b->nl->fd, b->buf, len) < 0)
		return cnm_errf(err, errno, "netlink send: %s", strerror(errno));
	while (!done) {
		ssize_t n = nlsock_recv(b->nl->fd, rbuf, sizeof(rbuf));
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)rbuf;
		int left = (int)n;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return ret ? ret : cnm_errf(err, errno, "netlink receive: %s",
						    strerror(errno));
		}
		for (; nlmsg_ok(nlh, left); nlh = nlmsg_next(nlh, &left)) {
			const struct nlmsgerr *e;
			uint32_t idx;

			if (nlh->nlmsg_type != NLMSG_ERROR)
				continue;
			e = nlmsg_get_payload(nlh);
			idx = nlh->nlmsg_seq - b->first_seq;
			if (idx == (uint32_t)b->n - 1)
				done = true;
			if (!e->error || idx >= (uint32_t)b->n || -e->error == b->ignore[idx])
				continue;
			if (!ret) {
				const char *why = extack_msg(nlh);

				ret = cnm_errf(err, -e->error, "%s: %s%s%s", b->what[idx],
					       strerror(-e->error), why ? ": " : "", why ? why : "");
			}
		}
	}
	b->n = 0;
	b->len = 0;
	b->first_seq = b->nl->seq;
	return ret;
}

static struct ifinfomsg *put_ifinfo(struct nlmsghdr *nlh, int ifindex, unsigned int up)
{
	struct ifinfomsg *ifi = nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = up;
	ifi->ifi_change = up;
	return ifi;
}

static void bridge_add(struct cnm_nl_batch *b, const char *name, int mtu, bool vlan_filtering);

void cnm_nl_bridge_add(struct cnm_nl_batch *b, const char *name, int mtu)
{
	bridge_add(b, name, mtu, false);
}

/**
 * cnm_nl_vlan_bridge_add() - cnm_nl_bridge_add() with VLAN filtering on
 * from the start: on a kernel without it the request fails whole and no
 * bridge is left.
 */
void cnm_nl_vlan_bridge_add(struct cnm_nl_batch *b, const char *name, int mtu)
{
	bridge_add(b, name, mtu, true);
}

static void bridge_add(struct cnm_nl_batch *b, const char *name, int mtu, bool vlan_filtering)
{
	struct nlmsghdr *nlh = batch_msg(b, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0,
					 "create bridge %s", name);
	struct nlattr *li;

	uint8_t mac[6] = { 0 };

	put_ifinfo(nlh, 0, IFF_UP);
	nla_put_strz(nlh, IFLA_IFNAME, name);
	if (mtu > 0)
		nla_put_u32(nlh, IFLA_MTU, (uint32_t)mtu);
	/*
	 * A MAC of its own: without one the bridge takes the lowest MAC of
	 * its ports and changes it as containers come and go, and containers
	 * then send to the gateway (and its resolver) at a stale MAC until
	 * their ARP entry expires.  Set, it stays (NET_ADDR_SET).
	 */
	if (getrandom(mac, sizeof(mac), 0) == (ssize_t)sizeof(mac)) {
		mac[0] = (uint8_t)((mac[0] & 0xfe) | 0x02);	/* unicast, locally administered */
		nla_put(nlh, IFLA_ADDRESS, sizeof(mac), mac);
	}
	li = nla_nest_start(nlh, IFLA_LINKINFO);
	nla_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	if (vlan_filtering) {
		struct nlattr *data = nla_nest_start(nlh, IFLA_INFO_DATA);

		nla_put_u8(nlh, IFLA_BR_VLAN_FILTERING, 1);
		nla_nest_end(nlh, data);
	}
	nla_nest_end(nlh, li);
	if (b->nl->dry) {
		dry_cmd(b, "link add name %s%s%.0d up type bridge%s", name, mtu > 0 ? " mtu " : "",
			mtu, vlan_filtering ? " vlan_filtering 1" : "");
		cnm_nl_dry_made(b->nl, name);
	}
}

/*
 * One queue each way, as the kernel leaves a veth anyway: without these it
 * registers a queue per possible CPU, with their sysfs directories, then
 * veth_init_queues() unregisters all but one (a CNI ADD did that for two
 * CPUs here; a 64-CPU host builds and tears down 126 per interface).
 */
static void put_one_queue(struct nlmsghdr *nlh)
{
	nla_put_u32(nlh, IFLA_NUM_TX_QUEUES, 1);
	nla_put_u32(nlh, IFLA_NUM_RX_QUEUES, 1);
}

/**
 * cnm_nl_veth_add() - a veth pair whose peer is created in another namespace.
 * @b: batch (the host namespace's socket)
 * @name: host end, enslaved to @master and created down: the caller brings
 *	it up once it is configured (see cnm_nl_link_no_ipv6_auto())
 * @master: bridge ifindex, 0 for none
 * @mtu: MTU of both ends (0: the kernel's default)
 * @peer: container end name
 * @peer_netns_fd: the container's namespace, -1 for the host's own (a
 *	dry run, whose container is a stand-in, prints it as the container's)
 * @peer_mac: container end MAC, or NULL for a random one
 */
void cnm_nl_veth_add(struct cnm_nl_batch *b, const char *name, int master, int mtu,
		     const char *peer, int peer_netns_fd, const uint8_t peer_mac[6])
{
	struct nlmsghdr *nlh = batch_msg(b, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0,
					 "create veth pair %s/%s", name, peer);
	struct nlattr *li, *data, *pi;

	put_ifinfo(nlh, 0, 0);
	nla_put_strz(nlh, IFLA_IFNAME, name);
	if (mtu > 0)
		nla_put_u32(nlh, IFLA_MTU, (uint32_t)mtu);
	if (master > 0)
		nla_put_u32(nlh, IFLA_MASTER, (uint32_t)master);
	put_one_queue(nlh);
	li = nla_nest_start(nlh, IFLA_LINKINFO);
	nla_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = nla_nest_start(nlh, IFLA_INFO_DATA);
	pi = nla_nest_start(nlh, VETH_INFO_PEER);
	/*
	 * The peer's ifinfomsg.  It cannot be created up: the kernel configures
	 * the peer before it links the pair, and opening an unlinked veth fails
	 * with ENOTCONN.  The container's batch brings it up.
	 */
	put_ifinfo(nlh, 0, 0);
	nla_put_strz(nlh, IFLA_IFNAME, peer);
	if (peer_netns_fd >= 0)
		nla_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)peer_netns_fd);
	if (mtu > 0)
		nla_put_u32(nlh, IFLA_MTU, (uint32_t)mtu);
	if (peer_mac)
		nla_put(nlh, IFLA_ADDRESS, 6, peer_mac);
	put_one_queue(nlh);
	nla_nest_end(nlh, pi);
	nla_nest_end(nlh, data);
	nla_nest_end(nlh, li);
	if (b->nl->dry) {
		char m[IF_NAMESIZE], mac[18] = "";

		if (peer_mac)
			snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", peer_mac[0],
				 peer_mac[1], peer_mac[2], peer_mac[3], peer_mac[4], peer_mac[5]);
		dry_cmd(b, "link add name %s%s%.0d%s%s type veth peer name %s netns %s%s%s%s%.0d",
			name, mtu > 0 ? " mtu " : "", mtu, master > 0 ? " master " : "",
			master > 0 ? dry_name(b->nl, master, m) : "", peer, b->nl->dry_peer_ns,
			mac[0] ? " address " : "", mac, mtu > 0 ? " mtu " : "", mtu);
	}
}

void cnm_nl_link_up(struct cnm_nl_batch *b, int ifindex, const char *name)
{
	struct nlmsghdr *nlh = batch_msg(b, RTM_NEWLINK, 0, 0, "set %s up", name);

	put_ifinfo(nlh, ifindex, IFF_UP);
	if (!ifindex)
		nla_put_strz(nlh, IFLA_IFNAME, name);
	if (b->nl->dry)
		dry_cmd(b, "link set %s up", name);
}

/**
 * cnm_nl_link_no_ipv6_auto() - no IPv6 addresses of the kernel's making on
 * an interface (IN6_ADDR_GEN_MODE_NONE); before it goes up, so it never
 * makes a link-local address, never probes it, never sends a listener
 * report or a router solicitation.
 * @b: batch
 * @ifindex: the interface, or 0 to name it by @name
 * @name: its name
 *
 * Why: those are multicast, which a bridge without a querier floods to every
 * port, so each new interface cost every container on its bridge a wake-up,
 * an O(containers) cost per attach, and each address adds routes to a FIB
 * the kernel walks on every interface event (docs/decisions.md).  For a
 * bridge port, which needs no address at all, and for the container's side
 * on networks without IPv6, whose containers have no use for it.
 *
 * While the interface is down: a change to one that is up is a NETDEV_CHANGE,
 * which IPv6 answers, before the link has a carrier, by walking the
 * namespace's whole FIB (rt6_sync_down_dev()), one multicast route per
 * bridge port: 0.2 ms of every attach at 950 ports on a bridge.
 */
void cnm_nl_link_no_ipv6_auto(struct cnm_nl_batch *b, int ifindex, const char *name)
{
	struct nlmsghdr *nlh = batch_msg(b, RTM_NEWLINK, 0, 0, "keep IPv6 off %s", name);
	struct nlattr *af, *in6;

	put_ifinfo(nlh, ifindex, 0);
	if (!ifindex)
		nla_put_strz(nlh, IFLA_IFNAME, name);
	af = nla_nest_start(nlh, IFLA_AF_SPEC);
	in6 = nla_nest_start(nlh, AF_INET6);
	nla_put_u8(nlh, IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_NONE);
	nla_nest_end(nlh, in6);
	nla_nest_end(nlh, af);
	if (b->nl->dry)
		dry_cmd(b, "link set %s addrgenmode none", name);
}

void cnm_nl_link_del(struct cnm_nl_batch *b, const char *name)
{
	struct nlmsghdr *nlh = batch_msg(b, RTM_DELLINK, 0, ENODEV, "delete %s", name);

	put_ifinfo(nlh, 0, 0);
	nla_put_strz(nlh, IFLA_IFNAME, name);
	if (b->nl->dry)
		dry_cmd(b, "link del %s", name);
}

/**
 * cnm_nl_brport() - set a bridge port's flags.
 * @b: batch
 * @ifname: the port
 * @isolated: the port can talk to the bridge itself (the gateway) and to
 *	ports that are not isolated, never to another isolated port: Docker's
 *	enable_icc=false without a firewall rule
 *
 * Hairpin mode is always set: with br_netfilter loaded (as it is on most
 * hosts that ever ran Docker) a container reaching its own published port
 * is DNATed at the bridge layer and must be sent back out the port it came
 * in on, which a bridge refuses otherwise.
 */
void cnm_nl_brport(struct cnm_nl_batch *b, const char *ifname, bool isolated)
{
	cnm_nl_brport_flags(b, ifname, isolated, true);
}

/**
 * cnm_nl_brport_flags() - cnm_nl_brport() with hairpin mode chosen by the
 * caller (the CNI bridge plugin's hairpinMode defaults to off).
 */
void cnm_nl_brport_flags(struct cnm_nl_batch *b, const char *ifname, bool isolated,
			 bool hairpin)
{
	struct nlmsghdr *nlh = batch_msg(b, RTM_NEWLINK, 0, 0, "set bridge port %s flags", ifname);
	struct nlattr *li, *data;

	put_ifinfo(nlh, 0, 0);
	nla_put_strz(nlh, IFLA_IFNAME, ifname);
	li = nla_nest_start(nlh, IFLA_LINKINFO);
	nla_put_strz(nlh, IFLA_INFO_SLAVE_KIND, "bridge");
	data = nla_nest_start(nlh, IFLA_INFO_SLAVE_DATA);
	nla_put_u8(nlh, IFLA_BRPORT_MODE, hairpin ? 1 /* BRIDGE_MODE_HAIRPIN */ : 0);
	if (isolated)
		nla_put_u8(nlh, IFLA_BRPORT_ISOLATED, 1);
	nla_nest_end(nlh, data);
	nla_nest_end(nlh, li);
	if (b->nl->dry)
		dry_cmd(b, "link set %s type bridge_slave hairpin %s%s", ifname,
			hairpin ? "on" : "off", isolated ? " isolated on" : "");
}

void cnm_nl_addr_add(struct cnm_nl_batch *b, int ifindex, const struct cnm_addr *a, int prefix,
		     const char *ifname)
{
	cnm_nl_addr_add_dad(b, ifindex, a, prefix, ifname, false);
}

/**
 * cnm_nl_addr_add_dad() - cnm_nl_addr_add() with IPv6 duplicate address
 * detection on or off (@dad; the CNI bridge plugin's enabledad).
 */
void cnm_nl_addr_add_dad(struct cnm_nl_batch *b, int ifindex, const struct cnm_addr *a,
			 int prefix, const char *ifname, bool dad)
{
	char s[CNM_ADDRSTRLEN];
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	int alen = a->family == AF_INET ? 4 : 16;

	cnm_addr_format(a, s);
	nlh = batch_msg(b, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, EEXIST,
			"add address %s/%d to %s", s, prefix, ifname);
	ifa = nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)a->family;
	ifa->ifa_prefixlen = (uint8_t)prefix;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (uint32_t)ifindex;
	/* no duplicate address detection: IPAM guarantees uniqueness, and DAD
	 * would keep an IPv6 address unusable ("tentative") for a second */
	if (a->family == AF_INET6 && !dad)
		ifa->ifa_flags = IFA_F_NODAD;
	nla_put(nlh, IFA_LOCAL, (size_t)alen, a->b);
	nla_put(nlh, IFA_ADDRESS, (size_t)alen, a->b);
	if (a->family == AF_INET && prefix < 31) {
		struct cnm_cidr c = { *a, prefix };
		struct cnm_addr brd;

		cnm_cidr_last(&c, &brd);
		nla_put(nlh, IFA_BROADCAST, 4, brd.b);
	}
	if (b->nl->dry)
		dry_cmd(b, "addr add %s/%d%s dev %s%s", s, prefix,
			a->family == AF_INET && prefix < 31 ? " brd +" : "", ifname,
			a->family == AF_INET6 && !dad ? " nodad" : "");
}

void cnm_nl_route_default(struct cnm_nl_batch *b, const struct cnm_addr *gw, int ifindex)
{
	cnm_nl_route_add(b, NULL, gw, ifindex);
}

/**
 * cnm_nl_route_add() - a route through an interface.
 * @b: batch
 * @dst: destination, NULL for the default route (of @gw's family)
 * @gw: next hop, or NULL for a route on the link
 * @ifindex: the interface
 */
void cnm_nl_route_add(struct cnm_nl_batch *b, const struct cnm_cidr *dst,
		      const struct cnm_addr *gw, int ifindex)
{
	char s[CNM_ADDRSTRLEN] = "", d[CNM_CIDRSTRLEN] = "default";
	int family = gw ? gw->family : dst ? dst->addr.family : AF_INET;
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;

	if (gw)
		cnm_addr_format(gw, s);
	if (dst)
		cnm_cidr_format(dst, d);
	nlh = batch_msg(b, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, 0, "add route %s%s%s", d,
			gw ? " via " : "", s);
	rtm = nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)family;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_BOOT;
	rtm->rtm_scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	if (dst && dst->prefix > 0) {
		rtm->rtm_dst_len = (uint8_t)dst->prefix;
		nla_put(nlh, RTA_DST, family == AF_INET ? 4 : 16, dst->addr.b);
	}
	if (gw)
		nla_put(nlh, RTA_GATEWAY, family == AF_INET ? 4 : 16, gw->b);
	nla_put_u32(nlh, RTA_OIF, (uint32_t)ifindex);
	if (b->nl->dry) /* the gateway is on-link: the kernel finds the device */
		dry_cmd(b, "%sroute add %s%s%s proto boot", family == AF_INET6 ? "-6 " : "",
			dst && dst->prefix > 0 ? d : "default", gw ? " via " : "", s);
}

/** cnm_nl_link_promisc() - set or clear IFF_PROMISC on a link. */
void cnm_nl_link_promisc(struct cnm_nl_batch *b, int ifindex, const char *name, bool on)
{
	struct nlmsghdr *nlh = batch_msg(b, RTM_NEWLINK, 0, 0, "set %s promisc %s", name,
					 on ? "on" : "off");
	struct ifinfomsg *ifi = put_ifinfo(nlh, ifindex, on ? IFF_PROMISC : 0);

	ifi->ifi_change = IFF_PROMISC;
	if (!ifindex)
		nla_put_strz(nlh, IFLA_IFNAME, name);
	if (b->nl->dry)
		dry_cmd(b, "link set %s promisc %s", name, on ? "on" : "off");
}

/**
 * cnm_nl_bridge_vlan_filtering() - turn VLAN filtering on or off on a bridge
 * (IFLA_BR_VLAN_FILTERING); its ports then only pass frames of their VLANs.
 */
void cnm_nl_bridge_vlan_filtering(struct cnm_nl_batch *b, const char *name, bool on)
{
	struct nlmsghdr *nlh = batch_msg(b, RTM_NEWLINK, 0, 0, "set bridge %s vlan_filtering %d",
					 name, on);
	struct nlattr *li, *data;

	put_ifinfo(nlh, 0, 0);
	nla_put_strz(nlh, IFLA_IFNAME, name);
	li = nla_nest_start(nlh, IFLA_LINKINFO);
	nla_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	data = nla_nest_start(nlh, IFLA_INFO_DATA);
	nla_put_u8(nlh, IFLA_BR_VLAN_FILTERING, on);
	nla_nest_end(nlh, data);
	nla_nest_end(nlh, li);
	if (b->nl->dry)
		dry_cmd(b, "link set %s type bridge vlan_filtering %d", name, on);
}

/**
 * cnm_nl_port_vlan() - add or remove a VLAN of a bridge port (`bridge vlan`).
 * @b: batch
 * @ifindex: the port (AF_BRIDGE requests name it by index only)
 * @name: its name, for messages
 * @vid: 1 to 4094
 * @add: add it as the port's PVID, sent untagged; false: remove it (a VLAN
 *	the port is not in is not an error)
 */
void cnm_nl_port_vlan(struct cnm_nl_batch *b, int ifindex, const char *name, int vid, bool add)
{
	struct nlmsghdr *nlh = batch_msg(b, add ? RTM_SETLINK : RTM_DELLINK, 0, add ? 0 : ENOENT,
					 "%s vlan %d %s port %s", add ? "add" : "remove", vid,
					 add ? "to" : "from", name);
	struct bridge_vlan_info vi = { .vid = (uint16_t)vid };
	struct ifinfomsg *ifi = put_ifinfo(nlh, ifindex, 0);
	struct nlattr *spec;

	ifi->ifi_family = AF_BRIDGE;
	if (add)
		vi.flags = BRIDGE_VLAN_INFO_PVID | BRIDGE_VLAN_INFO_UNTAGGED;
	spec = nla_nest_start(nlh, IFLA_AF_SPEC);
	nla_put_u16(nlh, IFLA_BRIDGE_FLAGS, BRIDGE_FLAGS_MASTER);
	nla_put(nlh, IFLA_BRIDGE_VLAN_INFO, sizeof(vi), &vi);
	nla_nest_end(nlh, spec);
	if (b->nl->dry)
		dry_cmd(b, "link show %s # bridge vlan %s dev %s vid %d%s", name, add ? "add" : "del",
			name, vid, add ? " pvid untagged" : "");
}
