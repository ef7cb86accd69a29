/* SPDX-License-Identifier: MIT */
/* mntns.h - mounts of namespaces: containers' network namespaces, the template (mntns.c). */
#ifndef CNM_MNTNS_H
#define CNM_MNTNS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "cnm.h"

struct cnm_ctx;

void cnm_netns_path(const struct cnm_ctx *ctx, const char *name, char *out, size_t len);
int cnm_netns_dir_prepare(struct cnm_ctx *ctx, struct cnm_err *err);
int cnm_netns_mount(struct cnm_ctx *ctx, const char *name, pid_t pid, struct cnm_err *err);
bool cnm_netns_mounted(const struct cnm_ctx *ctx, const char *name, pid_t pid);
void cnm_netns_unmount(struct cnm_ctx *ctx, const char *name);
int cnm_mnt_template(struct cnm_ctx *ctx);
int cnm_mnt_forget_netns(const char *netns_dir);

#endif
