/* SPDX-License-Identifier: MIT */
/* relay.h - [::1]:PORT of published ports, relayed by the container's monitor. */
#ifndef CNM_RELAY_H
#define CNM_RELAY_H
#include <stddef.h>
#include <sys/types.h>
#include "cnm.h"

struct cnm_relay;

int cnm_relay_open(struct cnm_ctx *ctx, const char *container_id, struct cnm_relay **out,
		   char *warn, size_t warn_len, struct cnm_err *err);
int cnm_relay_wait(struct cnm_relay *r, pid_t pid);
void cnm_relay_free(struct cnm_relay *r);
void cnm_relay_notify(const char *container_id);
#endif
