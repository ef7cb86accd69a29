/* SPDX-License-Identifier: MIT */
/*
 * driver.h - network drivers as a table of function pointers.
 */
#ifndef CNM_DRIVER_H
#define CNM_DRIVER_H

#include "ctx.h"

/**
 * struct cnm_driver - what a network driver does for a container.
 * @name: "bridge", "host", "null"
 * @own_netns: the container gets a network namespace of its own
 * @has_ipam: endpoints get addresses from the network's pool
 * @attach: give the container (namespace @netns_fd) its interfaces; runs
 *	after the endpoint row is committed.  Detach needs no hook: every
 *	interface a driver makes lives in the container's namespace (or is
 *	the host half of a veth pair), so releasing the namespace removes it.
 */
struct cnm_driver {
	const char *name;
	bool own_netns;
	bool has_ipam;
	int (*attach)(struct cnm_ctx *ctx, const struct cnm_net *net, const struct cnm_ep *ep,
		      int netns_fd, struct cnm_err *err);
};

const struct cnm_driver *cnm_driver_find(const char *name);
int cnm_bridge_ensure(struct cnm_ctx *ctx, const struct cnm_net *net, struct cnm_err *err);
int cnm_link_delete(struct cnm_ctx *ctx, const char *name, struct cnm_err *err);

#endif
