/* SPDX-License-Identifier: MIT */
#ifndef CNM_CONTAINER_H
#define CNM_CONTAINER_H
#include "ctx.h"
void cnm_netns_path(const struct cnm_ctx *ctx, const char *name, char *out, size_t len);
#endif
