// SPDX-License-Identifier: MIT
/*
 * attach_check.c - CNI CHECK: does the kernel still hold an attachment?
 *
 * DOC: Theory of operation
 * The store says what an attachment should be (endpoint row); the kernel
 * says what is there (kstate.c: one link dump and one address dump per
 * namespace).  The container's interface must exist with its MAC and
 * every address; the host veth must exist and be a port of the network's
 * bridge.  The first difference is the answer, named precisely, so that
 * the runtime's log says what to repair; it is -ESTALE (the kernel no
 * longer holds what was made), not -EIO, which the CNI front door reports
 * as an I/O failure.  The MAC is the caller's when it gives one: a later
 * plugin in the chain (tuning) may have changed it, and CHECK must allow
 * that (spec 1.1.0).  The routes a runtime remembers
 * (its prevResult) are checked apart, with one route dump of the namespace,
 * as the reference plugins check them: destination, and gateway when given.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ctx.h"
#include "firewall.h"
#include "gc.h"
#include "kstate.h"
#include "nlattr.h"

static bool has_addr(const struct cnm_kstate *ks, int index, const struct cnm_addr *a,
		     int prefix)
{
	for (size_t i = 0; i < ks->n_addrs; i++)
		if (ks->addrs[i].index == index && ks->addrs[i].cidr.prefix == prefix &&
		    !cnm_addr_cmp(&ks->addrs[i].cidr.addr, a))
			return true;
	return false;
}

/* The container side: interface, MAC (@want_mac, or cnm's), addresses. */
static int check_inside(const char *netns, const struct cnm_ep *ep, const char *want_mac,
			struct cnm_err *err)
{
	struct cnm_kstate ks = { 0 };
	const struct cnm_klink *l;
	char mac[18], a[CNM_ADDRSTRLEN];
	int rc;

	rc = cnm_kstate_read_netns(netns, &ks, err);
	if (rc)
		return rc;
	l = cnm_kstate_link(&ks, ep->ifname);
	if (!l) {
		rc = cnm_errf(err, ESTALE, "interface %s is missing in %s", ep->ifname, netns);
		goto out;
	}
	cnm_mac_format(l->mac, mac);
	if (want_mac && strcasecmp(mac, want_mac)) {
		rc = cnm_errf(err, ESTALE, "prevResult says interface %s has MAC %s, it has %s",
			      ep->ifname, want_mac, mac);
		goto out;
	}
	if (!want_mac && ep->mac[0] && strcasecmp(mac, ep->mac)) {
		rc = cnm_errf(err, ESTALE, "interface %s in %s has MAC %s, expected %s", ep->ifname,
			      netns, mac, ep->mac);
		goto out;
	}
	if (ep->has_addr && !has_addr(&ks, l->index, &ep->addr, ep->prefix)) {
		cnm_addr_format(&ep->addr, a);
		rc = cnm_errf(err, ESTALE, "interface %s in %s lacks address %s/%d", ep->ifname, netns,
			      a, ep->prefix);
		goto out;
	}
	if (ep->has_addr6 && !has_addr(&ks, l->index, &ep->addr6, ep->prefix6)) {
		cnm_addr_format(&ep->addr6, a);
		rc = cnm_errf(err, ESTALE, "interface %s in %s lacks address %s/%d", ep->ifname, netns,
			      a, ep->prefix6);
	}
out:
	cnm_kstate_free(&ks);
	return rc;
}

/* The host side: the veth, a port of the bridge @brname (a VLAN network's trunk). */
static int check_host(struct cnm_ctx *ctx, const struct cnm_net *net, const char *brname,
		      const struct cnm_ep *ep, struct cnm_err *err)
{
	struct cnm_kstate ks = { 0 };
	const struct cnm_klink *veth, *br;
	struct cnm_nl *nl;
	int rc;

	rc = cnm_ctx_nl(ctx, &nl, err);
	if (!rc)
		rc = cnm_kstate_read(nl, &ks, err);
	if (rc)
		return rc;
	veth = cnm_kstate_link(&ks, ep->host_ifname);
	br = cnm_kstate_link(&ks, brname);
	if (!br)
		rc = cnm_errf(err, ESTALE, "bridge %s of network %s is missing", brname, net->name);
	else if (!veth)
		rc = cnm_errf(err, ESTALE, "host interface %s of %s is missing", ep->host_ifname,
			      ep->ifname);
	else if (veth->master != br->index)
		rc = cnm_errf(err, ESTALE, "host interface %s is not a port of bridge %s",
			      ep->host_ifname, brname);
	cnm_kstate_free(&ks);
	return rc;
}

/*
 * The firewall the attachment needs: table inet cnm (masquerade, isolation,
 * published ports) with the network's bridge in its set, as the reference
 * portmap's CHECK fails when its chains are gone.
 */
static int check_firewall(struct cnm_ctx *ctx, const struct cnm_net *net, struct cnm_err *err)
{
	const char *out;
	char pat[40];

	if (cnm_fw_table_exists() == 0 || cnm_fw_list(ctx, "list set inet cnm bridges", &out))
		return cnm_errf(err, ESTALE, "nftables table inet cnm is missing: network %s has"
				" no masquerade, isolation or published ports", net->name);
	snprintf(pat, sizeof(pat), "\"%s\"", net->bridge);
	if (!strstr(out, pat))
		return cnm_errf(err, ESTALE, "bridge %s of network %s is missing from nftables set"
				" inet cnm bridges", net->bridge, net->name);
	return 0;
}

/**
 * cnm_attach_check() - see cnm.h.
 */
int cnm_attach_check(struct cnm_ctx *ctx, const struct cnm_bridge_conf *conf,
		     const char *sandbox, const char *netns, const char *ifname,
		     const char *mac, struct cnm_err *err)
{
	struct cnm_attach_info info;
	struct cnm_net net = { 0 };
	struct cnm_ep *eps = NULL, *ep = NULL;
	char want[40];
	size_t n = 0;
	int rc;

	rc = cnm_attach_get(ctx, conf->name, sandbox, ifname, &info, err);
	if (rc)
		return rc;
	/* a VLAN network's row names its gateway interface BR.VID (attach.c) */
	if (conf->vlan)
		snprintf(want, sizeof(want), "%s.%d", conf->bridge, conf->vlan);
	else
		snprintf(want, sizeof(want), "%s", conf->bridge);
	rc = cnm_net_get(ctx, conf->name, &net, err);
	if (!rc && strcmp(net.bridge, want))
		rc = cnm_errf(err, ESTALE, "network %s uses %s, the configuration says %s",
			      conf->name, net.bridge, want);
	if (rc)
		goto out;
	/* the endpoint row itself, for the binary addresses */
	{
		sqlite3_stmt *st;

		rc = cnm_store_prepare(ctx, "SELECT container_id FROM endpoints WHERE network_id = ?"
				       " AND host_ifname = ?", &st, err);
		if (rc)
			goto out;
		sqlite3_bind_text(st, 1, net.id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, info.host_ifname, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			rc = cnm_ep_list(ctx, (const char *)sqlite3_column_text(st, 0), &eps, &n,
					 err);
		sqlite3_finalize(st);
	}
	for (size_t i = 0; i < n; i++)
		if (!strcmp(eps[i].network_id, net.id))
			ep = &eps[i];
	if (!rc && !ep)
		rc = cnm_errf(err, ENOENT, "container %s has no interface %s on network %s",
			      sandbox, ifname, conf->name);
	if (!rc && ep)
		rc = check_inside(netns, ep, mac, err);
	if (!rc && ep)
		rc = check_host(ctx, &net, conf->bridge, ep, err);
	if (!rc && ep)
		rc = check_firewall(ctx, &net, err);
out:
	free(eps);
	cnm_net_free(&net);
	return rc;
}

/* CHECK's routes: what prevResult lists must be in the container's main table. */
struct want_route {
	struct cnm_cidr dst;
	struct cnm_addr gw;	/* family 0: any gateway */
	bool found;
};

struct route_scan {
	struct want_route *w;
	size_t n;
};

static int route_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;

	if (nla_get_type(attr) <= RTA_MAX)
		tb[nla_get_type(attr)] = attr;
	return NL_CB_OK;
}

static void mask(struct cnm_cidr *c)
{
	for (int bit = c->prefix; bit < cnm_addr_bits(&c->addr); bit++)
		c->addr.b[bit / 8] &= (uint8_t)~(0x80u >> (bit % 8));
}

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct rtmsg *rtm = nlmsg_get_payload(nlh);
	const struct nlattr *tb[RTA_MAX + 1] = { 0 };
	struct route_scan *s = data;
	struct cnm_cidr dst = { .addr.family = rtm->rtm_family, .prefix = rtm->rtm_dst_len };
	struct cnm_addr gw = { 0 };
	size_t len = rtm->rtm_family == AF_INET ? 4 : 16;

	if ((rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6) ||
	    rtm->rtm_table != RT_TABLE_MAIN || rtm->rtm_type != RTN_UNICAST)
		return NL_CB_OK;
	nla_parse(nlh, sizeof(*rtm), route_attr_cb, tb);
	if (tb[RTA_DST] && nla_fits(tb[RTA_DST], len))
		memcpy(dst.addr.b, nla_get_payload(tb[RTA_DST]), len);
	if (tb[RTA_GATEWAY] && nla_fits(tb[RTA_GATEWAY], len)) {
		gw.family = rtm->rtm_family;
		memcpy(gw.b, nla_get_payload(tb[RTA_GATEWAY]), len);
	}
	for (size_t i = 0; i < s->n; i++) {
		struct want_route *w = &s->w[i];

		if (!w->found && w->dst.prefix == dst.prefix && !cnm_addr_cmp(&w->dst.addr, &dst.addr))
			w->found = !w->gw.family || (gw.family && !cnm_addr_cmp(&w->gw, &gw));
	}
	return NL_CB_OK;
}

/**
 * cnm_attach_check_routes() - see cnm.h.
 */
int cnm_attach_check_routes(const char *netns, const char *const *routes, size_t n,
			    struct cnm_err *err)
{
	struct route_scan s = { calloc(n ? n : 1, sizeof(*s.w)), n };
	struct cnm_nl nl = { 0 };
	int fd = -1, rc = 0;

	if (!s.w)
		return cnm_errf(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < n && !rc; i++) {
		char dst[CNM_CIDRSTRLEN + 1];
		const char *via = strstr(routes[i], " via ");

		snprintf(dst, sizeof(dst), "%.*s", (int)(via ? via - routes[i] :
						      (long)strlen(routes[i])), routes[i]);
		if (cnm_cidr_parse(dst, &s.w[i].dst) || (via && cnm_addr_parse(via + 5, &s.w[i].gw)))
			rc = cnm_errf(err, EINVAL, "invalid route \"%s\"", routes[i]);
		mask(&s.w[i].dst);
	}
	if (rc || !n)
		goto out;
	fd = open(netns, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = cnm_errf(err, errno, "cannot open network namespace %s: %s", netns,
			      strerror(errno));
		goto out;
	}
	rc = cnm_nl_open(&nl, fd, err);
	if (rc)
		goto out;
	/* a dump the kernel interrupted (routes changed meanwhile) is -EINTR: again */
	rc = -EINTR;
	for (int tries = 0; rc == -EINTR && tries < 10; tries++) {
		for (size_t i = 0; i < n; i++)
			s.w[i].found = false;
		rc = cnm_nl_dump(&nl, RTM_GETROUTE, sizeof(struct rtmsg), AF_UNSPEC, route_cb, &s);
	}
	if (rc) {
		rc = cnm_errf(err, -rc, "cannot list the routes in %s: %s", netns, strerror(-rc));
		goto out;
	}
	for (size_t i = 0; i < n && !rc; i++)
		if (!s.w[i].found)
			rc = cnm_errf(err, ESTALE, "route %s is missing in %s", routes[i], netns);
out:
	cnm_nl_close(&nl);
	if (fd >= 0)
		close(fd);
	free(s.w);
	return rc;
}
