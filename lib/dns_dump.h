/* SPDX-License-Identifier: MIT */
/*
 * dns_dump.h - the names cnm-dns answers from, as lines of text: written by
 * `cnm _dns-dump` (lib/dns_dump.c), read by cnm-dns (dns/view.c).
 *
 * The format, one record a line, fields separated by one space, every
 * field 1..255 bytes of printable ASCII with no space ("-": none):
 *
 *   cnm-dns-dump 1
 *   net ID NAME GATEWAY GATEWAY6 INTERNAL        (INTERNAL: 0 or 1)
 *   ep NETWORK-ID CONTAINER-ID NAME ADDR ADDR6 [ALIAS...]
 *   end
 *
 * Only networks with DNS on, sorted by id, then their endpoints, those of
 * one container one after the other.  "end" says the writer finished: a
 * dump without it (the writer died) is no dump.  The reader rejects
 * anything else whole.
 */
#ifndef CNM_DNS_DUMP_H
#define CNM_DNS_DUMP_H

#include <stddef.h>
#include "cnm.h"

#define CNM_DNS_DUMP_MAGIC "cnm-dns-dump 1"
/* the longest field, and the most aliases an endpoint line carries */
#define CNM_DNS_DUMP_FIELD_MAX 255
#define CNM_DNS_DUMP_ALIASES_MAX 64

/* Called with each line of the dump, without its newline; non-zero stops it. */
typedef int (*cnm_dns_dump_fn)(void *arg, const char *line);

int cnm_dns_dump(const char *state_dir, cnm_dns_dump_fn fn, void *arg, struct cnm_err *err);
int cnm_dns_net_line(struct cnm_ctx *ctx, const char *id, char *out, size_t len);

#endif
