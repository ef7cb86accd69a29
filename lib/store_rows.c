// SPDX-License-Identifier: MIT
/*
 * store_rows.c - reading and writing network, container and endpoint rows.
 *
 * DOC: Theory of operation
 * Each function is one statement.  References given by users resolve the
 * way Docker resolves them: a full id, then an exact name, then a unique id
 * prefix; an ambiguous prefix is an error, never a guess.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "ctx.h"

#define NET_COLS "id, name, driver, created, bridge, subnet, gateway, ip_range, mtu," \
		 " internal, ipv6, builtin, options, labels, subnet6, gateway6, ip_range6, aux," \
		 " icc, masquerade, host_binding, iface_prefix, ipam_config"
#define EP_COLS "id, container_id, network_id, ifname, host_ifname, mac, addr, prefix," \
		" gateway, addr6, prefix6, gateway6, req_ip, req_ip6"
#define CTR_COLS "id, name, hostname, created, started_at, finished_at, state, pid," \
		 " pid_start, monitor_pid, exit_code, argv, network_id, req_ip, rootfs, auto_remove," \
		 " network_mode, port_specs, env"

/* Columns @col (subnet), @col+1 (gateway), @col+2 (range) into a pool. */
static bool pool_from_row(sqlite3_stmt *st, int col, struct cnm_pool *pool)
{
	char subnet[CNM_CIDRSTRLEN], gw[CNM_ADDRSTRLEN], range[CNM_CIDRSTRLEN];

	cnm_col_text(st, col, subnet, sizeof(subnet));
	cnm_col_text(st, col + 1, gw, sizeof(gw));
	cnm_col_text(st, col + 2, range, sizeof(range));
	if (!subnet[0] || cnm_cidr_parse(subnet, &pool->subnet))
		return false;
	pool->range = pool->subnet;
	if (range[0])
		cnm_cidr_parse(range, &pool->range);
	pool->has_gateway = gw[0] && !cnm_addr_parse(gw, &pool->gateway);
	return true;
}

static void net_from_row(sqlite3_stmt *st, struct cnm_net *n)
{
	memset(n, 0, sizeof(*n));
	cnm_col_text(st, 0, n->id, sizeof(n->id));
	cnm_col_text(st, 1, n->name, sizeof(n->name));
	cnm_col_text(st, 2, n->driver, sizeof(n->driver));
	cnm_col_text(st, 3, n->created, sizeof(n->created));
	cnm_col_text(st, 4, n->bridge, sizeof(n->bridge));
	n->has_pool = pool_from_row(st, 5, &n->pool);
	n->has_pool6 = pool_from_row(st, 14, &n->pool6);
	n->mtu = sqlite3_column_int(st, 8);
	n->internal = sqlite3_column_int(st, 9);
	n->ipv6 = sqlite3_column_int(st, 10);
	n->builtin = sqlite3_column_int(st, 11);
	n->options = cnm_col_strdup(st, 12);
	n->labels = cnm_col_strdup(st, 13);
	n->aux = cnm_col_strdup(st, 17);
	n->icc = sqlite3_column_int(st, 18);
	n->masquerade = sqlite3_column_int(st, 19);
	cnm_col_text(st, 20, n->host_binding, sizeof(n->host_binding));
	cnm_col_text(st, 21, n->iface_prefix, sizeof(n->iface_prefix));
	n->ipam_config = cnm_col_strdup(st, 22);
}

void cnm_net_free(struct cnm_net *net)
{
	free(net->options);
	free(net->labels);
	free(net->aux);
	free(net->ipam_config);
	net->options = net->labels = net->aux = net->ipam_config = NULL;
}

/*
 * Look a reference up: by @exact_sql (id or name, column 0 the id; at most
 * two rows, as both are unique) first, then by id prefix.  An id match wins
 * over a name match, as in Docker; that is decided here, whatever order
 * the rows come in, rather than with an ORDER BY, whose sorter cost each
 * command ~50 us to compile and run cold.
 * @fill converts a row, @drop frees what it allocated.  Return 0, -ENOENT,
 * or -EINVAL when ambiguous.
 */
static int get_by_ref(struct cnm_ctx *ctx, const char *ref, const char *exact_sql,
		      const char *prefix_sql, void (*fill)(sqlite3_stmt *, void *),
		      void (*drop)(void *), void *out, struct cnm_err *err)
{
	sqlite3_stmt *st;
	int rc, found = 0;

	rc = cnm_store_prepare(ctx, exact_sql, &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		bool by_id = id && !strcmp(id, ref);

		if (found && !by_id)
			continue;
		if (found)
			drop(out);
		fill(st, out);
		found = 1;
		if (by_id)
			break;
	}
	sqlite3_finalize(st);
	if (found)
		return 0;
	if (!*ref || strlen(ref) > CNM_ID_LEN || !cnm_is_hex(ref, strlen(ref)))
		return -ENOENT;
	rc = cnm_store_prepare(ctx, prefix_sql, &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (found++)
			break;
		fill(st, out);
	}
	sqlite3_finalize(st);
	if (found > 1) {
		drop(out);
		return -EINVAL;
	}
	return found ? 0 : -ENOENT;
}

static void net_fill(sqlite3_stmt *st, void *out)
{
	net_from_row(st, out);
}

static void net_drop(void *out)
{
	cnm_net_free(out);
}

/**
 * cnm_net_get() - a network by name, id or unique id prefix.
 * Return: 0, or -ENOENT / -EINVAL (ambiguous) with a message.
 */
int cnm_net_get(struct cnm_ctx *ctx, const char *ref, struct cnm_net *net, struct cnm_err *err)
{
	int rc = get_by_ref(ctx, ref,
			    "SELECT " NET_COLS " FROM networks WHERE name = ?1 OR id = ?1",
			    "SELECT " NET_COLS " FROM networks WHERE substr(id, 1, length(?1)) = ?1"
			    " LIMIT 2", net_fill, net_drop, net, err);

	if (rc == -ENOENT)
		return cnm_errf(err, ENOENT, "network %s not found", ref);
	if (rc == -EINVAL)
		return cnm_errf(err, EINVAL, "network id prefix %s is ambiguous: it matches"
				" more than one network", ref);
	return rc;
}

/**
 * cnm_net_brief() - a network's name and driver, by id: what a check needs,
 * without the whole row (each column read costs its share of the parse).
 */
int cnm_net_brief(struct cnm_ctx *ctx, const char *id, char *name, size_t name_len, char *driver,
		  size_t driver_len, bool *internal, bool *builtin, struct cnm_err *err)
{
	sqlite3_stmt *st;
	int rc;

	rc = cnm_store_prepare(ctx, "SELECT name, driver, internal, builtin FROM networks WHERE id = ?", &st,
			       err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = -ENOENT;
	if (sqlite3_step(st) == SQLITE_ROW) {
		cnm_col_text(st, 0, name, name_len);
		cnm_col_text(st, 1, driver, driver_len);
		*internal = sqlite3_column_int(st, 2);
		*builtin = sqlite3_column_int(st, 3);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc ? cnm_errf(err, ENOENT, "network %s not found", id) : 0;
}

int cnm_net_get_id(struct cnm_ctx *ctx, const char *id, struct cnm_net *net, struct cnm_err *err)
{
	return cnm_net_get(ctx, id, net, err);
}

/* Bind a pool's subnet, gateway and range to parameters @col.. @col+2. */
static void bind_pool(sqlite3_stmt *st, int col, const struct cnm_pool *pool)
{
	char s[CNM_CIDRSTRLEN];

	cnm_cidr_format(&pool->subnet, s);
	sqlite3_bind_text(st, col, s, -1, SQLITE_TRANSIENT);
	if (pool->has_gateway) {
		cnm_addr_format(&pool->gateway, s);
		sqlite3_bind_text(st, col + 1, s, -1, SQLITE_TRANSIENT);
	}
	if (memcmp(&pool->range, &pool->subnet, sizeof(pool->range))) {
		cnm_cidr_format(&pool->range, s);
		sqlite3_bind_text(st, col + 2, s, -1, SQLITE_TRANSIENT);
	}
}

int cnm_net_insert(struct cnm_ctx *ctx, const struct cnm_net *n, struct cnm_err *err)
{
	sqlite3_stmt *st;
	int rc;

	rc = cnm_store_prepare(ctx, "INSERT INTO networks(" NET_COLS ") VALUES"
			       " (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, n->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, n->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, n->driver, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, n->created, -1, SQLITE_STATIC);
	if (n->bridge[0])
		sqlite3_bind_text(st, 5, n->bridge, -1, SQLITE_STATIC);
	if (n->has_pool)
		bind_pool(st, 6, &n->pool);
	if (n->has_pool6)
		bind_pool(st, 15, &n->pool6);
	sqlite3_bind_text(st, 18, n->aux ? n->aux : "{}", -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 19, n->icc);
	sqlite3_bind_int(st, 20, n->masquerade);
	sqlite3_bind_text(st, 21, n->host_binding[0] ? n->host_binding : "0.0.0.0", -1,
			  SQLITE_STATIC);
	sqlite3_bind_text(st, 22, n->iface_prefix[0] ? n->iface_prefix : "eth", -1, SQLITE_STATIC);
	if (n->ipam_config)
		sqlite3_bind_text(st, 23, n->ipam_config, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 9, n->mtu);
	sqlite3_bind_int(st, 10, n->internal);
	sqlite3_bind_int(st, 11, n->ipv6);
	sqlite3_bind_int(st, 12, n->builtin);
	sqlite3_bind_text(st, 13, n->options ? n->options : "{}", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 14, n->labels ? n->labels : "{}", -1, SQLITE_STATIC);
	rc = cnm_store_step_done(ctx, st, "insert network", err);
	if (rc == -EEXIST)
		return cnm_errf(err, EEXIST, "network with name %s already exists", n->name);
	return rc;
}


static void ctr_fill(sqlite3_stmt *st, void *out)
{
	struct cnm_ctr *c = out;

	memset(c, 0, sizeof(*c));
	cnm_col_text(st, 0, c->id, sizeof(c->id));
	cnm_col_text(st, 1, c->name, sizeof(c->name));
	cnm_col_text(st, 2, c->hostname, sizeof(c->hostname));
	cnm_col_text(st, 3, c->created, sizeof(c->created));
	cnm_col_text(st, 4, c->started_at, sizeof(c->started_at));
	cnm_col_text(st, 5, c->finished_at, sizeof(c->finished_at));
	cnm_col_text(st, 6, c->state, sizeof(c->state));
	c->pid = sqlite3_column_int(st, 7);
	c->pid_start = (unsigned long long)sqlite3_column_int64(st, 8);
	c->monitor_pid = sqlite3_column_int(st, 9);
	c->exit_code = sqlite3_column_int(st, 10);
	c->argv = cnm_col_strdup(st, 11);
	cnm_col_text(st, 12, c->network_id, sizeof(c->network_id));
	cnm_col_text(st, 13, c->req_ip, sizeof(c->req_ip));
	c->rootfs = cnm_col_strdup(st, 14);
	c->auto_remove = sqlite3_column_int(st, 15);
	cnm_col_text(st, 16, c->network_mode, sizeof(c->network_mode));
	c->port_specs = cnm_col_strdup(st, 17);
	c->env = cnm_col_strdup(st, 18);
}

void cnm_ctr_free(struct cnm_ctr *ctr)
{
	free(ctr->argv);
	free(ctr->rootfs);
	free(ctr->port_specs);
	free(ctr->env);
	ctr->argv = ctr->rootfs = ctr->port_specs = ctr->env = NULL;
}

static void ctr_drop(void *out)
{
	cnm_ctr_free(out);
}

/**
 * cnm_ctr_get() - a container by id, name or unique id prefix.
 * Return: 0, or -ENOENT / -EINVAL (ambiguous) with Docker's message.
 */
int cnm_ctr_get(struct cnm_ctx *ctx, const char *ref, struct cnm_ctr *ctr, struct cnm_err *err)
{
	int rc = get_by_ref(ctx, ref,
			    /* Docker's /NAME (its inspect shows that) is the name too */
			    "SELECT " CTR_COLS " FROM containers WHERE id = ?1 OR name IN (?1,"
			    " CASE WHEN substr(?1, 1, 1) = '/' THEN substr(?1, 2) END)",
			    "SELECT " CTR_COLS " FROM containers WHERE substr(id, 1, length(?1)) = ?1"
			    " LIMIT 2", ctr_fill, ctr_drop, ctr, err);

	if (rc == -ENOENT)
		return cnm_errf(err, ENOENT, "No such container: %s", ref);
	if (rc == -EINVAL)
		return cnm_errf(err, EINVAL, "container id prefix %s is ambiguous: it matches"
				" more than one container", ref);
	return rc;
}

/**
 * cnm_ctr_get_id() - the container whose id is exactly @id.
 *
 * For ids cnm took from its own rows: never a name or a prefix, so a row
 * removed meanwhile is not mistaken for a container *named* like its id.
 * Return: 0, or -ENOENT.
 */
int cnm_ctr_get_id(struct cnm_ctx *ctx, const char *id, struct cnm_ctr *ctr, struct cnm_err *err)
{
	sqlite3_stmt *st;
	int rc;

	rc = cnm_store_prepare(ctx, "SELECT " CTR_COLS " FROM containers WHERE id = ?1", &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_ROW ? 0 : -ENOENT;
	if (!rc)
		ctr_fill(st, ctr);
	sqlite3_finalize(st);
	return rc ? cnm_errf(err, ENOENT, "No such container: %s", id) : 0;
}

/* A new container row, in state @c->state ("creating" when empty). */
int cnm_ctr_insert(struct cnm_ctx *ctx, const struct cnm_ctr *c, struct cnm_err *err)
{
	sqlite3_stmt *st;
	int rc;

	rc = cnm_store_prepare(ctx, "INSERT INTO containers(id, name, hostname, created,"
			       " monitor_pid, argv, network_id, req_ip, rootfs, auto_remove, network_mode,"
			       " port_specs, state, env) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", &st,
			       err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, c->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, c->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, c->hostname, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, c->created, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, c->monitor_pid);
	sqlite3_bind_text(st, 6, c->argv, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, c->network_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, c->req_ip, -1, SQLITE_STATIC);
	if (c->rootfs)
		sqlite3_bind_text(st, 9, c->rootfs, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 10, c->auto_remove);
	sqlite3_bind_text(st, 11, c->network_mode, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 12, c->port_specs ? c->port_specs : "[]", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 13, c->state[0] ? c->state : "creating", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 14, c->env ? c->env : "[]", -1, SQLITE_STATIC);
	return cnm_store_step_done(ctx, st, "insert container", err);
}

/* The network whose gateway is @ctr_id's way out (containers.network_id). */
int cnm_ctr_set_network(struct cnm_ctx *ctx, const char *ctr_id, const char *net_id,
			struct cnm_err *err)
{
	sqlite3_stmt *st;
	int rc;

	rc = cnm_store_prepare(ctx, "UPDATE containers SET network_id = ? WHERE id = ?", &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, net_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, ctr_id, -1, SQLITE_STATIC);
	return cnm_store_step_done(ctx, st, "set the container's network", err);
}

int cnm_ctr_set_running(struct cnm_ctx *ctx, const struct cnm_ctr *c, struct cnm_err *err)
{
	sqlite3_stmt *st;
	int rc;

	rc = cnm_store_prepare(ctx, "UPDATE containers SET state = 'running', pid = ?,"
			       " pid_start = ?, started_at = ? WHERE id = ?", &st, err);
	if (rc)
		return rc;
	sqlite3_bind_int(st, 1, c->pid);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)c->pid_start);
	sqlite3_bind_text(st, 3, c->started_at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, c->id, -1, SQLITE_STATIC);
	return cnm_store_step_done(ctx, st, "mark container running", err);
}

int cnm_ctr_set_exited(struct cnm_ctx *ctx, const char *id, int exit_code, struct cnm_err *err)
{
	char now[40];
	sqlite3_stmt *st;
	int rc;

	cnm_now_rfc3339(now);
	rc = cnm_store_prepare(ctx, "UPDATE containers SET state = 'exited', pid = 0,"
			       " pid_start = 0, monitor_pid = 0, exit_code = ?, finished_at = ?"
			       " WHERE id = ?", &st, err);
	if (rc)
		return rc;
	sqlite3_bind_int(st, 1, exit_code);
	sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, id, -1, SQLITE_STATIC);
	return cnm_store_step_done(ctx, st, "mark container exited", err);
}

/* Run @sql, whose only parameter is an id. */
static int exec_with_id(struct cnm_ctx *ctx, const char *sql, const char *id, const char *what,
			struct cnm_err *err)
{
	sqlite3_stmt *st;
	int rc;

	rc = cnm_store_prepare(ctx, sql, &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	return cnm_store_step_done(ctx, st, what, err);
}

int cnm_ctr_delete(struct cnm_ctx *ctx, const char *id, struct cnm_err *err)
{
	return exec_with_id(ctx, "DELETE FROM containers WHERE id = ?", id, "delete container",
			    err);
}

int cnm_ep_insert(struct cnm_ctx *ctx, const struct cnm_ep *ep, struct cnm_err *err)
{
	char addr[CNM_ADDRSTRLEN], gw[CNM_ADDRSTRLEN], addr6[CNM_ADDRSTRLEN], gw6[CNM_ADDRSTRLEN];
	sqlite3_stmt *st;
	int rc;

	rc = cnm_store_prepare(ctx, "INSERT INTO endpoints(" EP_COLS ") VALUES"
			       " (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, ep->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, ep->container_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, ep->network_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, ep->ifname, -1, SQLITE_STATIC);
	if (ep->host_ifname[0])
		sqlite3_bind_text(st, 5, ep->host_ifname, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, ep->mac, -1, SQLITE_STATIC);
	if (ep->has_addr) {
		cnm_addr_format(&ep->addr, addr);
		sqlite3_bind_text(st, 7, addr, -1, SQLITE_STATIC);
	}
	sqlite3_bind_int(st, 8, ep->prefix);
	if (ep->has_gateway) {
		cnm_addr_format(&ep->gateway, gw);
		sqlite3_bind_text(st, 9, gw, -1, SQLITE_STATIC);
	}
	if (ep->has_addr6) {
		cnm_addr_format(&ep->addr6, addr6);
		sqlite3_bind_text(st, 10, addr6, -1, SQLITE_STATIC);
	}
	sqlite3_bind_int(st, 11, ep->prefix6);
	if (ep->has_gateway6) {
		cnm_addr_format(&ep->gateway6, gw6);
		sqlite3_bind_text(st, 12, gw6, -1, SQLITE_STATIC);
	}
	sqlite3_bind_text(st, 13, ep->req_ip, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 14, ep->req_ip6, -1, SQLITE_STATIC);
	return cnm_store_step_done(ctx, st, "insert endpoint", err);
}

static void ep_from_row(sqlite3_stmt *st, struct cnm_ep *ep)
{
	char a[CNM_ADDRSTRLEN];

	memset(ep, 0, sizeof(*ep));
	cnm_col_text(st, 0, ep->id, sizeof(ep->id));
	cnm_col_text(st, 1, ep->container_id, sizeof(ep->container_id));
	cnm_col_text(st, 2, ep->network_id, sizeof(ep->network_id));
	cnm_col_text(st, 3, ep->ifname, sizeof(ep->ifname));
	cnm_col_text(st, 4, ep->host_ifname, sizeof(ep->host_ifname));
	cnm_col_text(st, 5, ep->mac, sizeof(ep->mac));
	cnm_col_text(st, 6, a, sizeof(a));
	ep->has_addr = a[0] && !cnm_addr_parse(a, &ep->addr);
	ep->prefix = sqlite3_column_int(st, 7);
	cnm_col_text(st, 8, a, sizeof(a));
	ep->has_gateway = a[0] && !cnm_addr_parse(a, &ep->gateway);
	cnm_col_text(st, 9, a, sizeof(a));
	ep->has_addr6 = a[0] && !cnm_addr_parse(a, &ep->addr6);
	ep->prefix6 = sqlite3_column_int(st, 10);
	cnm_col_text(st, 11, a, sizeof(a));
	ep->has_gateway6 = a[0] && !cnm_addr_parse(a, &ep->gateway6);
	cnm_col_text(st, 12, ep->req_ip, sizeof(ep->req_ip));
	cnm_col_text(st, 13, ep->req_ip6, sizeof(ep->req_ip6));
}

/**
 * cnm_ep_list() - a container's endpoints, first network first.
 * Return: 0 or a negative errno; *@out is malloc'ed (may be NULL when *@n is 0).
 *
 * In the order they were made (rowid), sorted here as they come: the rows
 * arrive in index order, and an ORDER BY would compile and run SQLite's
 * sorter, cold in every command (~10-50 us).
 */
int cnm_ep_list(struct cnm_ctx *ctx, const char *container_id, struct cnm_ep **out, size_t *n,
		struct cnm_err *err)
{
	struct cnm_ep *v = NULL;
	int64_t *rowid = NULL;
	size_t len = 0;
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*n = 0;
	rc = cnm_store_prepare(ctx, "SELECT " EP_COLS ", rowid FROM endpoints WHERE"
			       " container_id = ?", &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, container_id, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct cnm_ep *nv = realloc(v, (len + 1) * sizeof(*v));
		int64_t *nr = nv ? realloc(rowid, (len + 1) * sizeof(*rowid)) : NULL;
		int64_t r = sqlite3_column_int64(st, 14);
		size_t at = len;

		if (nv)
			v = nv;
		if (!nr) {
			free(v);
			free(rowid);
			sqlite3_finalize(st);
			return cnm_errf(err, ENOMEM, "out of memory");
		}
		rowid = nr;
		while (at > 0 && rowid[at - 1] > r)
			at--;
		memmove(&v[at + 1], &v[at], (len - at) * sizeof(*v));
		memmove(&rowid[at + 1], &rowid[at], (len - at) * sizeof(*rowid));
		ep_from_row(st, &v[at]);
		rowid[at] = r;
		len++;
	}
	sqlite3_finalize(st);
	free(rowid);
	for (size_t i = 0; i < len; i++)
		v[i].default_route = i == 0;
	*out = v;
	*n = len;
	return 0;
}

/**
 * cnm_ep_get() - the endpoint of a container's first network.
 * Return: 0, or -ENOENT when the container has no live endpoint.
 */
int cnm_ep_get(struct cnm_ctx *ctx, const char *container_id, struct cnm_ep *ep,
	       struct cnm_err *err)
{
	struct cnm_ep *v;
	size_t n;
	int rc = cnm_ep_list(ctx, container_id, &v, &n, err);

	if (rc)
		return rc;
	if (n)
		*ep = v[0];
	free(v);
	return n ? 0 : -ENOENT;
}

/**
 * cnm_ep_get_on() - a container's endpoint on one network.
 * Return: 0, or -ENOENT when it is not connected to it.
 */
int cnm_ep_get_on(struct cnm_ctx *ctx, const char *container_id, const char *network_id,
		  struct cnm_ep *ep, struct cnm_err *err)
{
	struct cnm_ep *v;
	size_t n;
	int rc = cnm_ep_list(ctx, container_id, &v, &n, err);

	if (rc)
		return rc;
	rc = -ENOENT;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].network_id, network_id)) {
			*ep = v[i];
			rc = 0;
		}
	free(v);
	return rc;
}

/**
 * cnm_ep_addr_used() - is @a held by an endpoint of network @net_id?
 * @ctx: context
 * @probe: a statement kept between calls (NULL at first; the caller
 *	   finalizes it), since allocation probes a few candidates in a row
 * @net_id: the network
 * @a: the address (its family picks the column)
 * @err: filled on failure
 *
 * One lookup in the UNIQUE(network_id, addr) index, whatever the number of
 * endpoints.
 *
 * Return: 1 if held, 0 if not, or a negative errno.
 */
int cnm_ep_addr_used(struct cnm_ctx *ctx, sqlite3_stmt **probe, const char *net_id,
		     const struct cnm_addr *a, struct cnm_err *err)
{
	char s[CNM_ADDRSTRLEN];
	int rc;

	if (!*probe) {
		rc = cnm_store_prepare(ctx, a->family == AF_INET6
				       ? "SELECT 1 FROM endpoints WHERE network_id = ? AND addr6 = ?"
				       : "SELECT 1 FROM endpoints WHERE network_id = ? AND addr = ?",
				       probe, err);
		if (rc)
			return rc;
	}
	sqlite3_reset(*probe);
	cnm_addr_format(a, s);
	sqlite3_bind_text(*probe, 1, net_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(*probe, 2, s, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(*probe);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return cnm_errf(err, EIO, "state store: look up address %s: %s", s,
			sqlite3_errmsg(ctx->db));
}

/**
 * cnm_ipam_last_get() - the network's allocation mark for @family (see
 * migrate_v4 in store.c).
 * @ctx: context
 * @net_id: the network
 * @family: AF_INET or AF_INET6
 * @last: filled when there is one
 *
 * Return: 1 if there is one, 0 if not (forgotten, never set, or unreadable).
 */
int cnm_ipam_last_get(struct cnm_ctx *ctx, const char *net_id, int family,
		      struct cnm_addr *last)
{
	sqlite3_stmt *st;
	int found = 0;

	/* unreadable is unknown: the caller scans, and reports any real error */
	if (cnm_store_prepare(ctx, family == AF_INET6
			      ? "SELECT ipam_last6 FROM networks WHERE id = ?"
			      : "SELECT ipam_last FROM networks WHERE id = ?", &st, NULL))
		return 0;
	sqlite3_bind_text(st, 1, net_id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_TEXT)
		found = !cnm_addr_parse((const char *)sqlite3_column_text(st, 0), last) &&
			last->family == family;
	sqlite3_finalize(st);
	return found;
}

/** cnm_ipam_last_set() - record the allocation mark; see cnm_ipam_last_get(). */
int cnm_ipam_last_set(struct cnm_ctx *ctx, const char *net_id, const struct cnm_addr *last,
		      struct cnm_err *err)
{
	char s[CNM_ADDRSTRLEN];
	sqlite3_stmt *st;
	int rc;

	rc = cnm_store_prepare(ctx, last->family == AF_INET6
			       ? "UPDATE networks SET ipam_last6 = ?1 WHERE id = ?2"
			       : "UPDATE networks SET ipam_last = ?1 WHERE id = ?2", &st, err);
	if (rc)
		return rc;
	cnm_addr_format(last, s);
	sqlite3_bind_text(st, 1, s, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, net_id, -1, SQLITE_STATIC);
	return cnm_store_step_done(ctx, st, "record the allocation mark", err);
}

int cnm_ep_delete_all(struct cnm_ctx *ctx, const char *container_id, struct cnm_err *err)
{
	return exec_with_id(ctx, "DELETE FROM endpoints WHERE container_id = ?", container_id,
			    "release endpoints", err);
}

int cnm_ep_delete(struct cnm_ctx *ctx, const char *id, struct cnm_err *err)
{
	return exec_with_id(ctx, "DELETE FROM endpoints WHERE id = ?", id, "release endpoint",
			    err);
}

int cnm_net_delete(struct cnm_ctx *ctx, const char *id, struct cnm_err *err)
{
	return exec_with_id(ctx, "DELETE FROM networks WHERE id = ?", id, "delete network", err);
}

/**
 * cnm_ep_used_addrs() - every address held on a network, sorted.
 * @ctx: context
 * @net: the network
 * @family: AF_INET or AF_INET6
 * @extra: addresses held otherwise (the network's reserved ones), added in
 * @n_extra: how many
 * @out: malloc'ed array (caller frees)
 * @n: its length
 * @err: filled on failure
 *
 * Return: 0 or a negative errno.
 */
int cnm_ep_used_addrs(struct cnm_ctx *ctx, const struct cnm_net *net, int family,
		      const struct cnm_addr *extra, size_t n_extra, struct cnm_addr **out,
		      size_t *n, struct cnm_err *err)
{
	size_t len = n_extra, cap = n_extra + 64;
	struct cnm_addr *v = malloc(cap * sizeof(*v));
	sqlite3_stmt *st;
	int rc;

	if (!v)
		return cnm_errf(err, ENOMEM, "out of memory");
	if (n_extra)
		memcpy(v, extra, n_extra * sizeof(*v));

	/*
	 * The endpoints' addresses only: the caller has the auxiliary ones
	 * from the network row already, and json_each() here cost SQLite a
	 * virtual table set up for every process (~90,000 instructions).
	 */
	rc = cnm_store_prepare(ctx, family == AF_INET6
			       ? "SELECT addr6 FROM endpoints WHERE network_id = ? AND addr6 IS NOT NULL"
			       : "SELECT addr FROM endpoints WHERE network_id = ? AND addr IS NOT NULL",
			       &st, err);
	if (rc) {
		free(v);
		return rc;
	}
	sqlite3_bind_text(st, 1, net->id, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);

		if (len == cap) {
			struct cnm_addr *nv;

			cap *= 2;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(v);
				sqlite3_finalize(st);
				return cnm_errf(err, ENOMEM, "out of memory");
			}
			v = nv;
		}
		if (t && !cnm_addr_parse(t, &v[len]) && v[len].family == family)
			len++;
	}
	sqlite3_finalize(st);
	cnm_ipam_sort(v, len);
	*out = v;
	*n = len;
	return 0;
}
