/* SPDX-License-Identifier: MIT */
/* netopts.h - validating `network create` options.  Pure code. */
#ifndef CNM_NETOPTS_H
#define CNM_NETOPTS_H
#include <stdbool.h>
#include "cnm.h"

/**
 * struct cnm_netopts - what -o options set (defaults: Docker's).
 */
struct cnm_netopts {
	char bridge[16];
	bool icc, masquerade, dns;
	char host_binding[46];
	int mtu;
	char iface_prefix[12];
};

int cnm_netopts_parse(const char *const *kv, size_t n, struct cnm_netopts *o,
		      struct cnm_err *err);
bool cnm_ifname_valid(const char *name);
int cnm_parse_bool(const char *s, bool *out);

#endif
