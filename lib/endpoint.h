/* SPDX-License-Identifier: MIT */
#ifndef CNM_ENDPOINT_H
#define CNM_ENDPOINT_H
#include "ctx.h"
int cnm_ep_plan(struct cnm_ctx *ctx, const struct cnm_net *net, const char *container_id,
		int index, const char *req_ip, const char *req_ip6, struct cnm_ep *ep,
		struct cnm_err *err);
int cnm_ep_set_mac(struct cnm_ep *ep, const char *mac, struct cnm_err *err);
int cnm_ep_insert_checked(struct cnm_ctx *ctx, const struct cnm_net *net, const struct cnm_ep *ep,
			  const char *container_name, struct cnm_err *err);
#endif
