/* SPDX-License-Identifier: MIT */
#ifndef CNM_PUBLISH_H
#define CNM_PUBLISH_H
#include "ctx.h"
#include "ports.h"
int cnm_publish_plan(struct cnm_ctx *ctx, const char *container_id, const char *const *specs,
		     size_t n_specs, const struct cnm_net *net, const struct cnm_ep *ep,
		     bool host, struct cnm_err *err);
int cnm_publish_fw(struct cnm_ctx *ctx, const char *container_id, bool add, struct cnm_err *err);
int cnm_publish_release(struct cnm_ctx *ctx, const char *container_id, struct cnm_err *err);
#endif
