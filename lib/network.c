// SPDX-License-Identifier: MIT
/*
 * network.c - networks: the three built-in ones, listing and inspect JSON.
 *
 * DOC: Theory of operation
 * "bridge", "host" and "none" are rows written in the same transaction that
 * creates the store, with random ids like Docker's.  The default bridge is
 * cnm0 with 172.17.0.0/16 unless a host route overlaps it, in which case the
 * first free /16 of 172.18-172.31 is taken and the caller is told (a
 * notice).  The Linux bridge itself is made by the driver on first use.
 *
 * Inspect output is built with jansson in Docker's key order (jansson keeps
 * insertion order) and Docker's value types.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include "ctx.h"
#include "gc.h"

struct overlap_probe {
	struct cnm_cidr want;
	char hit[CNM_CIDRSTRLEN + 20];
};

static int route_overlaps(const struct cnm_cidr *dst, const char *dev, void *data)
{
	struct overlap_probe *p = data;
	char s[CNM_CIDRSTRLEN];

	if (dst->prefix == 0) /* the default route overlaps everything; Docker skips it too */
		return 0;
	if (!cnm_cidr_overlaps(dst, &p->want))
		return 0;
	cnm_cidr_format(dst, s);
	snprintf(p->hit, sizeof(p->hit), "%s%s%s", s, dev[0] ? " dev " : "", dev);
	return 1;
}

/* The default bridge's subnet: 172.17.0.0/16, or the next /16 no host route touches. */
static int pick_default_subnet(struct cnm_ctx *ctx, struct cnm_cidr *out, struct cnm_err *err)
{
	struct overlap_probe p;
	char first_hit[sizeof(p.hit)] = "";
	struct cnm_nl *nl;
	int rc;

	rc = cnm_ctx_nl(ctx, &nl, err);
	if (rc)
		return rc;
	for (int second = 17; second <= 31; second++) {
		char s[CNM_CIDRSTRLEN];

		snprintf(s, sizeof(s), "172.%d.0.0/16", second);
		cnm_cidr_parse(s, &p.want);
		p.hit[0] = '\0';
		rc = cnm_nl_routes(nl, AF_INET, route_overlaps, &p, err);
		if (rc < 0)
			return rc;
		if (!rc) {
			*out = p.want;
			if (first_hit[0])
				snprintf(ctx->notice, sizeof(ctx->notice),
					 "172.17.0.0/16 overlaps host route %s: the default bridge"
					 " uses %s", first_hit, s);
			return 0;
		}
		if (!first_hit[0])
			snprintf(first_hit, sizeof(first_hit), "%s", p.hit);
	}
	return cnm_errf(err, ENOSPC, "no free /16 in 172.17.0.0-172.31.0.0 for the default"
			" bridge: every one overlaps a host route");
}

/**
 * cnm_networks_ensure_defaults() - write the rows of bridge, host and none.
 * Called inside the transaction that creates the store.
 */
int cnm_networks_ensure_defaults(struct cnm_ctx *ctx, struct cnm_err *err)
{
	static const char bridge_opts[] =
		"{\"com.docker.network.bridge.default_bridge\": \"true\","
		" \"com.docker.network.bridge.enable_icc\": \"true\","
		" \"com.docker.network.bridge.enable_ip_masquerade\": \"true\","
		" \"com.docker.network.bridge.host_binding_ipv4\": \"0.0.0.0\","
		" \"com.docker.network.bridge.name\": \"cnm0\","
		" \"com.docker.network.driver.mtu\": \"1500\"}";
	static const struct { const char *name, *driver; } builtin[] = {
		{ "bridge", "bridge" }, { "host", "host" }, { "none", "null" },
	};
	int rc;

	for (size_t i = 0; i < ARRAY_SIZE(builtin); i++) {
		struct cnm_net n = { 0 };

		snprintf(n.name, sizeof(n.name), "%s", builtin[i].name);
		snprintf(n.driver, sizeof(n.driver), "%s", builtin[i].driver);
		n.builtin = true;
		n.mtu = 1500;
		n.icc = n.masquerade = true;
		strcpy(n.iface_prefix, "eth");
		strcpy(n.host_binding, "0.0.0.0");
		rc = cnm_random_id(n.id);
		if (rc)
			return cnm_errf(err, rc, "cannot generate an id: %s", strerror(-rc));
		cnm_now_rfc3339(n.created);
		if (!strcmp(n.driver, "bridge")) {
			strcpy(n.bridge, "cnm0");
			rc = pick_default_subnet(ctx, &n.pool.subnet, err);
			if (rc)
				return rc;
			n.has_pool = true;
			n.pool.range = n.pool.subnet;
			n.pool.gateway = n.pool.subnet.addr;
			cnm_addr_add(&n.pool.gateway, 1);
			n.pool.has_gateway = true;
			n.options = (char *)bridge_opts;
		}
		rc = cnm_net_insert(ctx, &n, err);
		if (rc)
			return rc;
	}
	return 0;
}

static char *labels_text(const char *labels_json)
{
	json_t *o = json_loads(labels_json ? labels_json : "{}", 0, NULL);
	const char *k;
	json_t *v;
	char *out = strdup("");

	json_object_foreach(o, k, v) {
		char *n = cnm_strdup_printf("%s%s%s=%s", out, *out ? "," : "", k,
					    json_string_value(v) ? json_string_value(v) : "");
		free(out);
		out = n;
		if (!out)
			break;
	}
	json_decref(o);
	return out;
}

/**
 * cnm_network_list() - every network, sorted by name (as `docker network ls`).
 */
int cnm_network_list(struct cnm_ctx *ctx, struct cnm_network_info **out, size_t *n,
		     struct cnm_err *err)
{
	struct cnm_network_info *v = NULL;
	size_t len = 0;
	sqlite3_stmt *st;
	int rc;

	rc = cnm_store_prepare(ctx, "SELECT id, name, driver, created, internal, ipv6, labels,"
			       " builtin, (SELECT count(*) FROM endpoints e WHERE e.network_id ="
			       " networks.id) FROM networks ORDER BY name", &st, err);
	if (rc)
		return rc;
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct cnm_network_info *nv = realloc(v, (len + 1) * sizeof(*v));
		const char *cols;

		if (!nv) {
			rc = cnm_errf(err, ENOMEM, "out of memory");
			break;
		}
		v = nv;
		memset(&v[len], 0, sizeof(v[len]));
		cnm_col_text(st, 0, v[len].id, sizeof(v[len].id));
		cnm_col_text(st, 1, v[len].name, sizeof(v[len].name));
		cnm_col_text(st, 2, v[len].driver, sizeof(v[len].driver));
		cnm_col_text(st, 3, v[len].created, sizeof(v[len].created));
		v[len].internal = sqlite3_column_int(st, 4);
		v[len].ipv6 = sqlite3_column_int(st, 5);
		cols = (const char *)sqlite3_column_text(st, 6);
		v[len].labels = labels_text(cols);
		v[len].labels_json = strdup(cols ? cols : "{}");
		v[len].builtin = sqlite3_column_int(st, 7);
		v[len].n_endpoints = (unsigned int)sqlite3_column_int(st, 8);
		len++;
	}
	sqlite3_finalize(st);
	if (rc) {
		cnm_network_list_free(v, len);
		return rc;
	}
	*out = v;
	*n = len;
	return 0;
}

void cnm_network_list_free(struct cnm_network_info *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(list[i].labels);
		free(list[i].labels_json);
	}
	free(list);
}

static json_t *json_obj_text(const char *text)
{
	json_t *o = json_loads(text ? text : "{}", 0, NULL);

	return o ? o : json_object();
}

static json_t *ipam_json(const struct cnm_net *n)
{
	json_t *ipam = json_object(), *config = NULL;

	json_object_set_new(ipam, "Driver", json_string("default"));
	/* Docker: null for the predefined networks, {} for user-defined ones */
	json_object_set_new(ipam, "Options", n->builtin ? json_null() : json_object());
	if (n->ipam_config)
		config = json_loads(n->ipam_config, 0, NULL);
	if (config) {
		json_object_set_new(ipam, "Config", config);
		return ipam;
	}
	config = json_array();
	if (n->has_pool) {
		json_t *c = json_object();
		char s[CNM_CIDRSTRLEN];

		cnm_cidr_format(&n->pool.subnet, s);
		json_object_set_new(c, "Subnet", json_string(s));
		if (n->pool.has_gateway) {
			cnm_addr_format(&n->pool.gateway, s);
			json_object_set_new(c, "Gateway", json_string(s));
		}
		if (memcmp(&n->pool.range, &n->pool.subnet, sizeof(n->pool.range))) {
			cnm_cidr_format(&n->pool.range, s);
			json_object_set_new(c, "IPRange", json_string(s));
		}
		json_array_append_new(config, c);
	}
	json_object_set_new(ipam, "Config", config);
	return ipam;
}

static int containers_json(struct cnm_ctx *ctx, const struct cnm_net *n, json_t *out,
			   struct cnm_err *err)
{
	sqlite3_stmt *st;
	int rc;

	rc = cnm_store_prepare(ctx, "SELECT c.id, c.name, e.id, e.mac, e.addr, e.prefix, e.addr6,"
			       " e.prefix6 FROM endpoints e JOIN containers c ON c.id ="
			       " e.container_id WHERE e.network_id = ? ORDER BY e.rowid", &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, n->id, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		json_t *c = json_object();
		const char *addr = (const char *)sqlite3_column_text(st, 4);
		const char *addr6 = (const char *)sqlite3_column_text(st, 6);
		char *v4 = NULL, *v6 = NULL;

		if (addr)
			v4 = cnm_strdup_printf("%s/%d", addr, sqlite3_column_int(st, 5));
		if (addr6)
			v6 = cnm_strdup_printf("%s/%d", addr6, sqlite3_column_int(st, 7));
		json_object_set_new(c, "Name", json_string((const char *)sqlite3_column_text(st, 1)));
		json_object_set_new(c, "EndpointID",
				    json_string((const char *)sqlite3_column_text(st, 2)));
		json_object_set_new(c, "MacAddress",
				    json_string((const char *)sqlite3_column_text(st, 3)));
		json_object_set_new(c, "IPv4Address", json_string(v4 ? v4 : ""));
		json_object_set_new(c, "IPv6Address", json_string(v6 ? v6 : ""));
		json_object_set_new(out, (const char *)sqlite3_column_text(st, 0), c);
		free(v4);
		free(v6);
	}
	sqlite3_finalize(st);
	return 0;
}

/**
 * cnm_network_inspect() - Docker's `network inspect` object, as JSON text.
 * @ctx: context
 * @ref: name, id or unique id prefix
 * @json: malloc'ed result (one object; the CLI wraps objects in an array)
 * @err: filled on failure
 *
 * Return: 0 or a negative errno (-ENOENT: "network X not found").
 */
int cnm_network_inspect(struct cnm_ctx *ctx, const char *ref, char **json, struct cnm_err *err)
{
	struct cnm_net n;
	json_t *o, *containers;
	int rc;

	rc = cnm_net_get(ctx, ref, &n, err);
	if (rc)
		return rc;
	/* outside hands (a deleted bridge, veth or table) are noticed and repaired */
	cnm_gc_check_network(ctx, &n);
	o = json_object();
	containers = json_object();
	json_object_set_new(o, "Name", json_string(n.name));
	json_object_set_new(o, "Id", json_string(n.id));
	json_object_set_new(o, "Created", json_string(n.created));
	json_object_set_new(o, "Scope", json_string("local"));
	json_object_set_new(o, "Driver", json_string(n.driver));
	json_object_set_new(o, "EnableIPv6", json_boolean(n.ipv6));
	json_object_set_new(o, "IPAM", ipam_json(&n));
	json_object_set_new(o, "Internal", json_boolean(n.internal));
	json_object_set_new(o, "Attachable", json_false());
	json_object_set_new(o, "Ingress", json_false());
	json_object_set_new(o, "ConfigFrom", json_pack("{s:s}", "Network", ""));
	json_object_set_new(o, "ConfigOnly", json_false());
	rc = containers_json(ctx, &n, containers, err);
	json_object_set_new(o, "Containers", containers);
	json_object_set_new(o, "Options", json_obj_text(n.options));
	json_object_set_new(o, "Labels", json_obj_text(n.labels));
	if (!rc) {
		*json = json_dumps(o, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
		if (!*json)
			rc = cnm_errf(err, ENOMEM, "out of memory");
	}
	json_decref(o);
	cnm_net_free(&n);
	return rc;
}
