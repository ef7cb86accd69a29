// SPDX-License-Identifier: MIT
/*
 * attach.c - interfaces in namespaces that someone else made: the core of
 * the CNI front door, usable by any runtime through cnm.h.
 *
 * DOC: Theory of operation
 * A CNI runtime owns the namespace and describes the network whole in
 * every call.  cnm keeps the same three rows it keeps for its own
 * containers, so IPAM, published ports and the firewall are shared code:
 *
 *   network   from the description (struct cnm_bridge_conf); created on
 *             first use, replaced when the description changed and nothing
 *             is attached, refused when it changed under attached sandboxes
 *   container one per sandbox (the runtime's container id is its name,
 *             network_mode "cni", no process of cnm's: pid 0); it lives
 *             while it has an endpoint and goes with the last one
 *   endpoint  one per interface, with the address: UNIQUE(network, addr)
 *             makes concurrent ADDs safe
 *
 * Attach commits the rows first (intent), then wires the kernel (the
 * bridge driver, as for `cnm run`) and adds the port elements; any failure
 * undoes both.  Detach deletes the host veth first, so an address is never
 * free while an interface still holds it, then the rows and ports.  A
 * namespace that is already gone took its veth with it: detach still
 * releases the rows, which is what makes CNI DEL idempotent and complete.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <linux/if_link.h>
#include <linux/nsfs.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "driver.h"
#include "endpoint.h"
#include "fault.h"
#include "firewall.h"
#include "publish.h"

/*
 * The CNI spec's names (network name, container id): an alphanumeric
 * character, optionally followed by [a-zA-Z0-9_.-]; one character is
 * enough, unlike cnm's own names (cnm_name_valid wants two).
 */
static bool cni_name_valid(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > max || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') ||
				   (s[0] >= '0' && s[0] <= '9')))
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

/* One family of a bridge conf into a pool; @subnet NULL leaves it unused. */
static int pool_from_conf(const char *net, const char *subnet, const char *gw,
			  const char *start, const char *end, int family, bool *used,
			  struct cnm_pool *pool, struct cnm_err *err)
{
	const char *bad = NULL;

	*used = false;
	memset(pool, 0, sizeof(*pool));
	if (!subnet)
		return 0;
	if (cnm_cidr_parse(subnet, &pool->subnet) || pool->subnet.addr.family != family)
		return cnm_errf(err, EINVAL, "network %s: invalid IPv%c subnet \"%s\"", net,
				family == AF_INET ? '4' : '6', subnet);
	cnm_cidr_network(&pool->subnet, &pool->subnet.addr);
	pool->range = pool->subnet;
	pool->has_gateway = true;
	if (gw) {
		if (cnm_addr_parse(gw, &pool->gateway) ||
		    !cnm_cidr_contains(&pool->subnet, &pool->gateway))
			bad = gw;
	} else {
		pool->gateway = pool->subnet.addr;
		cnm_addr_add(&pool->gateway, 1);
	}
	if (!bad && (start || end)) {
		pool->has_bounds = true;
		cnm_cidr_network(&pool->subnet, &pool->lo);
		cnm_cidr_last(&pool->subnet, &pool->hi);
		/* NOLINTBEGIN(bugprone-branch-clone): the start is blamed for start > end too */
		if (start && (cnm_addr_parse(start, &pool->lo) ||
			      !cnm_cidr_contains(&pool->subnet, &pool->lo)))
			bad = start;
		else if (end && (cnm_addr_parse(end, &pool->hi) ||
				 !cnm_cidr_contains(&pool->subnet, &pool->hi)))
			bad = end;
		else if (cnm_addr_cmp(&pool->lo, &pool->hi) > 0)
			bad = start;
		/* NOLINTEND(bugprone-branch-clone) */
	}
	if (bad)
		return cnm_errf(err, EINVAL, "network %s: address \"%s\" is not inside subnet %s"
				" (or the range is empty)", net, bad, subnet);
	*used = true;
	return 0;
}

/* The network row a conf describes (id and created left empty). */
static int net_from_conf(const struct cnm_bridge_conf *c, struct cnm_net *n,
			 struct cnm_err *err)
{
	int rc;

	memset(n, 0, sizeof(*n));
	if (!cni_name_valid(c->name, CNM_NAME_MAX))
		return cnm_errf(err, EINVAL, "invalid network name \"%s\": it must match"
				" [a-zA-Z0-9][a-zA-Z0-9_.-]* and have at most %d characters",
				c->name ? c->name : "", CNM_NAME_MAX);
	if (!c->bridge || !*c->bridge || strlen(c->bridge) >= sizeof(n->bridge) ||
	    strchr(c->bridge, '/') || strpbrk(c->bridge, " \t\n"))
		return cnm_errf(err, EINVAL, "network %s: invalid bridge name \"%s\" (1 to 15"
				" bytes, no '/' or spaces)", c->name, c->bridge ? c->bridge : "");
	if (c->mtu < 0 || c->mtu > 65535)
		return cnm_errf(err, EINVAL, "network %s: invalid mtu %d", c->name, c->mtu);
	if (c->vlan < 0 || c->vlan > 4094)
		return cnm_errf(err, EINVAL, "network %s: invalid vlan %d (0 to 4094)", c->name,
				c->vlan);
	snprintf(n->name, sizeof(n->name), "%s", c->name);
	snprintf(n->driver, sizeof(n->driver), "bridge");
	snprintf(n->bridge, sizeof(n->bridge), "%s", c->bridge);
	if (c->vlan) { /* the row's bridge is the VLAN's gateway interface, BR.VID */
		if (strlen(c->bridge) + 1 + (size_t)snprintf(NULL, 0, "%d", c->vlan) >=
		    sizeof(n->bridge))
			return cnm_errf(err, EINVAL, "network %s: bridge name \"%s\" is too long for"
					" vlan %d: its gateway interface %s.%d would exceed 15"
					" bytes", c->name, c->bridge, c->vlan, c->bridge, c->vlan);
		snprintf(n->trunk, sizeof(n->trunk), "%s", c->bridge);
		snprintf(n->bridge, sizeof(n->bridge), "%s.%d", c->bridge, c->vlan);
		n->vlan = c->vlan;
		n->vlan_keep_default = c->preserve_default_vlan;
	}
	rc = pool_from_conf(c->name, c->subnet, c->gateway, c->range_start, c->range_end,
			    AF_INET, &n->has_pool, &n->pool, err);
	if (!rc)
		rc = pool_from_conf(c->name, c->subnet6, c->gateway6, c->range_start6,
				    c->range_end6, AF_INET6, &n->has_pool6, &n->pool6, err);
	if (rc)
		return rc;
	n->mtu = c->mtu ? c->mtu : 1500;
	n->ipv6 = n->has_pool6;
	n->icc = !c->port_isolation;
	n->masquerade = c->masquerade;
	snprintf(n->host_binding, sizeof(n->host_binding), "0.0.0.0");
	snprintf(n->iface_prefix, sizeof(n->iface_prefix), "eth");
	n->no_bridge_addr = !c->is_gateway;
	n->no_hairpin = !c->hairpin;
	n->promisc = c->promisc;
	return 0;
}

static bool same_pool(bool used_a, const struct cnm_pool *a, bool used_b,
		      const struct cnm_pool *b)
{
	if (used_a != used_b)
		return false;
	return !used_a || (!cnm_addr_cmp(&a->subnet.addr, &b->subnet.addr) &&
			   a->subnet.prefix == b->subnet.prefix &&
			   !cnm_addr_cmp(&a->gateway, &b->gateway));
}

static int count_eps(struct cnm_ctx *ctx, const char *network_id)
{
	sqlite3_stmt *st;
	int n = 0;

	if (cnm_store_prepare(ctx, "SELECT count(*) FROM endpoints WHERE network_id = ?", &st,
			      NULL))
		return -EIO;
	sqlite3_bind_text(st, 1, network_id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

/*
 * Under the lock: make the row of @want (from net_from_conf) current and
 * fill its id.  The conf's transient flags stay in @want.
 */
static int net_upsert(struct cnm_ctx *ctx, struct cnm_net *want, struct cnm_err *err)
{
	struct cnm_net have;
	int rc, users;

	rc = cnm_net_get(ctx, want->name, &have, NULL);
	if (rc == 0 && strcmp(have.name, want->name))
		rc = -ENOENT; /* an id prefix matched, not the name */
	if (rc == 0) {
		bool same = !strcmp(have.bridge, want->bridge) && have.mtu == want->mtu &&
			    have.icc == want->icc && have.masquerade == want->masquerade &&
			    same_pool(have.has_pool, &have.pool, want->has_pool, &want->pool) &&
			    same_pool(have.has_pool6, &have.pool6, want->has_pool6, &want->pool6);

		snprintf(want->id, sizeof(want->id), "%s", have.id);
		snprintf(want->created, sizeof(want->created), "%s", have.created);
		users = same ? 0 : count_eps(ctx, have.id);
		if (!same && users != 0) {
			rc = cnm_errf(err, EBUSY, "network %s changed (bridge, vlan, subnet, gateway,"
				      " mtu, ipMasq or portIsolation) while %d interface%s attached:"
				      " detach them first", want->name, users,
				      users == 1 ? " is" : "s are");
		} else if (!same) {
			/* not a bridge that is now this network's trunk (it may be shared) */
			if (strcmp(have.bridge, want->bridge) && strcmp(have.bridge, want->trunk))
				cnm_link_delete(ctx, have.bridge, NULL);
			cnm_fw_network_del(ctx, &have, NULL);
			rc = cnm_net_delete(ctx, have.id, err);
			if (!rc)
				rc = cnm_net_insert(ctx, want, err);
		}
		cnm_net_free(&have);
		return rc;
	}
	if (rc != -ENOENT)
		return rc;
	rc = cnm_random_id(want->id);
	if (rc)
		return cnm_errf(err, -rc, "cannot generate an id");
	cnm_now_rfc3339(want->created);
	rc = cnm_net_insert(ctx, want, err);
	if (rc == -EEXIST && !strstr(err->msg, "already exists") && want->vlan)
		rc = cnm_errf(err, EEXIST, "network %s: vlan %d of bridge %s belongs to another"
			      " network", want->name, want->vlan, want->trunk);
	else if (rc == -EEXIST && !strstr(err->msg, "already exists"))
		rc = cnm_errf(err, EEXIST, "network %s: bridge %s belongs to another network",
			      want->name, want->bridge);
	return rc;
}

/* Under the lock: the sandbox's container row, or -ENOENT. */
static int sandbox_get(struct cnm_ctx *ctx, const char *sandbox, struct cnm_ctr *c,
		       struct cnm_err *err)
{
	sqlite3_stmt *st;
	char id[CNM_ID_LEN + 1] = "";
	int rc;

	rc = cnm_store_prepare(ctx, "SELECT id FROM containers WHERE name = ? AND network_mode ="
			       " 'cni'", &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, sandbox, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		cnm_col_text(st, 0, id, sizeof(id));
	sqlite3_finalize(st);
	if (!id[0])
		return -ENOENT;
	return cnm_ctr_get_id(ctx, id, c, err);
}

static int sandbox_insert(struct cnm_ctx *ctx, const char *sandbox, const struct cnm_net *net,
			  struct cnm_ctr *c, struct cnm_err *err)
{
	int rc;

	memset(c, 0, sizeof(*c));
	rc = cnm_random_id(c->id);
	if (rc)
		return cnm_errf(err, -rc, "cannot generate an id");
	snprintf(c->name, sizeof(c->name), "%s", sandbox);
	cnm_now_rfc3339(c->created);
	snprintf(c->network_id, sizeof(c->network_id), "%s", net->id);
	snprintf(c->network_mode, sizeof(c->network_mode), "cni");
	/* running from the start: its interface follows in this command, or the row goes */
	snprintf(c->state, sizeof(c->state), "running");
	c->argv = strdup("[]");
	if (!c->argv)
		return cnm_errf(err, ENOMEM, "out of memory");
	rc = cnm_ctr_insert(ctx, c, err);
	if (rc == -EEXIST)
		return cnm_errf(err, EEXIST, "container name %s is taken by a container of cnm's"
				" own in state directory %s", sandbox, ctx->state_dir);
	return rc;
}

static int parse_routes(const struct cnm_attach_spec *s, struct cnm_ep *ep, struct cnm_err *err)
{
	if (s->n_routes > CNM_ROUTES_MAX)
		return cnm_errf(err, E2BIG, "%s: %zu routes, at most %d are supported", s->ifname,
				s->n_routes, CNM_ROUTES_MAX);
	for (size_t i = 0; i < s->n_routes; i++) {
		struct cnm_route_cfg *r = &ep->routes[ep->n_routes];
		char dst[CNM_CIDRSTRLEN + 1];
		const char *via = strstr(s->routes[i], " via ");
		size_t dl = via ? (size_t)(via - s->routes[i]) : strlen(s->routes[i]);

		snprintf(dst, sizeof(dst), "%.*s", (int)(dl < sizeof(dst) ? dl : 0), s->routes[i]);
		if (cnm_cidr_parse(dst, &r->dst))
			return cnm_errf(err, EINVAL, "invalid route destination \"%s\"", dst);
		cnm_cidr_network(&r->dst, &r->dst.addr);
		r->has_gw = via && via[5];
		if (r->has_gw && (cnm_addr_parse(via + 5, &r->gw) ||
				  r->gw.family != r->dst.addr.family))
			return cnm_errf(err, EINVAL, "invalid route gateway \"%s\"", via + 5);
		/* the default route through the gateway is added already */
		if (r->dst.prefix == 0 && ep->default_route &&
		    ((r->dst.addr.family == AF_INET && ep->has_gateway) ||
		     (r->dst.addr.family == AF_INET6 && ep->has_gateway6)))
			continue;
		if (!r->has_gw) { /* host-local's rule: a route without gw uses the gateway */
			bool v4 = r->dst.addr.family == AF_INET;

			if (v4 ? !ep->has_gateway : !ep->has_gateway6)
				continue;
			r->has_gw = true;
			r->gw = v4 ? ep->gateway : ep->gateway6;
		}
		if ((r->dst.addr.family == AF_INET && !ep->has_addr) ||
		    (r->dst.addr.family == AF_INET6 && !ep->has_addr6))
			continue;
		ep->n_routes++;
	}
	return 0;
}

static void info_fill(struct cnm_ctx *ctx, const struct cnm_net *net, const struct cnm_ep *ep,
		      struct cnm_attach_info *info)
{
	char a[CNM_ADDRSTRLEN];
	struct cnm_nl *nl;

	memset(info, 0, sizeof(*info));
	/* a VLAN network's row names its gateway; the bridge is the trunk */
	snprintf(info->bridge, sizeof(info->bridge), "%s", net->vlan ? net->trunk : net->bridge);
	snprintf(info->host_ifname, sizeof(info->host_ifname), "%s", ep->host_ifname);
	/* the host side's MACs, which CNI results carry as the bridge plugin's do */
	if (!ctx->dry && !cnm_ctx_nl(ctx, &nl, NULL)) {
		cnm_nl_link_mac(nl, info->bridge, info->bridge_mac);
		cnm_nl_link_mac(nl, info->host_ifname, info->host_mac);
	}
	snprintf(info->ifname, sizeof(info->ifname), "%s", ep->ifname);
	snprintf(info->mac, sizeof(info->mac), "%s", ep->mac);
	if (ep->has_addr) {
		cnm_addr_format(&ep->addr, a);
		snprintf(info->addr, sizeof(info->addr), "%s/%d", a, ep->prefix);
	}
	if (ep->has_gateway)
		cnm_addr_format(&ep->gateway, info->gateway);
	if (ep->has_addr6) {
		cnm_addr_format(&ep->addr6, a);
		snprintf(info->addr6, sizeof(info->addr6), "%s/%d", a, ep->prefix6);
	}
	if (ep->has_gateway6)
		cnm_addr_format(&ep->gateway6, info->gateway6);
}

/* Under the lock: remove an endpoint's rows; the sandbox's with its last one. */
static int forget_ep(struct cnm_ctx *ctx, const struct cnm_ctr *c, const char *ep_id,
		     struct cnm_err *err)
{
	struct cnm_ep *eps = NULL;
	size_t n = 0;
	int rc;

	rc = cnm_ep_delete(ctx, ep_id, err);
	if (!rc)
		rc = cnm_ep_list(ctx, c->id, &eps, &n, err);
	if (!rc && n == 0) {
		rc = cnm_publish_release(ctx, c->id, err);
		if (!rc)
			rc = cnm_ctr_delete(ctx, c->id, err);
	}
	free(eps);
	return rc;
}

/* Under the lock: plan and insert the rows of a new attachment. */
static int plan_rows(struct cnm_ctx *ctx, struct cnm_net *net, const struct cnm_attach_spec *s,
		     struct cnm_ctr *c, struct cnm_ep *ep, struct cnm_err *err)
{
	struct cnm_ep *eps = NULL;
	size_t n = 0;
	int rc;

	rc = net_upsert(ctx, net, err);
	if (rc)
		return rc;
	/*
	 * Most ADDs are a new sandbox's (no interface to clash with): insert
	 * it, and look for the row only when its name is taken, one statement
	 * instead of two.
	 */
	rc = sandbox_insert(ctx, s->sandbox, net, c, err);
	if (rc == -EEXIST) {
		struct cnm_err taken = *err;

		cnm_ctr_free(c);
		rc = sandbox_get(ctx, s->sandbox, c, err);
		if (rc == -ENOENT) { /* a container of cnm's own has the name */
			*err = taken;
			rc = -EEXIST;
		} else if (!rc) {
			rc = cnm_ep_list(ctx, c->id, &eps, &n, err);
		}
	}
	for (size_t i = 0; i < n && !rc; i++) {
		bool same_net = !strcmp(eps[i].network_id, net->id);

		if (same_net || !strcmp(eps[i].ifname, s->ifname))
			rc = cnm_errf(err, EEXIST, "container %s already has interface %s on %s%s%s",
				      s->sandbox, eps[i].ifname, same_net ? "network " : "another"
				      " network", same_net ? net->name : "",
				      strcmp(eps[i].ifname, s->ifname) ?
				      " (cnm gives a container one interface per network)" : "");
	}
	free(eps);
	if (!rc)
		rc = cnm_ep_plan(ctx, net, c->id, 0, s->ip, s->ip6, ep, err);
	if (rc)
		return rc;
	snprintf(ep->ifname, sizeof(ep->ifname), "%s", s->ifname);
	if (s->mac && (rc = cnm_ep_set_mac(ep, s->mac, err)))
		return rc;
	ep->default_route = s->default_route;
	ep->dad = s->dad;
	ep->no_spoofchk = s->no_spoof_check;
	ep->routes_shared = true; /* CNI: the first network's route wins */
	rc = parse_routes(s, ep, err);
	if (!rc)
		rc = cnm_ep_insert_checked(ctx, net, ep, s->sandbox, err);
	if (!rc && s->n_publish)
		rc = cnm_publish_plan(ctx, c->id, s->publish, s->n_publish, net, ep,
				      !s->ports_held, err);
	return rc;
}

/**
 * cnm_attach() - see cnm.h.
 */
int cnm_attach(struct cnm_ctx *ctx, const struct cnm_bridge_conf *conf,
	       const struct cnm_attach_spec *s, struct cnm_attach_info *info,
	       struct cnm_err *err)
{
	const struct cnm_driver *drv = cnm_driver_find("bridge");
	struct cnm_net net;
	struct cnm_ctr c = { 0 };
	struct cnm_ep ep;
	int rc, fd = -1;

	rc = net_from_conf(conf, &net, err);
	if (rc)
		return rc;
	if (!cni_name_valid(s->sandbox, CNM_NAME_MAX))
		return cnm_errf(err, EINVAL, "invalid container id \"%s\": it must match"
				" [a-zA-Z0-9][a-zA-Z0-9_.-]* and have at most %d characters",
				s->sandbox ? s->sandbox : "", CNM_NAME_MAX);
	if (!s->ifname || !*s->ifname || strlen(s->ifname) >= 16 || strchr(s->ifname, '/') ||
	    strpbrk(s->ifname, " \t\n:") || !strcmp(s->ifname, ".") || !strcmp(s->ifname, ".."))
		return cnm_errf(err, EINVAL, "invalid interface name \"%s\"",
				s->ifname ? s->ifname : "");
	fd = open(s->netns, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cnm_errf(err, errno, "cannot open network namespace %s: %s", s->netns,
				strerror(errno));
	/* a file or another kind of namespace would fail only at the veth, obscurely */
	if (ioctl(fd, NS_GET_NSTYPE) != CLONE_NEWNET) {
		rc = cnm_errf(err, EINVAL, "%s is not a network namespace", s->netns);
		goto out;
	}
	rc = cnm_store_begin(ctx, err);
	if (rc)
		goto out;
	rc = plan_rows(ctx, &net, s, &c, &ep, err);
	if (rc) {
		cnm_store_rollback(ctx);
		goto out;
	}
	rc = cnm_store_commit(ctx, err);
	if (rc)
		goto out;
	cnm_fault("cni.add.rows");
	rc = drv->attach(ctx, &net, &ep, fd, err);
	if (!rc && s->n_publish && (rc = cnm_publish_fw(ctx, c.id, true, err)) && !ep.no_spoofchk)
		cnm_fw_endpoint_del(ctx, &ep);	/* a failed attach took its own back */
	if (rc) { /* undo: the interface first, then the rows */
		cnm_link_delete(ctx, ep.host_ifname, NULL);
		if (cnm_store_begin(ctx, NULL) == 0) {
			if (forget_ep(ctx, &c, ep.id, NULL))
				cnm_store_rollback(ctx);
			else
				cnm_store_commit(ctx, NULL);
		}
		goto out;
	}
	if (info)
		info_fill(ctx, &net, &ep, info);
out:
	close(fd);
	cnm_ctr_free(&c);
	cnm_net_free(&net);
	return rc;
}

/* The rows of one attachment, read without the lock. */
static int find(struct cnm_ctx *ctx, const char *network, const char *sandbox,
		const char *ifname, struct cnm_net *net, struct cnm_ctr *c, struct cnm_ep *ep,
		struct cnm_err *err)
{
	int rc;

	memset(net, 0, sizeof(*net));
	memset(c, 0, sizeof(*c));
	rc = cnm_net_get(ctx, network, net, NULL);
	if (rc == 0 && strcmp(net->name, network))
		rc = -ENOENT;
	if (!rc)
		rc = sandbox_get(ctx, sandbox, c, NULL);
	if (!rc)
		rc = cnm_ep_get_on(ctx, c->id, net->id, ep, NULL);
	if (!rc && ifname && strcmp(ep->ifname, ifname))
		rc = -ENOENT;
	if (rc == -ENOENT)
		return cnm_errf(err, ENOENT, "container %s has no interface %s on network %s",
				sandbox, ifname ? ifname : "", network);
	return rc ? cnm_errf(err, -rc, "cannot read the attachment of %s to %s", sandbox,
			     network) : 0;
}

/**
 * cnm_attach_get() - see cnm.h.
 */
int cnm_attach_get(struct cnm_ctx *ctx, const char *network, const char *sandbox,
		   const char *ifname, struct cnm_attach_info *info, struct cnm_err *err)
{
	struct cnm_net net;
	struct cnm_ctr c;
	struct cnm_ep ep;
	int rc;

	rc = find(ctx, network, sandbox, ifname, &net, &c, &ep, err);
	if (!rc)
		info_fill(ctx, &net, &ep, info);
	cnm_net_free(&net);
	cnm_ctr_free(&c);
	return rc;
}

/**
 * cnm_detach() - see cnm.h.
 */
int cnm_detach(struct cnm_ctx *ctx, const char *network, const char *sandbox,
	       const char *ifname, struct cnm_err *err)
{
	struct cnm_net net;
	struct cnm_ctr c;
	struct cnm_ep ep;
	int rc;

	rc = find(ctx, network, sandbox, ifname, &net, &c, &ep, NULL);
	if (rc == -ENOENT) {
		rc = 0; /* nothing to do: DEL is idempotent */
		goto out;
	}
	if (rc) {
		rc = cnm_errf(err, -rc, "cannot read the attachment of %s to %s", sandbox, network);
		goto out;
	}
	/* the interface first: its address must not be handed out while it exists */
	rc = cnm_link_delete(ctx, ep.host_ifname, err);
	if (rc)
		goto out;
	cnm_fw_endpoint_del(ctx, &ep);
	cnm_fault("cni.del.veth");
	rc = cnm_store_begin(ctx, err);
	if (rc)
		goto out;
	rc = forget_ep(ctx, &c, ep.id, err);
	if (rc)
		cnm_store_rollback(ctx);
	else
		rc = cnm_store_commit(ctx, err);
out:
	cnm_net_free(&net);
	cnm_ctr_free(&c);
	return rc;
}

/**
 * cnm_attach_gc() - see cnm.h.
 */
int cnm_attach_gc(struct cnm_ctx *ctx, const char *network, const char *const *keep,
		  size_t n_keep, size_t *removed, struct cnm_err *err)
{
	struct { char sandbox[CNM_NAME_MAX + 1], ifname[16]; } *v = NULL;
	size_t n = 0, cap = 0, done = 0;
	sqlite3_stmt *st;
	int rc;

	rc = cnm_store_prepare(ctx, "SELECT c.name, e.ifname FROM endpoints e JOIN containers c ON"
			       " c.id = e.container_id JOIN networks n ON n.id = e.network_id"
			       " WHERE n.name = ? AND c.network_mode = 'cni'", &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, network, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (n == cap) {
			void *nv = realloc(v, (cap = cap ? cap * 2 : 16) * sizeof(*v));

			if (!nv) {
				rc = cnm_errf(err, ENOMEM, "out of memory");
				break;
			}
			v = nv;
		}
		cnm_col_text(st, 0, v[n].sandbox, sizeof(v[n].sandbox));
		cnm_col_text(st, 1, v[n].ifname, sizeof(v[n].ifname));
		n++;
	}
	sqlite3_finalize(st);
	for (size_t i = 0; i < n && !rc; i++) {
		char key[CNM_NAME_MAX + 20];
		bool valid = false;

		snprintf(key, sizeof(key), "%s/%s", v[i].sandbox, v[i].ifname);
		for (size_t k = 0; k < n_keep && !valid; k++)
			valid = !strcmp(keep[k], key);
		if (valid)
			continue;
		rc = cnm_detach(ctx, network, v[i].sandbox, v[i].ifname, err);
		if (!rc)
			done++;
	}
	free(v);
	if (removed)
		*removed = done;
	return rc;
}
