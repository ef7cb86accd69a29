/* SPDX-License-Identifier: MIT */
/* mntns.h - the mount namespace every container's own is copied from (mntns.c). */
#ifndef CNM_MNTNS_H
#define CNM_MNTNS_H

struct cnm_ctx;

int cnm_mnt_template(struct cnm_ctx *ctx);

#endif
