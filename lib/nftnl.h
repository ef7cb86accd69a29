/* SPDX-License-Identifier: MIT */
/* nftnl.h - nf_tables set element changes as one raw netlink batch; one chain query. */
#ifndef CNM_NFTNL_H
#define CNM_NFTNL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "cnm.h"

struct cnm_ctx;
struct cnm_elems;

struct cnm_elems *cnm_elems_new(bool add);
void cnm_elems_bridge(struct cnm_elems *e);
void cnm_elems_free(struct cnm_elems *e);
int cnm_elems_put(struct cnm_elems *e, const char *set, const void *key, size_t klen,
		  const void *data, size_t dlen, uint32_t flags, const char *comment);
size_t cnm_elems_count(const struct cnm_elems *e);
int cnm_elems_commit(struct cnm_ctx *ctx, struct cnm_elems *e, struct cnm_err *err);
int cnm_nft_chain_policy(struct cnm_ctx *ctx, uint8_t family, const char *table,
			 const char *chain, uint32_t *policy);

#endif
