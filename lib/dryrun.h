/* SPDX-License-Identifier: MIT */
/* dryrun.h - --dry-run: changes recorded as the commands a person would type. */
#ifndef CNM_DRYRUN_H
#define CNM_DRYRUN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ctx.h"
void cnm_dry_elems(struct cnm_ctx *ctx, bool add, const uint8_t *buf, size_t len);
void cnm_dry_sysctl(struct cnm_ctx *ctx, const char *path, const char *value);
void cnm_dry_table(struct cnm_ctx *ctx, const char *def);
#endif
