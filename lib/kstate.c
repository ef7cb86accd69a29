// SPDX-License-Identifier: MIT
/*
 * kstate.c - what the kernel says is there: one namespace's links and
 * addresses, read with two netlink dumps.
 *
 * DOC: Theory of operation
 * `cnm topology` and `cnm doctor` must show reality, not the store's belief,
 * so they read the kernel.  A snapshot is two dumps (RTM_GETLINK without
 * statistics, RTM_GETADDR) on a socket of the namespace, kept in two flat
 * arrays: a host with a thousand veths is a few hundred kilobytes, and a
 * linear search over them is cheaper than anything cleverer at this size.
 * A container's namespace is read through its bind mount, with a socket
 * opened inside it (netlink.c) and closed right after.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "kstate.h"
#include "nlattr.h"
#include "util.h"

static int grow(void **v, size_t n, size_t size)
{
	void *nv;

	/* capacity is 16, then doubles: grow when @n reaches a power of two */
	if (n && (n < 16 || (n & (n - 1))))
		return 0;
	nv = realloc(*v, (n ? n * 2 : 16) * size);
	if (!nv)
		return -ENOMEM;
	*v = nv;
	return 0;
}

static int attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = nla_get_type(attr);

	if (type <= IFLA_MAX) /* IFLA_MAX is the largest of the families read here */
		tb[type] = attr;
	return NL_CB_OK;
}

static int info_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;

	if (nla_get_type(attr) <= IFLA_INFO_MAX)
		tb[nla_get_type(attr)] = attr;
	return NL_CB_OK;
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFLA_MAX + 1] = { 0 };
	struct cnm_kstate *ks = data;
	struct cnm_klink *l;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return NL_CB_OK;
	if (grow((void **)&ks->links, ks->n_links, sizeof(*l)))
		return NL_CB_ERROR;
	l = &ks->links[ks->n_links++];
	memset(l, 0, sizeof(*l));
	l->index = ifi->ifi_index;
	l->up = ifi->ifi_flags & IFF_UP;
	nla_parse(nlh, sizeof(*ifi), attr_cb, tb);
	if (tb[IFLA_IFNAME])
		snprintf(l->name, sizeof(l->name), "%s", nla_get_str(tb[IFLA_IFNAME]));
	if (tb[IFLA_MASTER])
		l->master = (int)nla_get_u32(tb[IFLA_MASTER]);
	if (tb[IFLA_LINK])
		l->peer = (int)nla_get_u32(tb[IFLA_LINK]);
	if (tb[IFLA_LINK_NETNSID]) {
		l->has_peer_nsid = true;
		l->peer_nsid = (int)nla_get_u32(tb[IFLA_LINK_NETNSID]);
	}
	if (tb[IFLA_MTU])
		l->mtu = (int)nla_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_ADDRESS] && nla_get_payload_len(tb[IFLA_ADDRESS]) == 6) {
		memcpy(l->mac, nla_get_payload(tb[IFLA_ADDRESS]), 6);
		l->has_mac = true;
	}
	if (tb[IFLA_LINKINFO]) {
		const struct nlattr *li[IFLA_INFO_MAX + 1] = { 0 };

		nla_parse_nested(tb[IFLA_LINKINFO], info_cb, li);
		if (li[IFLA_INFO_KIND])
			snprintf(l->kind, sizeof(l->kind), "%s",
				 nla_get_str(li[IFLA_INFO_KIND]));
	}
	return NL_CB_OK;
}

static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifaddrmsg *ifa = nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFLA_MAX + 1] = { 0 };
	struct cnm_kstate *ks = data;
	const struct nlattr *a;
	struct cnm_kaddr *k;
	size_t len = ifa->ifa_family == AF_INET ? 4 : 16;

	if (nlh->nlmsg_type != RTM_NEWADDR ||
	    (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6))
		return NL_CB_OK;
	nla_parse(nlh, sizeof(*ifa), attr_cb, tb);
	/* IFA_LOCAL is the address itself; IFA_ADDRESS the peer on point-to-point */
	a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!a || nla_get_payload_len(a) != len)
		return NL_CB_OK;
	if (grow((void **)&ks->addrs, ks->n_addrs, sizeof(*k)))
		return NL_CB_ERROR;
	k = &ks->addrs[ks->n_addrs++];
	memset(k, 0, sizeof(*k));
	k->index = (int)ifa->ifa_index;
	k->cidr.addr.family = ifa->ifa_family;
	memcpy(k->cidr.addr.b, nla_get_payload(a), len);
	k->cidr.prefix = ifa->ifa_prefixlen;
	return NL_CB_OK;
}

/**
 * cnm_kstate_read() - snapshot the links and addresses of @nl's namespace.
 * Return: 0 or a negative errno; on failure @ks is empty.
 */
int cnm_kstate_read(struct cnm_nl *nl, struct cnm_kstate *ks, struct cnm_err *err)
{
	int rc = -EINTR;

	/*
	 * A dump the kernel interrupted (links changed meanwhile: a released
	 * namespace's veth going away in the background) is -EINTR: read again.
	 */
	for (int tries = 0; rc == -EINTR && tries < 10; tries++) {
		if (tries)
			cnm_kstate_free(ks);
		memset(ks, 0, sizeof(*ks));
		rc = cnm_nl_dump(nl, RTM_GETLINK, sizeof(struct ifinfomsg), AF_UNSPEC, link_cb,
				 ks);
		if (!rc)
			rc = cnm_nl_dump(nl, RTM_GETADDR, sizeof(struct ifaddrmsg), AF_UNSPEC,
					 addr_cb, ks);
	}
	if (rc) {
		cnm_kstate_free(ks);
		return cnm_errf(err, -rc, "cannot list interfaces: %s", strerror(-rc));
	}
	return 0;
}

/**
 * cnm_kstate_read_netns() - snapshot the namespace bind-mounted at @path.
 * Return: 0, -ENOENT when nothing is mounted there, or another negative errno.
 */
int cnm_kstate_read_netns(const char *path, struct cnm_kstate *ks, struct cnm_err *err)
{
	struct cnm_nl nl;
	int fd, rc;

	memset(ks, 0, sizeof(*ks));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cnm_errf(err, errno, "cannot open network namespace %s: %s", path,
				strerror(errno));
	rc = cnm_nl_open(&nl, fd, err);
	close(fd);
	if (rc)
		return rc;
	rc = cnm_kstate_read(&nl, ks, err);
	cnm_nl_close(&nl);
	return rc;
}

void cnm_kstate_free(struct cnm_kstate *ks)
{
	free(ks->links);
	free(ks->addrs);
	memset(ks, 0, sizeof(*ks));
}

const struct cnm_klink *cnm_kstate_link(const struct cnm_kstate *ks, const char *name)
{
	for (size_t i = 0; i < ks->n_links; i++)
		if (!strcmp(ks->links[i].name, name))
			return &ks->links[i];
	return NULL;
}

const struct cnm_klink *cnm_kstate_link_at(const struct cnm_kstate *ks, int index)
{
	for (size_t i = 0; i < ks->n_links; i++)
		if (ks->links[i].index == index)
			return &ks->links[i];
	return NULL;
}

void cnm_mac_format(const uint8_t mac[6], char out[18])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
		 mac[4], mac[5]);
}
