/* SPDX-License-Identifier: MIT */
#ifndef CNM_RECONCILE_H
#define CNM_RECONCILE_H
#include "ctx.h"
int cnm_reconcile_host(struct cnm_ctx *ctx, struct cnm_err *err);
#endif
