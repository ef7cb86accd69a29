/* SPDX-License-Identifier: MIT */
#ifndef CNM_CONTAINER_H
#define CNM_CONTAINER_H
#include "ctx.h"
#include "mntns.h"
bool cnm_ctr_alive(const struct cnm_ctr *c);
int cnm_ctr_busy_lock(const struct cnm_ctx *ctx, const char *id);
int cnm_ctr_busy_trylock(const struct cnm_ctx *ctx, const char *id);
bool cnm_ctr_busy(const struct cnm_ctx *ctx, const char *id);
int cnm_release_locked(struct cnm_ctx *ctx, const char *id, int exit_code, bool forget_row,
		       struct cnm_err *err);
char *cnm_ports_display(const char *rows);
#endif
