// SPDX-License-Identifier: MIT
/*
 * network_create.c - `network create`: validate everything, then commit the
 * row, then make the bridge.
 *
 * DOC: Theory of operation
 * All input is checked before the store is touched: the name, the driver,
 * the options, every CIDR and address and how they pair up (each gateway,
 * range and auxiliary address belongs to exactly one given subnet).  Then,
 * under the store lock so two creates cannot both take one subnet, the
 * subnet is checked against (or, when none was given, picked away from)
 * every other network and every host route, and the row is committed.  The
 * bridge (with its gateway addresses and firewall elements) is made last;
 * if that fails the row is deleted again, so a failed create changes
 * nothing.  A bridge lost later (a reboot) is re-made on first use.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include "driver.h"
#include "fault.h"
#include "names.h"
#include "dns.h"
#include "netopts.h"

#define NET_NAME_MAX 64

struct subnet_cfg {
	bool used;
	struct cnm_pool pool;
	bool gw_given, range_given;
	json_t *aux;	/* name -> address, for inspect */
};

static bool net_name_valid(const char *name)
{
	size_t len = name ? strlen(name) : 0;

	if (len == 1)
		return (name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z') ||
		       (name[0] >= '0' && name[0] <= '9');
	return len <= NET_NAME_MAX && cnm_name_valid(name);
}

/* Which of the given subnets holds @a (or NULL). */
static struct subnet_cfg *subnet_for(struct subnet_cfg cfg[2], const struct cnm_addr *a)
{
	for (int i = 0; i < 2; i++)
		if (cfg[i].used && cnm_cidr_contains(&cfg[i].pool.subnet, a))
			return &cfg[i];
	return NULL;
}

/* Parse subnets, gateways, ranges and aux addresses into cfg[0] (v4) and cfg[1] (v6). */
static int parse_ipam(const struct cnm_network_spec *s, struct subnet_cfg cfg[2], json_t *aux_all,
		      struct cnm_err *err)
{
	for (size_t i = 0; i < s->n_subnets; i++) {
		struct cnm_cidr c;
		struct subnet_cfg *sc;
		char want[CNM_CIDRSTRLEN];

		if (cnm_cidr_parse(s->subnets[i], &c))
			return cnm_errf(err, EINVAL, "Invalid subnet %s : invalid CIDR address: %s",
					s->subnets[i], s->subnets[i]);
		if (!cnm_cidr_is_network(&c)) {
			struct cnm_cidr n = c;

			cnm_cidr_network(&c, &n.addr);
			cnm_cidr_format(&n, want);
			return cnm_errf(err, EINVAL, "Invalid subnet %s : it should be %s",
					s->subnets[i], want);
		}
		if (c.prefix > cnm_addr_bits(&c.addr) - 2)
			return cnm_errf(err, EINVAL, "Invalid subnet %s : too small for a gateway"
					" and a container", s->subnets[i]);
		sc = &cfg[c.addr.family == AF_INET6];
		if (sc->used) {
			char other[CNM_CIDRSTRLEN];

			cnm_cidr_format(&sc->pool.subnet, other);
			return cnm_errf(err, EINVAL, "only one IPv%c subnet per network: %s and %s",
					c.addr.family == AF_INET6 ? '6' : '4', s->subnets[i],
					other);
		}
		if (c.addr.family == AF_INET6 && !s->ipv6)
			return cnm_errf(err, EINVAL, "IPv6 subnet %s given without --ipv6",
					s->subnets[i]);
		sc->used = true;
		sc->pool.subnet = c;
		sc->pool.range = c;
	}
	if (!s->n_subnets && (s->n_gateways || s->n_ranges || s->n_aux))
		return cnm_errf(err, EINVAL, "every ip-range, gateway or aux-address must have a"
				" corresponding subnet");
	if (s->ipv6 && !cfg[1].used)
		return cnm_errf(err, EINVAL, "--ipv6 needs an IPv6 --subnet (cnm has no default"
				" IPv6 pool)");
	for (size_t i = 0; i < s->n_gateways; i++) {
		struct cnm_addr a;
		struct subnet_cfg *sc;

		if (cnm_addr_parse(s->gateways[i], &a))
			return cnm_errf(err, EINVAL, "invalid gateway address %s", s->gateways[i]);
		sc = subnet_for(cfg, &a);
		if (!sc)
			return cnm_errf(err, EINVAL, "no matching subnet for gateway %s",
					s->gateways[i]);
		if (sc->gw_given)
			return cnm_errf(err, EINVAL, "two gateways for one subnet: %s",
					s->gateways[i]);
		sc->pool.gateway = a;
		if (cnm_ipam_check(&sc->pool, &a))
			return cnm_errf(err, EINVAL, "gateway %s is the network or broadcast"
					" address of its subnet", s->gateways[i]);
		sc->pool.has_gateway = sc->gw_given = true;
	}
	for (size_t i = 0; i < s->n_ranges; i++) {
		struct cnm_cidr r;
		struct subnet_cfg *sc;

		if (cnm_cidr_parse(s->ranges[i], &r) || !cnm_cidr_is_network(&r))
			return cnm_errf(err, EINVAL, "invalid ip-range %s: use a network in CIDR"
					" form", s->ranges[i]);
		sc = subnet_for(cfg, &r.addr);
		if (!sc || r.prefix < sc->pool.subnet.prefix)
			return cnm_errf(err, EINVAL, "no matching subnet for range %s", s->ranges[i]);
		if (sc->range_given) {	/* Docker's CLI refuses it too; the last would win */
			char prev[CNM_CIDRSTRLEN], sub[CNM_CIDRSTRLEN];

			cnm_cidr_format(&sc->pool.range, prev);
			cnm_cidr_format(&sc->pool.subnet, sub);
			return cnm_errf(err, EINVAL, "cannot configure multiple ranges (%s, %s) on"
					" the same subnet (%s)", prev, s->ranges[i], sub);
		}
		sc->pool.range = r;
		sc->range_given = true;
	}
	for (int i = 0; i < 2; i++) {
		if (!cfg[i].used || cfg[i].pool.has_gateway)
			continue;
		cfg[i].pool.gateway = cfg[i].pool.subnet.addr;
		cnm_addr_add(&cfg[i].pool.gateway, 1);
		cfg[i].pool.has_gateway = true;
	}
	for (size_t i = 0; i < s->n_aux; i++) {
		const char *eq = strchr(s->aux[i], '=');
		struct cnm_addr a;
		struct subnet_cfg *sc;
		char name[128];

		if (!eq || eq == s->aux[i] || (size_t)(eq - s->aux[i]) >= sizeof(name) ||
		    cnm_addr_parse(eq + 1, &a))
			return cnm_errf(err, EINVAL, "invalid aux-address '%s': use NAME=IP",
					s->aux[i]);
		snprintf(name, sizeof(name), "%.*s", (int)(eq - s->aux[i]), s->aux[i]);
		sc = subnet_for(cfg, &a);
		if (!sc)
			return cnm_errf(err, EINVAL, "no matching subnet for aux-address %s", eq + 1);
		if (!cnm_addr_cmp(&a, &sc->pool.gateway) || cnm_ipam_check(&sc->pool, &a))
			return cnm_errf(err, EINVAL, "aux-address %s is the network, broadcast or"
					" gateway address", s->aux[i]);
		if (json_object_get(aux_all, name))
			return cnm_errf(err, EINVAL, "aux-address name %s given twice", name);
		if (!sc->aux)
			sc->aux = json_object();
		json_object_set_new(sc->aux, name, json_string(eq + 1));
		json_object_set_new(aux_all, name, json_string(eq + 1));
	}
	return 0;
}

/* "KEY=VALUE" (or "KEY" for labels) into a JSON object, in the order given. */
static int kv_json(const char *const *kv, size_t n, bool value_needed, const char *what,
		   json_t *out, struct cnm_err *err)
{
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(kv[i], '=');
		size_t klen = eq ? (size_t)(eq - kv[i]) : strlen(kv[i]);
		char key[256];
		json_t *v;

		if ((!eq && value_needed) || eq == kv[i] || !kv[i][0])
			return cnm_errf(err, EINVAL, "invalid %s '%s': use KEY=VALUE", what, kv[i]);
		if (klen >= sizeof(key))
			return cnm_errf(err, EINVAL, "invalid %s '%.40s...': key longer than %zu bytes",
					what, kv[i], sizeof(key) - 1);
		snprintf(key, sizeof(key), "%.*s", (int)klen, kv[i]);
		/* JSON holds UTF-8 only: refuse rather than drop the option silently */
		v = json_string(eq ? eq + 1 : "");
		if (!v || json_object_set_new(out, key, v))
			return cnm_errf(err, EINVAL, "invalid %s '%s': not valid UTF-8", what, kv[i]);
	}
	return 0;
}

static json_t *ipam_config_json(struct subnet_cfg cfg[2], bool auto_subnet)
{
	json_t *a = json_array();

	for (int i = 0; i < 2; i++) {
		json_t *c;
		char s[CNM_CIDRSTRLEN];

		if (!cfg[i].used)
			continue;
		c = json_object();
		cnm_cidr_format(&cfg[i].pool.subnet, s);
		json_object_set_new(c, "Subnet", json_string(s));
		if (cfg[i].range_given) {	/* as given, even when it is the whole subnet */
			cnm_cidr_format(&cfg[i].pool.range, s);
			json_object_set_new(c, "IPRange", json_string(s));
		}
		/* Docker shows a gateway it was given or chose with the subnet, not a default */
		if (cfg[i].gw_given || auto_subnet) {
			cnm_addr_format(&cfg[i].pool.gateway, s);
			json_object_set_new(c, "Gateway", json_string(s));
		}
		if (cfg[i].aux)
			json_object_set(c, "AuxiliaryAddresses", cfg[i].aux);
		json_array_append_new(a, c);
	}
	return a;
}

struct taken {
	struct cnm_cidr v[256];
	char what[256][CNM_NAME_MAX + 40];
	size_t n;
};

static int add_route(const struct cnm_cidr *dst, const char *dev, void *data)
{
	struct taken *t = data;
	char s[CNM_CIDRSTRLEN];

	/* the default route overlaps everything; cnm's own bridges are networks */
	if (dst->prefix == 0 || !strncmp(dev, "br-", 3) || !strcmp(dev, "cnm0") ||
	    (dst->addr.family == AF_INET6 && dst->addr.b[0] == 0xfe && (dst->addr.b[1] & 0xc0) == 0x80) ||
	    t->n >= ARRAY_SIZE(t->v))
		return 0;
	cnm_cidr_format(dst, s);
	t->v[t->n] = *dst;
	snprintf(t->what[t->n++], sizeof(t->what[0]), "host route %s%s%s", s, dev[0] ? " dev " : "",
		 dev);
	return 0;
}

/* Everything that already holds address space: other networks and host routes. */
static int collect_taken(struct cnm_ctx *ctx, struct taken *t, struct cnm_err *err)
{
	struct cnm_nl *nl;
	sqlite3_stmt *st;
	int rc;

	t->n = 0;
	rc = cnm_store_prepare(ctx, "SELECT name, subnet FROM networks WHERE subnet IS NOT NULL"
			       " UNION ALL SELECT name, subnet6 FROM networks WHERE subnet6 IS NOT"
			       " NULL", &st, err);
	if (rc)
		return rc;
	while (sqlite3_step(st) == SQLITE_ROW && t->n < ARRAY_SIZE(t->v)) {
		const char *sub = (const char *)sqlite3_column_text(st, 1);

		if (cnm_cidr_parse(sub, &t->v[t->n]))
			continue;
		snprintf(t->what[t->n++], sizeof(t->what[0]), "network %s (%s)",
			 sqlite3_column_text(st, 0), sub);
	}
	sqlite3_finalize(st);
	rc = cnm_ctx_nl(ctx, &nl, err);
	if (!rc)
		rc = cnm_nl_routes(nl, AF_INET, add_route, t, err);
	if (!rc)
		rc = cnm_nl_routes(nl, AF_INET6, add_route, t, err);
	return rc;
}

static int check_overlap(const struct taken *t, const struct cnm_cidr *c, struct cnm_err *err)
{
	char s[CNM_CIDRSTRLEN];

	for (size_t i = 0; i < t->n; i++)
		if (cnm_cidr_overlaps(&t->v[i], c)) {
			cnm_cidr_format(c, s);
			return cnm_errf(err, EEXIST, "Pool overlaps with other one on this address"
					" space: %s overlaps %s", s, t->what[i]);
		}
	return 0;
}

/* Is @name a network's name already? */
static bool name_taken(struct cnm_ctx *ctx, const char *name)
{
	sqlite3_stmt *st;
	bool taken;

	if (cnm_store_prepare(ctx, "SELECT 1 FROM networks WHERE name = ?", &st, NULL))
		return true;	/* keep the insert's own message */
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	taken = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return taken;
}

/* The id of the network whose bridge is @bridge, into @id (left as it is if none). */
static void bridge_owner(struct cnm_ctx *ctx, const char *bridge, char *id, size_t len)
{
	sqlite3_stmt *st;

	if (cnm_store_prepare(ctx, "SELECT id FROM networks WHERE bridge = ?", &st, NULL))
		return;
	sqlite3_bind_text(st, 1, bridge, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		cnm_col_text(st, 0, id, len);
	sqlite3_finalize(st);
}

static int same_bridge(const struct cnm_net *n, const char *other, struct cnm_err *err)
{
	return cnm_errf(err, EEXIST, "cannot create network %s (%s): conflicts with network %s"
			" (%s): networks have same bridge name", n->id, n->bridge, other, n->bridge);
}

/* Under the lock: subnets checked or picked, bridge name free, row inserted. */
static int commit_row(struct cnm_ctx *ctx, struct cnm_net *n, struct subnet_cfg cfg[2],
		      bool auto_subnet, struct cnm_err *err)
{
	struct taken *t = calloc(1, sizeof(*t));
	struct cnm_nl *nl;
	json_t *ipam;
	int rc, ifindex;

	if (!t)
		return cnm_errf(err, ENOMEM, "out of memory");
	rc = cnm_store_begin(ctx, err);
	if (rc)
		goto out;
	rc = collect_taken(ctx, t, err);
	if (!rc && auto_subnet) {
		cfg[0].used = true;
		rc = cnm_subnet_pick(t->v, t->n, &cfg[0].pool.subnet);
		if (rc)
			rc = cnm_errf(err, ENOSPC, "no free subnet left in the default pools"
				      " (172.17-31.0.0/16, 192.168.0.0/16 in /20s): give --subnet");
		cfg[0].pool.range = cfg[0].pool.subnet;
		cfg[0].pool.gateway = cfg[0].pool.subnet.addr;
		cnm_addr_add(&cfg[0].pool.gateway, 1);
		cfg[0].pool.has_gateway = true;
	}
	for (int i = 0; i < 2 && !rc; i++)
		if (cfg[i].used)
			rc = check_overlap(t, &cfg[i].pool.subnet, err);
	if (!rc) {
		rc = cnm_ctx_nl(ctx, &nl, err);
		if (!rc && cnm_nl_link_index(nl, n->bridge, &ifindex, NULL) == 0) {
			char other[CNM_ID_LEN + 1] = "";

			/* another network's bridge: Docker's words, naming that network */
			bridge_owner(ctx, n->bridge, other, sizeof(other));
			rc = other[0] ? same_bridge(n, other, err)
				      : cnm_errf(err, EEXIST, "bridge name %s is already used by an"
						 " interface on the host", n->bridge);
		}
	}
	if (!rc) {
		n->has_pool = cfg[0].used;
		n->pool = cfg[0].pool;
		n->has_pool6 = cfg[1].used;
		n->pool6 = cfg[1].pool;
		ipam = ipam_config_json(cfg, auto_subnet);
		n->ipam_config = json_dumps(ipam, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(ipam);
		rc = cnm_net_insert(ctx, n, err);
		if (rc == -EEXIST && !name_taken(ctx, n->name)) {
			char other[CNM_ID_LEN + 1] = "?";

			/* the bridge column clashed: its owner's bridge may not exist (yet) */
			bridge_owner(ctx, n->bridge, other, sizeof(other));
			rc = same_bridge(n, other, err);
		}
	}
	if (rc)
		cnm_store_rollback(ctx);
	else
		rc = cnm_store_commit(ctx, err);
out:
	free(t);
	return rc;
}

/**
 * cnm_network_create() - see cnm.h.
 */
int cnm_network_create(struct cnm_ctx *ctx, const struct cnm_network_spec *s,
		       char id[CNM_ID_LEN + 1], struct cnm_err *err)
{
	struct subnet_cfg cfg[2] = { 0 };
	struct cnm_netopts o;
	struct cnm_net n = { 0 };
	json_t *opts = json_object(), *labels = json_object(), *aux = json_object();
	int rc;

	if (!net_name_valid(s->name)) {
		rc = cnm_errf(err, EINVAL, "invalid network name \"%s\": use 1 to %d characters of"
			      " [a-zA-Z0-9][a-zA-Z0-9_.-]*", s->name ? s->name : "",
			      NET_NAME_MAX);
		goto out;
	}
	if (s->driver && strcmp(s->driver, "bridge")) {
		rc = cnm_errf(err, ENOENT, "plugin \"%s\" not found: cnm creates bridge networks",
			      s->driver);
		goto out;
	}
	rc = cnm_netopts_parse(s->opts, s->n_opts, &o, err);
	if (!rc)
		rc = kv_json(s->opts, s->n_opts, true, "option", opts, err);
	if (!rc)
		rc = kv_json(s->labels, s->n_labels, false, "label", labels, err);
	if (!rc)
		rc = parse_ipam(s, cfg, aux, err);
	if (rc)
		goto out;

	rc = cnm_random_id(n.id);
	if (rc) {
		rc = cnm_errf(err, rc, "cannot generate an id");
		goto out;
	}
	snprintf(n.name, sizeof(n.name), "%s", s->name);
	strcpy(n.driver, "bridge");
	cnm_now_rfc3339(n.created);
	if (o.bridge[0])
		snprintf(n.bridge, sizeof(n.bridge), "%s", o.bridge);
	else
		snprintf(n.bridge, sizeof(n.bridge), "br-%.12s", n.id);
	n.mtu = o.mtu;
	n.internal = s->internal;
	n.ipv6 = s->ipv6;
	n.icc = o.icc;
	n.masquerade = o.masquerade && !s->internal;
	snprintf(n.host_binding, sizeof(n.host_binding), "%s", o.host_binding);
	snprintf(n.iface_prefix, sizeof(n.iface_prefix), "%s", o.iface_prefix);
	n.options = json_dumps(opts, JSON_COMPACT | JSON_PRESERVE_ORDER);
	n.labels = json_dumps(labels, JSON_COMPACT | JSON_PRESERVE_ORDER);
	n.aux = json_dumps(aux, JSON_COMPACT | JSON_PRESERVE_ORDER);

	rc = commit_row(ctx, &n, cfg, s->n_subnets == 0, err);
	if (rc)
		goto out;
	cnm_fault("network.create.row");
	rc = cnm_bridge_ensure(ctx, &n, err);
	if (rc) {
		/* undo, the bridge first: a crash in between leaves no bridge without a row */
		cnm_link_delete(ctx, n.bridge, NULL);
		if (cnm_store_begin(ctx, NULL) == 0) {
			cnm_net_delete(ctx, n.id, NULL);
			cnm_store_commit(ctx, NULL);
		}
		goto out;
	}
	memcpy(id, n.id, CNM_ID_LEN + 1);
	if (cnm_net_dns(&n))
		cnm_dns_sync_net(ctx, n.id, true);
out:
	for (int i = 0; i < 2; i++)
		json_decref(cfg[i].aux);
	json_decref(opts);
	json_decref(labels);
	json_decref(aux);
	cnm_net_free(&n);
	return rc;
}
