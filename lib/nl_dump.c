// SPDX-License-Identifier: MIT
/*
 * nl_dump.c - the links and addresses of one network namespace, as arrays.
 *
 * DOC: Theory of operation
 * gc and the consistency checks compare the store with what the kernel
 * holds.  One RTM_GETLINK dump and one RTM_GETADDR dump per namespace give
 * everything they need (names, kinds, bridge masters, up flags, addresses),
 * so a check costs two round trips per namespace however many objects
 * there are.  Nothing here changes the kernel.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include "nl_dump.h"
#include "util.h"

struct grow {
	void *v;
	size_t n, cap, size;
	int rc;
};

static void *grow_next(struct grow *g)
{
	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 32;
		void *nv = realloc(g->v, cap * g->size);

		if (!nv) {
			g->rc = -ENOMEM;
			return NULL;
		}
		g->v = nv;
		g->cap = cap;
	}
	return memset((char *)g->v + g->n++ * g->size, 0, g->size);
}

static int attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (type <= IFLA_MAX)
		tb[type] = attr;
	return MNL_CB_OK;
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFLA_MAX + 1] = { 0 };
	struct cnm_link *l = grow_next(data);

	if (!l)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*ifi), attr_cb, tb);
	l->ifindex = ifi->ifi_index;
	l->up = ifi->ifi_flags & IFF_UP;
	if (tb[IFLA_IFNAME])
		snprintf(l->name, sizeof(l->name), "%s", mnl_attr_get_str(tb[IFLA_IFNAME]));
	if (tb[IFLA_MASTER])
		l->master = (int)mnl_attr_get_u32(tb[IFLA_MASTER]);
	if (tb[IFLA_LINKINFO]) {
		const struct nlattr *li[IFLA_INFO_MAX + 1] = { 0 };

		mnl_attr_parse_nested(tb[IFLA_LINKINFO], attr_cb, li);
		if (li[IFLA_INFO_KIND])
			snprintf(l->kind, sizeof(l->kind), "%s", mnl_attr_get_str(li[IFLA_INFO_KIND]));
	}
	return MNL_CB_OK;
}

static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFLA_MAX + 1] = { 0 };
	struct cnm_ifaddr *a;

	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*ifa), attr_cb, tb);
	if (!tb[IFA_ADDRESS])
		return MNL_CB_OK;
	a = grow_next(data);
	if (!a)
		return MNL_CB_OK;
	a->ifindex = (int)ifa->ifa_index;
	a->prefix = ifa->ifa_prefixlen;
	a->addr.family = ifa->ifa_family;
	memcpy(a->addr.b, mnl_attr_get_payload(tb[IFA_ADDRESS]),
	       ifa->ifa_family == AF_INET ? 4 : 16);
	return MNL_CB_OK;
}

/* One dump request; every answer goes to @cb until NLMSG_DONE. */
static int dump(struct cnm_nl *nl, uint16_t type, mnl_cb_t cb, struct grow *g, const char *what,
		struct cnm_err *err)
{
	uint8_t buf[32768] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	uint32_t seq = nl->seq++;
	struct rtgenmsg *rt;
	ssize_t n;
	int rc;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	rt = mnl_nlmsg_put_extra_header(nlh, sizeof(*rt));
	rt->rtgen_family = AF_UNSPEC;
	if (mnl_socket_sendto(nl->sk, nlh, nlh->nlmsg_len) < 0)
		return cnm_errf(err, errno, "cannot list %s: %s", what, strerror(errno));
	do {
		n = mnl_socket_recvfrom(nl->sk, buf, sizeof(buf));
		if (n < 0)
			return cnm_errf(err, errno, "cannot list %s: %s", what, strerror(errno));
		rc = mnl_cb_run(buf, (size_t)n, seq, nl->portid, cb, g);
	} while (rc > 0);
	if (rc < 0)
		return cnm_errf(err, errno, "cannot list %s: %s", what, strerror(errno));
	return g->rc ? cnm_errf(err, ENOMEM, "out of memory") : 0;
}

/**
 * cnm_nl_links() - every interface of @nl's namespace.
 * @nl: socket of the namespace
 * @out: malloc'ed array (free it)
 * @n: its length
 * @err: filled on failure
 *
 * Return: 0 or a negative errno.
 */
int cnm_nl_links(struct cnm_nl *nl, struct cnm_link **out, size_t *n, struct cnm_err *err)
{
	struct grow g = { .size = sizeof(struct cnm_link) };
	int rc = dump(nl, RTM_GETLINK, link_cb, &g, "interfaces", err);

	if (rc) {
		free(g.v);
		return rc;
	}
	*out = g.v;
	*n = g.n;
	return 0;
}

/**
 * cnm_nl_addrs() - every IPv4 and IPv6 address of @nl's namespace.
 * Return: 0 or a negative errno; @out is malloc'ed.
 */
int cnm_nl_addrs(struct cnm_nl *nl, struct cnm_ifaddr **out, size_t *n, struct cnm_err *err)
{
	struct grow g = { .size = sizeof(struct cnm_ifaddr) };
	int rc = dump(nl, RTM_GETADDR, addr_cb, &g, "addresses", err);

	if (rc) {
		free(g.v);
		return rc;
	}
	*out = g.v;
	*n = g.n;
	return 0;
}

/** cnm_link_find() - the interface named @name in @v, or NULL. */
const struct cnm_link *cnm_link_find(const struct cnm_link *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return &v[i];
	return NULL;
}

/** cnm_ifaddr_has() - does interface @ifindex hold address @a? */
bool cnm_ifaddr_has(const struct cnm_ifaddr *v, size_t n, int ifindex, const struct cnm_addr *a)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].ifindex == ifindex && !cnm_addr_cmp(&v[i].addr, a))
			return true;
	return false;
}
