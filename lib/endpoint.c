// SPDX-License-Identifier: MIT
/*
 * endpoint.c - planning a container's attachment to a network.
 *
 * DOC: Theory of operation
 * Called under the store lock by `run` (the container's first network) and
 * by `network connect` (the next ones): it picks the interface name, the
 * IPv4 and IPv6 addresses (the one asked for, checked, or the lowest free),
 * Docker's MAC and a host veth name.  Nothing here touches the kernel; the
 * UNIQUE indexes on the endpoint row are the final word on conflicts.
 */
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdint.h>
#include <sys/random.h>
#include <stdio.h>
#include <string.h>
#include "endpoint.h"

/* The network's auxiliary addresses of @family, sorted: reserved, never handed out. */
static int aux_addrs(const struct cnm_net *net, int family, struct cnm_addr **out, size_t *n,
		     struct cnm_err *err)
{
	json_t *o = cnm_json_empty_object(net->aux) ? NULL : json_loads(net->aux, 0, NULL);
	struct cnm_addr *v = NULL;
	const char *k;
	json_t *val;

	*out = NULL;
	*n = 0;
	if (!o || !json_object_size(o)) {
		json_decref(o);
		return 0;
	}
	v = calloc(json_object_size(o), sizeof(*v));
	if (!v) {
		json_decref(o);
		return cnm_errf(err, ENOMEM, "out of memory");
	}
	json_object_foreach(o, k, val) {
		const char *t = json_string_value(val);

		if (t && !cnm_addr_parse(t, &v[*n]) && v[*n].family == family)
			(*n)++;
	}
	json_decref(o);
	cnm_ipam_sort(v, *n);
	*out = v;
	return 0;
}

/* Is @a one of the @n sorted addresses @v? */
static bool in_addrs(const struct cnm_addr *v, size_t n, const struct cnm_addr *a)
{
	for (size_t i = 0; i < n; i++)
		if (!cnm_addr_cmp(&v[i], a))
			return true;
	return false;
}

#define PROBES_MAX 64

/*
 * The lowest free address, probing upward from the network's allocation
 * mark: every address up to the mark is taken, so in the usual case (no
 * container removed since the last allocation) the first probe answers,
 * however many endpoints the network has.  Return 1 when found, 0 when the
 * mark is unknown or the probes ran out (the caller scans), or -errno.
 */
static int next_from_mark(struct cnm_ctx *ctx, const struct cnm_net *net,
			  const struct cnm_pool *pool, int family, const struct cnm_addr *aux,
			  size_t n_aux, struct cnm_addr *out, struct cnm_err *err)
{
	sqlite3_stmt *probe = NULL;
	struct cnm_addr from;
	int rc = cnm_ipam_last_get(ctx, net->id, family, &from), found = 0;

	for (int i = 0; rc == 1 && !found && i < PROBES_MAX; i++) {
		struct cnm_addr prev = from;

		cnm_addr_add(&from, 1);
		/* the top of the range: holes below it, if any, need the scan */
		if (cnm_addr_cmp(&from, &prev) <= 0 ||
		    cnm_ipam_first_free(pool, &from, aux, n_aux, out))
			break;
		rc = cnm_ep_addr_used(ctx, &probe, net->id, out, err);
		found = rc == 0;
		from = *out;
	}
	sqlite3_finalize(probe);
	return rc < 0 ? rc : found;
}

/* One family: the requested address checked, or the lowest free one. */
static int pick_addr(struct cnm_ctx *ctx, const struct cnm_net *net, const struct cnm_pool *pool,
		     int family, const char *req, struct cnm_addr *out, struct cnm_err *err)
{
	struct cnm_addr *used = NULL, *aux = NULL;
	size_t n_used = 0, n_aux = 0;
	sqlite3_stmt *probe = NULL;
	int rc;

	rc = aux_addrs(net, family, &aux, &n_aux, err);
	if (rc)
		return rc;
	if (req) {
		rc = cnm_addr_parse(req, out);
		if (rc || out->family != family) {
			rc = cnm_errf(err, EINVAL, "invalid IPv%c address %s",
				      family == AF_INET ? '4' : '6', req);
			goto out;
		}
		rc = cnm_ipam_check(pool, out);
		if (rc == -EINVAL) {
			rc = cnm_errf(err, EINVAL, "Invalid address %s: It does not belong to any"
				      " of network %s's subnets", req, net->name);
			goto out;
		}
		if (rc) {
			rc = cnm_errf(err, EADDRINUSE, "Address already in use: %s is the network,"
				      " broadcast or gateway address of network %s", req, net->name);
			goto out;
		}
		rc = in_addrs(aux, n_aux, out) ? 1 : cnm_ep_addr_used(ctx, &probe, net->id, out, err);
		if (rc == 1)
			rc = cnm_errf(err, EADDRINUSE, "Address already in use: %s is taken"
				      " on network %s", req, net->name);
		goto out;
	}
	rc = next_from_mark(ctx, net, pool, family, aux, n_aux, out, err);
	if (rc == 0) { /* no mark: read every address held, once */
		rc = cnm_ep_used_addrs(ctx, net, family, aux, n_aux, &used, &n_used, err);
		if (rc)
			goto out;
		rc = cnm_ipam_first_free(pool, NULL, used, n_used, out);
		if (rc) {
			char s[CNM_CIDRSTRLEN];

			cnm_cidr_format(&pool->range, s);
			rc = cnm_errf(err, ENOSPC, "network %s: no available IPv%c address in %s:"
				      " the pool is exhausted", net->name,
				      family == AF_INET ? '4' : '6', s);
			goto out;
		}
	}
	if (rc >= 0)
		rc = cnm_ipam_last_set(ctx, net->id, out, err);
out:
	sqlite3_finalize(probe);
	free(used);
	free(aux);
	return rc;
}

/**
 * cnm_ep_plan() - fill @ep for attaching container @container_id to @net.
 * @ctx: context, inside a store transaction
 * @net: the network
 * @container_id: the container
 * @index: interface index inside the container (0 for eth0)
 * @req_ip: IPv4 address asked for, or NULL
 * @req_ip6: IPv6 address asked for, or NULL
 * @ep: filled
 * @err: filled on failure
 *
 * Return: 0 or a negative errno with a message naming the network.
 */
int cnm_ep_plan(struct cnm_ctx *ctx, const struct cnm_net *net, const char *container_id,
		int index, const char *req_ip, const char *req_ip6, struct cnm_ep *ep,
		struct cnm_err *err)
{
	int rc;

	memset(ep, 0, sizeof(*ep));
	rc = cnm_random_id(ep->id);
	if (rc)
		return cnm_errf(err, rc, "cannot generate an id: %s", strerror(-rc));
	snprintf(ep->network_id, sizeof(ep->network_id), "%s", net->id);
	snprintf(ep->container_id, sizeof(ep->container_id), "%s", container_id);
	snprintf(ep->ifname, sizeof(ep->ifname), "%s%d",
		 net->iface_prefix[0] ? net->iface_prefix : "eth", index);
	ep->default_route = index == 0 && !net->internal;
	if ((req_ip && !net->has_pool) || (req_ip6 && !net->has_pool6))
		return cnm_errf(err, EINVAL, "network %s has no IPv%c subnet to take %s from",
				net->name, req_ip && !net->has_pool ? '4' : '6',
				req_ip && !net->has_pool ? req_ip : req_ip6);
	if (req_ip)
		snprintf(ep->req_ip, sizeof(ep->req_ip), "%s", req_ip);
	if (req_ip6)
		snprintf(ep->req_ip6, sizeof(ep->req_ip6), "%s", req_ip6);
	if (net->has_pool) {
		rc = pick_addr(ctx, net, &net->pool, AF_INET, req_ip, &ep->addr, err);
		if (rc)
			return rc;
		ep->has_addr = true;
		ep->prefix = net->pool.subnet.prefix;
		ep->has_gateway = net->pool.has_gateway;
		ep->gateway = net->pool.gateway;
		cnm_mac_from_addr(&ep->addr, ep->mac);
	}
	if (net->has_pool6) {
		rc = pick_addr(ctx, net, &net->pool6, AF_INET6, req_ip6, &ep->addr6, err);
		if (rc)
			return rc;
		ep->has_addr6 = true;
		ep->prefix6 = net->pool6.subnet.prefix;
		ep->has_gateway6 = net->pool6.has_gateway;
		ep->gateway6 = net->pool6.gateway;
	}
	if (!ep->mac[0] && net->bridge[0]) {
		/*
		 * No IPv4 address to derive Docker's MAC from: 02:42 and the last
		 * four bytes of the IPv6 address (unique on the network, as the
		 * pool hands them out), or random ones.  Either way the MAC is
		 * known before the veth exists, so anti-spoofing covers it too.
		 */
		uint8_t m[6] = { 0x02, 0x42 };

		if (ep->has_addr6)
			memcpy(m + 2, ep->addr6.b + 12, 4);
		else if (getrandom(m + 2, 4, 0) != 4)
			return cnm_errf(err, EIO, "getrandom failed");
		snprintf(ep->mac, sizeof(ep->mac), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1],
			 m[2], m[3], m[4], m[5]);
	}
	memcpy(ep->host_ifname, "veth", 4);
	return cnm_random_hex(ep->host_ifname + 4, 7);
}

/**
 * cnm_ep_set_mac() - give @ep the MAC address @mac instead of the planned one.
 * @ep: a planned endpoint
 * @mac: "xx:xx:xx:xx:xx:xx", either case
 * @err: filled on failure
 *
 * A multicast or all-zero address is refused here: the kernel would refuse
 * it only after the rows and the veth exist.
 *
 * Return: 0 or -EINVAL.
 */
int cnm_ep_set_mac(struct cnm_ep *ep, const char *mac, struct cnm_err *err)
{
	uint8_t m[6];

	if (cnm_mac_parse(mac, m) || (m[0] & 1) || !(m[0] | m[1] | m[2] | m[3] | m[4] | m[5]))
		return cnm_errf(err, EINVAL, "invalid MAC address \"%s\"", mac);
	snprintf(ep->mac, sizeof(ep->mac), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
		 m[3], m[4], m[5]);
	return 0;
}

/**
 * cnm_ep_insert_checked() - insert an endpoint, turning a UNIQUE violation
 * into the message Docker gives ("Address already in use").
 */
int cnm_ep_insert_checked(struct cnm_ctx *ctx, const struct cnm_net *net, const struct cnm_ep *ep,
			  const char *container_name, struct cnm_err *err)
{
	struct cnm_ep other;
	int rc = cnm_ep_insert(ctx, ep, err);

	if (rc != -EEXIST)
		return rc;
	if (cnm_ep_get_on(ctx, ep->container_id, net->id, &other, NULL) == 0)
		return cnm_errf(err, EEXIST, "endpoint with name %s already exists in network %s",
				container_name, net->name);
	return cnm_errf(err, EADDRINUSE, "Address already in use on network %s", net->name);
}
