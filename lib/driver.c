// SPDX-License-Identifier: MIT
/*
 * driver.c - the driver table and the two trivial drivers, host and null.
 *
 * DOC: Theory of operation
 * "host" shares the caller's namespace: nothing to do.  "null" gives the
 * container a namespace with only lo, which the kernel creates down, so we
 * bring it up.  The bridge driver lives in bridge.c.
 */
#include <string.h>
#include "driver.h"

extern const struct cnm_driver cnm_driver_bridge;

static int null_attach(struct cnm_ctx *ctx, const struct cnm_net *net, const struct cnm_ep *ep,
		       int netns_fd, struct cnm_err *err)
{
	struct cnm_nl_batch b;
	struct cnm_nl cnl;
	int rc;

	rc = cnm_nl_open(&cnl, netns_fd, err);
	if (rc)
		return rc;
	cnm_nl_batch_init(&b, &cnl);
	cnm_nl_link_up(&b, 1, "lo");
	rc = cnm_nl_batch_run(&b, err);
	cnm_nl_close(&cnl);
	return rc;
}

static const struct cnm_driver driver_host = {
	.name = "host",
	.own_netns = false,
	.has_ipam = false,
	.attach = NULL,
};

static const struct cnm_driver driver_null = {
	.name = "null",
	.own_netns = true,
	.has_ipam = false,
	.attach = null_attach,
};

static const struct cnm_driver *const drivers[] = {
	&cnm_driver_bridge, &driver_host, &driver_null,
};

const struct cnm_driver *cnm_driver_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(drivers); i++)
		if (!strcmp(drivers[i]->name, name))
			return drivers[i];
	return NULL;
}
