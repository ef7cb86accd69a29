// SPDX-License-Identifier: MIT
/*
 * nlquery.c - what the kernel holds, asked over rtnetlink: dumps, an
 * interface's index, the host's routes.
 *
 * DOC: Theory of operation
 * The writing side (netlink.c) batches requests and reads back their
 * acknowledgements.  A question is one request on the namespace's socket
 * (struct cnm_nl) whose answers go to a callback until the kernel's DONE or
 * ACK.  A dump that the kernel flags as interrupted (the objects changed
 * while it was read) is drained to its end and reported as -EINTR, so the
 * socket's next request never receives its tail and the caller can ask
 * again.
 */
#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include "netlink.h"
#include "nlattr.h"
#include "util.h"

/* Send one request and feed the answers to @cb until the kernel's ACK/DONE. */
static int nl_query(struct cnm_nl *nl, struct nlmsghdr *nlh, nl_cb_t cb, void *data)
{
	uint8_t rbuf[32768] __attribute__((aligned(8)));
	uint32_t seq = nlh->nlmsg_seq;
	ssize_t n;
	int rc;

	if (nlsock_send(nl->fd, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = nlsock_recv(nl->fd, rbuf, sizeof(rbuf));
		if (n < 0)
			return -errno;
		rc = nlmsg_run(rbuf, (size_t)n, seq, nl->portid, cb, data);
	} while (rc > 0);
	if (rc < 0 && errno == EINTR) {
		/*
		 * The kernel flagged the dump as interrupted (the set changed
		 * meanwhile).  Read it to its end, so that the caller's next
		 * request does not get its rest, and let the caller dump again.
		 */
		for (bool done = false; !done;) {
			const struct nlmsghdr *m = (const struct nlmsghdr *)rbuf;
			int left = (int)n;

			for (; nlmsg_ok(m, left); m = nlmsg_next(m, &left))
				done |= m->nlmsg_type == NLMSG_DONE || m->nlmsg_type == NLMSG_ERROR;
			if (!done && (n = nlsock_recv(nl->fd, rbuf, sizeof(rbuf))) < 0)
				break;
		}
		return -EINTR;
	}
	return rc < 0 ? -errno : 0;
}

/**
 * cnm_nl_dump() - dump a kind of object (RTM_GETLINK, RTM_GETADDR, ...) of
 * the socket's namespace, feeding each message to @cb.
 * @nl: the namespace's socket
 * @type: the RTM_GET* request
 * @hdrlen: size of the request's family header (ifinfomsg, ifaddrmsg, ...);
 *	only its first byte, the family, is set
 * @family: AF_UNSPEC, AF_INET or AF_INET6
 * @cb: called for each answer (an nl_cb_t)
 * @data: passed to @cb
 *
 * Return: 0 or a negative errno (nothing is written to an error struct: the
 * caller names what it was listing).
 */
int cnm_nl_dump(struct cnm_nl *nl, uint16_t type, size_t hdrlen, uint8_t family,
		int (*cb)(const struct nlmsghdr *nlh, void *data), void *data)
{
	uint8_t buf[256] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = nlmsg_put_header(buf);
	uint8_t *fam;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = nl->seq++;
	fam = nlmsg_put_extra_header(nlh, hdrlen);
	fam[0] = family;
	if (type == RTM_GETLINK)
		nla_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	return nl_query(nl, nlh, cb, data);
}

/**
 * cnm_nl_link_index() - the ifindex of an interface by name, in @nl's namespace.
 * Return: 0, or -ENODEV when there is no such interface.
 *
 * SIOCGIFINDEX on the netlink socket itself (any socket answers it, for its
 * own namespace): a name look-up, where RTM_GETLINK made the kernel build
 * the whole link message (~1 KiB of a bridge's attributes) to be parsed.
 */
int cnm_nl_link_index(struct cnm_nl *nl, const char *name, int *ifindex, struct cnm_err *err)
{
	struct ifreq ifr = { 0 };

	for (int i = 0; nl->dry && i < nl->n_dry_made; i++) {
		if (!strcmp(nl->dry_made[i], name)) {
			*ifindex = CNM_NL_DRY_INDEX + i;
			return 0;
		}
	}
	if (!*name || strlen(name) >= sizeof(ifr.ifr_name))
		return -ENODEV;
	memcpy(ifr.ifr_name, name, strlen(name));
	if (ioctl(nl->fd, SIOCGIFINDEX, &ifr) < 0) {
		if (errno == ENODEV)
			return -ENODEV;
		return cnm_errf(err, errno, "cannot look up interface %s: %s", name,
				strerror(errno));
	}
	*ifindex = ifr.ifr_ifindex;
	return 0;
}

/**
 * cnm_nl_link_mac() - an interface's MAC as text ("aa:bb:..."), by name, in
 * @nl's namespace; one ioctl, as cnm_nl_link_index().
 * Return: 0, or a negative errno (@mac is then "").
 */
int cnm_nl_link_mac(struct cnm_nl *nl, const char *name, char mac[18])
{
	struct ifreq ifr = { 0 };
	const unsigned char *m = (const unsigned char *)ifr.ifr_hwaddr.sa_data;

	mac[0] = '\0';
	if (!*name || strlen(name) >= sizeof(ifr.ifr_name))
		return -ENODEV;
	memcpy(ifr.ifr_name, name, strlen(name));
	if (ioctl(nl->fd, SIOCGIFHWADDR, &ifr) < 0)
		return -errno;
	snprintf(mac, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	return 0;
}

struct route_walk {
	int family;
	cnm_nl_route_cb cb;
	void *data;
	int rc;
};

static int route_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = nla_get_type(attr);

	if (type <= RTA_MAX)
		tb[type] = attr;
	return NL_CB_OK;
}

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct rtmsg *rtm = nlmsg_get_payload(nlh);
	const struct nlattr *tb[RTA_MAX + 1] = { 0 };
	struct route_walk *w = data;
	struct cnm_cidr dst = { 0 };
	char dev[IF_NAMESIZE] = "";

	if (rtm->rtm_family != w->family || rtm->rtm_type != RTN_UNICAST ||
	    rtm->rtm_table != RT_TABLE_MAIN || w->rc)
		return NL_CB_OK;
	nla_parse(nlh, sizeof(*rtm), route_attr_cb, tb);
	dst.addr.family = w->family;
	dst.prefix = rtm->rtm_dst_len;
	if (tb[RTA_DST])
		memcpy(dst.addr.b, nla_get_payload(tb[RTA_DST]), w->family == AF_INET ? 4 : 16);
	if (tb[RTA_OIF])
		if_indextoname(nla_get_u32(tb[RTA_OIF]), dev);
	w->rc = w->cb(&dst, dev, w->data);
	return NL_CB_OK;
}

/**
 * cnm_nl_routes() - call @cb for each unicast route of the main table.
 * Return: 0, the first non-zero value @cb returned, or a negative errno.
 */
int cnm_nl_routes(struct cnm_nl *nl, int family, cnm_nl_route_cb cb, void *data,
		  struct cnm_err *err)
{
	uint8_t buf[256] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = nlmsg_put_header(buf);
	struct route_walk w = { family, cb, data, 0 };
	struct rtmsg *rtm;
	int rc;

	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = nl->seq++;
	rtm = nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)family;
	rc = nl_query(nl, nlh, route_cb, &w);
	if (rc)
		return cnm_errf(err, -rc, "cannot list host routes: %s", strerror(-rc));
	return w.rc;
}
