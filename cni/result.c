// SPDX-License-Identifier: MIT
/*
 * result.c - CNI results, in the version the configuration asks for.
 *
 * DOC: Theory of operation
 * Versions 0.3.0 to 1.1.0 share one shape: `interfaces` (the bridge, the
 * host veth, the container interface with its `sandbox`), `ips` whose
 * `interface` is the index of the container interface in that list (Podman
 * shows no address otherwise), `routes` and `dns`.  Before 1.0.0 each IP
 * also carries `"version": "4"` or `"6"`.  Reading a delegated IPAM
 * plugin's result goes the other way and accepts any of them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cni.h"

static void add_ip(json_t *ips, const char *version, const char *addr, const char *gw,
		   bool v6)
{
	json_t *o = json_object();

	if (cni_version_cmp(version, "1.0.0") < 0)
		json_object_set_new(o, "version", json_string(v6 ? "6" : "4"));
	json_object_set_new(o, "address", json_string(addr));
	if (gw && *gw)
		json_object_set_new(o, "gateway", json_string(gw));
	json_object_set_new(o, "interface", json_integer(2));
	json_array_append_new(ips, o);
}

static void add_route(json_t *routes, const char *dst, const char *gw)
{
	json_t *o = json_object();

	json_object_set_new(o, "dst", json_string(dst));
	if (gw && *gw)
		json_object_set_new(o, "gw", json_string(gw));
	json_array_append_new(routes, o);
}

/**
 * cni_result() - the ADD result for @info in @r's version.
 * Return: a new JSON object, or NULL when out of memory.
 */
json_t *cni_result(const struct cni_req *r, const struct cnm_attach_info *info)
{
	json_t *res = json_object(), *ifs = json_array(), *ips = json_array();
	json_t *routes = json_array(), *o;

	if (!res || !ifs || !ips || !routes) {
		json_decref(res), json_decref(ifs), json_decref(ips), json_decref(routes);
		return NULL;
	}
	json_object_set_new(res, "cniVersion", json_string(r->version));
	o = json_pack("{s:s}", "name", info->bridge);
	if (o && info->bridge_mac[0])
		json_object_set_new(o, "mac", json_string(info->bridge_mac));
	json_array_append_new(ifs, o);
	o = json_pack("{s:s}", "name", info->host_ifname);
	if (o && info->host_mac[0])
		json_object_set_new(o, "mac", json_string(info->host_mac));
	json_array_append_new(ifs, o);
	o = json_pack("{s:s, s:s, s:s}", "name", info->ifname, "mac", info->mac, "sandbox",
		      r->netns ? r->netns : "");
	json_array_append_new(ifs, o);
	json_object_set_new(res, "interfaces", ifs);
	if (info->addr[0])
		add_ip(ips, r->version, info->addr, info->gateway, false);
	if (info->addr6[0])
		add_ip(ips, r->version, info->addr6, info->gateway6, true);
	json_object_set_new(res, "ips", ips);
	if (r->is_default_gateway && info->gateway[0])
		add_route(routes, "0.0.0.0/0", info->gateway);
	if (r->is_default_gateway && info->gateway6[0])
		add_route(routes, "::/0", info->gateway6);
	for (size_t i = 0; i < r->n_routes; i++) {
		char dst[128];
		const char *via = strstr(r->routes[i], " via ");
		bool v6 = strchr(r->routes[i], ':') != NULL;

		snprintf(dst, sizeof(dst), "%.*s", (int)(via ? via - r->routes[i] :
							 (long)strlen(r->routes[i])), r->routes[i]);
		if (r->is_default_gateway && (!strcmp(dst, "0.0.0.0/0") || !strcmp(dst, "::/0")))
			continue; /* there already */
		if ((v6 && !info->addr6[0]) || (!v6 && !info->addr[0]))
			continue;
		add_route(routes, dst, via ? via + 5 : NULL);
	}
	json_object_set_new(res, "routes", routes);
	json_object_set_new(res, "dns", r->dns ? json_incref(r->dns) : json_object());
	return res;
}

/**
 * cni_result_ips() - the first IPv4 and IPv6 address (CIDR) and gateway of
 * a delegated IPAM plugin's result, any version, and its routes.
 * Return: 0, or -1 when the result holds no address at all.
 */
int cni_result_ips(json_t *result, char addr[64], char gw[48], char addr6[64], char gw6[48],
		   char ***routes, size_t *n_routes)
{
	json_t *ips = json_object_get(result, "ips"), *rts = json_object_get(result, "routes");
	json_t *v;
	size_t i;

	addr[0] = gw[0] = addr6[0] = gw6[0] = '\0';
	json_array_foreach(ips, i, v) {
		const char *a = json_string_value(json_object_get(v, "address"));
		const char *g = json_string_value(json_object_get(v, "gateway"));
		bool v6 = a && strchr(a, ':');

		if (!a || (v6 ? addr6[0] : addr[0]))
			continue;
		snprintf(v6 ? addr6 : addr, 64, "%s", a);
		snprintf(v6 ? gw6 : gw, 48, "%s", g ? g : "");
	}
	json_array_foreach(rts, i, v) {
		const char *d = json_string_value(json_object_get(v, "dst"));
		const char *g = json_string_value(json_object_get(v, "gw"));
		char **nv;

		if (!d || !(nv = realloc(*routes, (*n_routes + 1) * sizeof(*nv))))
			continue;
		*routes = nv;
		if (asprintf(&nv[*n_routes], "%s%s%s", d, g ? " via " : "", g ? g : "") >= 0)
			(*n_routes)++;
	}
	return addr[0] || addr6[0] ? 0 : -1;
}
