// SPDX-License-Identifier: MIT
/*
 * network_ops.c - `network rm`, `prune`, `connect` and `disconnect`.
 *
 * DOC: Theory of operation
 * rm: under the lock, endpoints whose container died without its monitor
 * are released first ("unless they are gone"); any live one makes it an
 * error naming the containers.  The bridge is deleted while the lock is
 * held, so no `run` can attach to a network being removed.
 *
 * connect: the endpoint row is committed first (intent), then the driver
 * wires a new interface into the running container's namespace; a failure
 * deletes the row again.  disconnect deletes the host veth first (its peer
 * goes with it, and so does the address inside the container), then the
 * row: the address is never free while an interface still holds it.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "container.h"
#include "dns.h"
#include "driver.h"
#include "endpoint.h"
#include "fault.h"
#include "firewall.h"
#include "publish.h"
#include "relay.h"

/*
 * A running container disconnected from the network it was started on still
 * names it (containers.network_id, which must name a network): its oldest
 * remaining network becomes its own, as it would on the next connect.
 */
static int repoint(struct cnm_ctx *ctx, const char *ctr_id)
{
	sqlite3_stmt *st;

	if (cnm_store_prepare(ctx, "UPDATE containers SET network_id = (SELECT e.network_id FROM"
			      " endpoints e WHERE e.container_id = ?1 ORDER BY e.rowid LIMIT 1)"
			      " WHERE id = ?1", &st, NULL))
		return -EIO;
	sqlite3_bind_text(st, 1, ctr_id, -1, SQLITE_STATIC);
	return cnm_store_step_done(ctx, st, "update container", NULL);
}

/*
 * Under the lock: release containers on @net whose process is gone; list
 * the live ones in @busy.  Return the number of live ones.  A running
 * container that only names @net as the one it was started on (it was
 * disconnected from it) does not count when it is on another network: it
 * is re-pointed there, once nothing else keeps @net.
 */
static int live_users(struct cnm_ctx *ctx, const struct cnm_net *net, char *busy, size_t len)
{
	char moved[16][CNM_ID_LEN + 1];
	size_t n_moved = 0;
	sqlite3_stmt *st;
	int live = 0;

	busy[0] = '\0';
	if (cnm_store_prepare(ctx, "SELECT c.id, EXISTS (SELECT 1 FROM endpoints e WHERE"
			      " e.container_id = c.id AND e.network_id = ?1), EXISTS (SELECT 1 FROM"
			      " endpoints e WHERE e.container_id = c.id) FROM containers c WHERE"
			      " c.network_id = ?1 OR c.id IN (SELECT container_id FROM endpoints"
			      " WHERE network_id = ?1)", &st, NULL))
		return -EIO;
	sqlite3_bind_text(st, 1, net->id, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		bool attached = sqlite3_column_int(st, 1), elsewhere = sqlite3_column_int(st, 2);
		size_t used = strlen(busy);
		const char *why = NULL;
		struct cnm_ctr c;
		bool running;

		if (cnm_ctr_get_id(ctx, (const char *)sqlite3_column_text(st, 0), &c, NULL))
			continue;
		/* gone without its monitor: release it now */
		if (strcmp(c.state, "exited") && !cnm_ctr_alive(&c) &&
		    cnm_release_locked(ctx, c.id, 137, false, NULL) >= 0)
			strcpy(c.state, "exited");
		running = strcmp(c.state, "exited");
		/* running here, or stopped with this as its network (it names it) */
		if (running && attached)
			why = "";
		else if (!running && !strcmp(c.network_id, net->id))
			why = " (stopped)";
		else if (running && (!elsewhere || n_moved == ARRAY_SIZE(moved)))
			why = " (started on it, on no other network)";
		else if (running)
			memcpy(moved[n_moved++], c.id, sizeof(moved[0]));
		if (why) {
			snprintf(busy + used, len - used, "%s%s%s", used ? ", " : "", c.name, why);
			live++;
		}
		cnm_ctr_free(&c);
	}
	sqlite3_finalize(st);
	for (size_t i = 0; i < n_moved && !live; i++) {
		int rc = repoint(ctx, moved[i]);

		if (rc)
			return rc;
	}
	return live;
}

/* Under the lock: remove one network that is known to exist. */
static int remove_locked(struct cnm_ctx *ctx, struct cnm_net *n, bool quiet_busy,
			 struct cnm_err *err)
{
	char busy[512];
	int rc;

	if (n->builtin)
		return cnm_errf(err, EPERM, "%s is a pre-defined network and cannot be removed",
				n->name);
	if (live_users(ctx, n, busy, sizeof(busy)) != 0)
		return quiet_busy ? -EBUSY
				  : cnm_errf(err, EBUSY, "error while removing network: network"
					     " %s id %s has active endpoints (%s)", n->name, n->id,
					     busy);
	rc = cnm_link_delete(ctx, n->bridge, err);
	if (rc)
		return rc;
	cnm_fault("network.rm.bridge");
	cnm_fw_network_del(ctx, n, NULL);
	cnm_fault("network.rm.elements");
	cnm_fw_drop_if_unused(ctx, n->bridge);
	return cnm_net_delete(ctx, n->id, err);
}

/**
 * cnm_network_remove() - see cnm.h.
 */
int cnm_network_remove(struct cnm_ctx *ctx, const char *ref, struct cnm_err *err)
{
	struct cnm_net n;
	int rc;

	rc = cnm_store_begin(ctx, err);
	if (rc)
		return rc;
	rc = cnm_net_get(ctx, ref, &n, err);
	if (!rc) {
		rc = remove_locked(ctx, &n, false, err);
		cnm_net_free(&n);
	}
	if (rc) {
		cnm_store_rollback(ctx);
		return rc;
	}
	rc = cnm_store_commit(ctx, err);
	if (!rc)	/* stop listening on its gateway (n.id outlives cnm_net_free()) */
		cnm_dns_sync_net(ctx, n.id, false);
	return rc;
}

void cnm_strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/*
 * Remove the networks of @ids (NULL: every user network) that no container
 * uses.  One transaction: a network is either removed with its rows or left.
 */
static int prune(struct cnm_ctx *ctx, const char *const *only, size_t n_only, char ***names,
		 size_t *n_names, struct cnm_err *err)
{
	char **v = NULL, (*ids)[CNM_ID_LEN + 1] = NULL;
	size_t n = 0, n_ids = 0;
	sqlite3_stmt *st;
	int rc;

	rc = cnm_store_begin(ctx, err);
	if (rc)
		return rc;
	rc = cnm_store_prepare(ctx, "SELECT id FROM networks WHERE builtin = 0 ORDER BY name",
			       &st, err);
	if (rc) {
		cnm_store_rollback(ctx);
		return rc;
	}
	while (!rc && sqlite3_step(st) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		bool chosen = !only;
		void *more;

		for (size_t k = 0; k < n_only && !chosen; k++)
			chosen = id && !strcmp(only[k], id);
		if (!chosen)
			continue;
		more = realloc(ids, (n_ids + 1) * sizeof(*ids));
		if (!more) {
			rc = cnm_errf(err, ENOMEM, "out of memory");
			break;
		}
		ids = more;
		cnm_col_text(st, 0, ids[n_ids++], sizeof(ids[0]));
	}
	sqlite3_finalize(st);
	for (size_t i = 0; i < n_ids && !rc; i++) {
		struct cnm_net net;
		char **nv;

		if (cnm_net_get(ctx, ids[i], &net, NULL))
			continue;
		rc = remove_locked(ctx, &net, true, err);
		if (rc == -EBUSY) {
			rc = 0;
		} else if (!rc) {
			nv = realloc(v, (n + 1) * sizeof(*v));
			if (nv) {
				v = nv;
				v[n++] = strdup(net.name);
			}
		}
		cnm_net_free(&net);
	}
	free(ids);
	if (rc) {
		cnm_store_rollback(ctx);
		cnm_strv_free(v, n);
		return rc;
	}
	*names = v;
	*n_names = n;
	rc = cnm_store_commit(ctx, err);
	if (!rc && n)
		cnm_dns_sync(ctx, false, true);
	return rc;
}

/**
 * cnm_network_prune() - see cnm.h.
 */
int cnm_network_prune(struct cnm_ctx *ctx, char ***names, size_t *n_names, struct cnm_err *err)
{
	return prune(ctx, NULL, 0, names, n_names, err);
}

/**
 * cnm_network_prune_only() - see cnm.h.
 */
int cnm_network_prune_only(struct cnm_ctx *ctx, const char *const *ids, size_t n_ids,
			   char ***names, size_t *n_names, struct cnm_err *err)
{
	*names = NULL;
	*n_names = 0;
	return n_ids ? prune(ctx, ids, n_ids, names, n_names, err) : 0;
}

/* The lowest interface index not used by the container's endpoints. */
static int next_index(const struct cnm_ep *eps, size_t n, const char *prefix)
{
	for (int idx = 0;; idx++) {
		char name[16];
		bool used = false;

		snprintf(name, sizeof(name), "%s%d", prefix, idx);
		for (size_t i = 0; i < n && !used; i++)
			used = !strcmp(eps[i].ifname, name);
		if (!used)
			return idx;
	}
}

/**
 * cnm_network_connect() - see cnm.h.
 */
/*
 * Under the lock, in a connect that gives @ep the way out: a container whose
 * published ports were released when its last network with a gateway went
 * publishes them again from its -p specs, as Docker programs them on the
 * new gateway endpoint; a port taken meanwhile refuses the connect.
 * @added is set when there are elements to add after the attach.
 */
static int replan_ports(struct cnm_ctx *ctx, const struct cnm_ctr *c, const struct cnm_net *net,
			const struct cnm_ep *ep, bool *added, struct cnm_err *err)
{
	json_t *a = json_loads(c->port_specs ? c->port_specs : "[]", 0, NULL);
	size_t n = json_array_size(a), k = 0;
	const char **v = NULL;
	sqlite3_stmt *st;
	int rc = 0, rows = 1;

	*added = false;
	if (!n || !ep->has_addr)
		goto out;
	if (!cnm_store_prepare(ctx, "SELECT count(*) FROM ports WHERE container_id = ?", &st,
			       NULL)) {
		sqlite3_bind_text(st, 1, c->id, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			rows = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	if (rows)
		goto out;
	v = calloc(n, sizeof(*v));
	if (!v) {
		rc = cnm_errf(err, ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (json_string_value(json_array_get(a, i)))
			v[k++] = json_string_value(json_array_get(a, i));
	rc = cnm_publish_plan(ctx, c->id, v, k, net, ep, true, err);
	*added = !rc && k;
out:
	free(v);
	json_decref(a);
	return rc;
}

int cnm_network_connect(struct cnm_ctx *ctx, const char *net_ref, const char *ctr_ref,
			const char *ip, const char *ip6, struct cnm_err *err)
{
	return cnm_network_connect_ex(ctx, net_ref, ctr_ref, ip, ip6, NULL, 0, err);
}

/**
 * cnm_network_connect_ex() - see cnm.h.
 */
int cnm_network_connect_ex(struct cnm_ctx *ctx, const char *net_ref, const char *ctr_ref,
			   const char *ip, const char *ip6, const char *const *aliases,
			   size_t n_aliases, struct cnm_err *err)
{
	const struct cnm_driver *drv;
	struct cnm_ep *eps = NULL, ep;
	struct cnm_net net = { 0 };
	char first_name[CNM_NAME_MAX + 1], first_driver[16];
	bool first_internal = false, first_builtin = false;
	char old_own[CNM_ID_LEN + 1] = "";
	struct cnm_ctr c = { 0 };
	char path[PATH_MAX];
	size_t n_eps = 0;
	bool ports = false;
	int rc, fd, busy = -1;

again:
	rc = cnm_store_begin(ctx, err);
	if (rc)
		goto out;
	rc = cnm_net_get(ctx, net_ref, &net, err);
	if (!rc)
		rc = cnm_ctr_get(ctx, ctr_ref, &c, err);
	if (rc)
		goto fail;
	/*
	 * The busy mark (see cnm_ctr_busy_lock()) is waited for only outside
	 * the store lock; under it, it is tried, which nearly always succeeds
	 * and costs no second look-up of the container.
	 */
	if (busy < 0 && (busy = cnm_ctr_busy_trylock(ctx, c.id)) == -EWOULDBLOCK) {
		char id[CNM_ID_LEN + 1];

		snprintf(id, sizeof(id), "%s", c.id);
		cnm_store_rollback(ctx);
		cnm_net_free(&net);
		cnm_ctr_free(&c);
		busy = cnm_ctr_busy_lock(ctx, id);
		if (busy < 0)
			busy = -2; /* gone meanwhile: go on unmarked, as for an old container */
		goto again;
	}
	drv = cnm_driver_find(net.driver);
	if (!drv || !drv->has_ipam) {
		rc = cnm_errf(err, EINVAL, "container cannot be disconnected from host network or"
			      " connected to host network (network %s has driver %s)", net.name,
			      net.driver);
		goto fail;
	}
	if (!cnm_ctr_alive(&c)) {
		rc = cnm_errf(err, ESRCH, "Container %s is not running", c.name);
		goto fail;
	}
	/* only its name, driver and kind: a whole network row costs ~8x more to read */
	rc = cnm_net_brief(ctx, c.network_id, first_name, sizeof(first_name), first_driver,
			   sizeof(first_driver), &first_internal, &first_builtin, err);
	if (rc)
		goto fail;
	if (!cnm_driver_find(first_driver)->own_netns || !cnm_driver_find(first_driver)->has_ipam) {
		rc = cnm_errf(err, EINVAL, "container %s is on network %s (driver %s) and cannot be"
			      " connected to other networks", c.name, first_name, first_driver);
		goto fail;
	}
	rc = cnm_ep_list(ctx, c.id, &eps, &n_eps, err);
	if (rc)
		goto fail;
	for (size_t i = 0; i < n_eps; i++)
		if (!strcmp(eps[i].network_id, net.id)) {
			rc = cnm_errf(err, EEXIST, "endpoint with name %s already exists in network"
				      " %s", c.name, net.name);
			goto fail;
		}
	rc = cnm_ep_plan(ctx, &net, c.id, next_index(eps, n_eps, net.iface_prefix[0] ?
						     net.iface_prefix : "eth"),
			 ip, ip6, &ep, err);
	if (!rc) {
		/*
		 * The container's own network keeps the way out while it is on
		 * it and it is not internal; otherwise a network that is not
		 * internal takes it, and becomes the container's own.
		 */
		bool held = false;

		for (size_t i = 0; i < n_eps; i++)
			held |= !strcmp(eps[i].network_id, c.network_id) && !first_internal;
		ep.default_route = !held && !net.internal;
		if (ep.default_route && strcmp(c.network_id, net.id)) {
			snprintf(old_own, sizeof(old_own), "%s", c.network_id);
			rc = cnm_ctr_set_network(ctx, c.id, net.id, err);
		}
		if (!rc)
			rc = cnm_ep_insert_checked(ctx, &net, &ep, c.name, err);
		if (!rc && ep.default_route)
			rc = replan_ports(ctx, &c, &net, &ep, &ports, err);
	}
	if (!rc)
		rc = cnm_ep_set_aliases(ctx, &net, ep.id, aliases, n_aliases, err);
	if (rc)
		goto fail;
	rc = cnm_store_commit(ctx, err);
	if (rc)
		goto out;
	cnm_fault("connect.row");
	if (cnm_net_dns(&net))
		cnm_dns_sync(ctx, true, false);

	cnm_netns_path(ctx, c.name, path, sizeof(path));
	if (ctx->dry) { /* a dry run names the container's namespace in its commands */
		struct cnm_nl *nl;

		rc = cnm_ctx_nl(ctx, &nl, err);
		if (rc)
			goto out;
		snprintf(nl->dry_peer_ns, sizeof(nl->dry_peer_ns), "%s", c.name);
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = cnm_errf(err, errno, "cannot open %s: %s", path, strerror(errno));
	} else {
		rc = drv->attach(ctx, &net, &ep, fd, err);
		close(fd);
	}
	if (!rc && ports && (rc = cnm_publish_fw(ctx, c.id, true, err)) && !ep.no_spoofchk)
		cnm_fw_endpoint_del(ctx, &ep);	/* a failed attach took its own back */
	if (rc) {
		cnm_link_delete(ctx, ep.host_ifname, NULL);
		if (cnm_store_begin(ctx, NULL) == 0) {
			if (ports)
				cnm_publish_release(ctx, c.id, NULL);
			if (old_own[0]) /* the way out stays where it was */
				cnm_ctr_set_network(ctx, c.id, old_own, NULL);
			cnm_ep_delete(ctx, ep.id, NULL);
			cnm_store_commit(ctx, NULL);
		}
	} else if (!ctx->dry) {
		if (ports) /* [::1] follows, before connect returns */
			cnm_relay_notify(c.id);
		/*
		 * One started on a user-defined network names its resolver already;
		 * only one started on a predefined network has the host's resolv.conf
		 * (a read of that file saved on every other connect).
		 */
		if (first_builtin)
			cnm_dns_after_connect(ctx, c.id, &net);
	}
	goto out;
fail:
	cnm_store_rollback(ctx);
out:
	if (busy >= 0)
		close(busy);
	free(eps);
	cnm_net_free(&net);
	cnm_ctr_free(&c);
	return rc;
}

/*
 * Under the lock, after @gone's endpoint went: when it carried the
 * container's way out (its network is the container's own), the oldest
 * endpoint left on a network that is not internal takes it, as Docker
 * moves the gateway; the container is re-pointed to that network so that
 * gc and a reconnect agree.  @next is filled (has_gateway*) when a route is
 * to be added.  0 or a negative errno.
 */
static int take_way_out(struct cnm_ctx *ctx, const struct cnm_ctr *c, const struct cnm_ep *gone,
			struct cnm_ep *next, struct cnm_err *err)
{
	struct cnm_ep *eps = NULL;
	size_t n = 0;
	int rc;

	memset(next, 0, sizeof(*next));
	if (strcmp(gone->network_id, c->network_id))
		return 0;
	rc = cnm_ep_list(ctx, c->id, &eps, &n, err);
	for (size_t i = 0; !rc && i < n; i++) {
		struct cnm_net net;
		bool internal;

		if (cnm_net_get_id(ctx, eps[i].network_id, &net, NULL))
			continue;
		internal = net.internal;
		cnm_net_free(&net);
		if (internal || (!eps[i].has_gateway && !eps[i].has_gateway6))
			continue;
		*next = eps[i];
		rc = cnm_ctr_set_network(ctx, c->id, next->network_id, err);
		break;
	}
	free(eps);
	return rc;
}

/* Re-target (to @to) or, without @to, release the port rows DNATed to @from. */
static int retarget(struct cnm_ctx *ctx, const char *ctr_id, const struct cnm_addr *from,
		    const struct cnm_addr *to, struct cnm_err *err)
{
	char a[CNM_ADDRSTRLEN], b[CNM_ADDRSTRLEN];
	sqlite3_stmt *st;
	int rc;

	cnm_addr_format(from, a);
	rc = cnm_store_prepare(ctx, to ? "UPDATE ports SET container_ip = ?3 WHERE container_id = ?1"
			       " AND container_ip = ?2" : "DELETE FROM ports WHERE container_id = ?1"
			       " AND container_ip = ?2", &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, ctr_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, a, -1, SQLITE_STATIC);
	if (to) {
		cnm_addr_format(to, b);
		sqlite3_bind_text(st, 3, b, -1, SQLITE_STATIC);
	}
	return cnm_store_step_done(ctx, st, "move published ports", err);
}

/* How many of the container's port rows DNAT to one of @ep's addresses. */
static int ports_on(struct cnm_ctx *ctx, const char *ctr_id, const struct cnm_ep *ep)
{
	char a[CNM_ADDRSTRLEN] = "", b[CNM_ADDRSTRLEN] = "";
	sqlite3_stmt *st;
	int n = 0;

	if (ep->has_addr)
		cnm_addr_format(&ep->addr, a);
	if (ep->has_addr6)
		cnm_addr_format(&ep->addr6, b);
	if (cnm_store_prepare(ctx, "SELECT count(*) FROM ports WHERE container_id = ?1 AND"
			      " container_ip IN (?2, ?3)", &st, NULL))
		return 0;
	sqlite3_bind_text(st, 1, ctr_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, a, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, b, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

/*
 * Under the lock, after @gone's endpoint went: its published ports DNATed
 * to its addresses, which are free now and may go to another container.
 * Like Docker, which moves them with the gateway, they follow the way out
 * to @next (zeroed when none is left) and keep their host ports; a family
 * @next has no address of is released.  Their elements leave the kernel
 * here; @readd is set when some are to be added back after the commit.
 */
static int move_ports(struct cnm_ctx *ctx, const char *ctr_id, const struct cnm_ep *gone,
		      const struct cnm_ep *next, bool *readd, struct cnm_err *err)
{
	int rc = 0;

	*readd = false;
	if (!ports_on(ctx, ctr_id, gone))
		return 0;
	cnm_publish_fw(ctx, ctr_id, false, NULL);
	if (gone->has_addr)
		rc = retarget(ctx, ctr_id, &gone->addr, next->has_addr ? &next->addr : NULL, err);
	if (!rc && gone->has_addr6)
		rc = retarget(ctx, ctr_id, &gone->addr6, next->has_addr6 ? &next->addr6 : NULL,
			      err);
	*readd = true; /* what is left, and on failure (rolled back) everything */
	return rc;
}

/* The default routes through @ep's gateways, inside the container's namespace. */
static int add_way_out(struct cnm_ctx *ctx, const struct cnm_ctr *c, const struct cnm_ep *ep,
		       struct cnm_err *err)
{
	struct cnm_nl cnl = { 0 };
	struct cnm_nl_batch b;
	char path[PATH_MAX];
	int fd, rc, idx;

	cnm_netns_path(ctx, c->name, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cnm_errf(err, errno, "cannot open %s: %s", path, strerror(errno));
	rc = cnm_nl_open(&cnl, fd, err);
	close(fd);
	if (!rc)
		rc = cnm_nl_link_index(&cnl, ep->ifname, &idx, err);
	if (!rc) {
		cnm_nl_batch_init(&b, &cnl);
		if (ep->has_gateway)
			cnm_nl_route_default(&b, &ep->gateway, idx);
		if (ep->has_gateway6)
			cnm_nl_route_default(&b, &ep->gateway6, idx);
		rc = cnm_nl_batch_run(&b, err);
	}
	cnm_nl_close(&cnl);
	return rc;
}

/**
 * cnm_network_disconnect() - see cnm.h.
 */
int cnm_network_disconnect(struct cnm_ctx *ctx, const char *net_ref, const char *ctr_ref,
			   struct cnm_err *err)
{
	struct cnm_net net = { 0 };
	struct cnm_ctr c = { 0 };
	struct cnm_ep ep, next;
	bool readd = false;
	int rc, busy = -1;

	rc = cnm_net_get(ctx, net_ref, &net, err);
	if (!rc)
		rc = cnm_ctr_get(ctx, ctr_ref, &c, err);
	if (rc)
		goto out;
	busy = cnm_ctr_busy_lock(ctx, c.id); /* veth and row go apart: gc must wait */
	rc = cnm_ep_get_on(ctx, c.id, net.id, &ep, err);
	if (rc == -ENOENT && !strcmp(c.state, "exited") && !strcmp(c.network_id, net.id))
		rc = cnm_errf(err, ENOENT, "container %s is stopped: its endpoint on network %s went"
			      " with it, and cnm has no start; remove it (cnm rm %s) to release the"
			      " network", c.name, net.name, c.name);
	else if (rc == -ENOENT)
		rc = cnm_errf(err, ENOENT, "container %s is not connected to network %s", c.id,
			      net.name);
	if (rc)
		goto out;
	if (!ep.host_ifname[0]) {
		rc = cnm_errf(err, EINVAL, "container cannot be disconnected from host network or"
			      " connected to host network (network %s has driver %s)", net.name,
			      net.driver);
		goto out;
	}
	/* the interface first: its address must not be handed out while it exists */
	rc = cnm_link_delete(ctx, ep.host_ifname, err);
	if (rc)
		goto out;
	cnm_fw_endpoint_del(ctx, &ep);
	cnm_fault("disconnect.veth");
	rc = cnm_store_begin(ctx, err);
	if (rc)
		goto out;
	rc = cnm_ep_delete(ctx, ep.id, err);
	if (!rc)
		rc = take_way_out(ctx, &c, &ep, &next, err);
	if (!rc)
		rc = move_ports(ctx, c.id, &ep, &next, &readd, err);
	if (rc)
		cnm_store_rollback(ctx);
	else
		rc = cnm_store_commit(ctx, err);
	if (readd) {
		struct cnm_err why = { 0 };

		/* the rows as committed, or as they were when the change failed */
		if (cnm_publish_fw(ctx, c.id, true, &why) && !rc)
			rc = cnm_errf(err, why.code ? why.code : EIO, "container %s left network %s,"
				      " but its published ports could not follow it: %s", c.name,
				      net.name, why.msg);
	}
	if (readd && !ctx->dry) /* [::1] follows, before disconnect returns */
		cnm_relay_notify(c.id);
	if (!rc && (next.has_gateway || next.has_gateway6) && cnm_ctr_alive(&c)) {
		struct cnm_err why = { 0 };

		if (add_way_out(ctx, &c, &next, &why))
			rc = cnm_errf(err, why.code ? why.code : EIO, "container %s left network"
				      " %s, but its default route through %s could not be added: %s",
				      c.name, net.name, next.ifname, why.msg);
	}
	if (!rc)
		cnm_dns_after_disconnect(ctx, c.id, &net);
out:
	if (busy >= 0)
		close(busy);
	cnm_net_free(&net);
	cnm_ctr_free(&c);
	return rc;
}
