/* SPDX-License-Identifier: MIT */
/* doctor.h - checks for what keeps container networking from working. */
#ifndef CNM_DOCTOR_H
#define CNM_DOCTOR_H
#include <stddef.h>
#include "ctx.h"

/*
 * The resolver check is a hook: the DNS module (lib/dns*) defines
 * cnm_dns_doctor() to test that its resolver answers; until it does, this
 * weak declaration leaves the symbol NULL and the doctor skips the check.
 * Return: 0 when healthy, 1 with @problem and @fix filled (one line each)
 * when the resolver does not answer, or a negative errno if it could not
 * tell (the doctor then skips it).
 */
int cnm_dns_doctor(struct cnm_ctx *ctx, char *object, size_t olen, char *problem, size_t plen,
		   char *fix, size_t flen) __attribute__((weak));

#define CNM_BRIDGE_MAX_PORTS 1024	/* BR_MAX_PORTS in the kernel */
#define CNM_BRIDGE_PORTS_WARN 900	/* "near the limit" */

#endif
