/* SPDX-License-Identifier: MIT */
/* nl_dump.h - listing a namespace's links and addresses (for gc and checks). */
#ifndef CNM_NL_DUMP_H
#define CNM_NL_DUMP_H
#include <stdbool.h>
#include "netlink.h"

/** struct cnm_link - one interface as the kernel lists it. */
struct cnm_link {
	char name[16];
	char kind[16];		/* "veth", "bridge", "" */
	int ifindex;
	int master;		/* ifindex of the bridge it is a port of, 0 for none */
	bool up;
};

/** struct cnm_ifaddr - one address of one interface. */
struct cnm_ifaddr {
	int ifindex;
	struct cnm_addr addr;
	int prefix;
};

int cnm_nl_links(struct cnm_nl *nl, struct cnm_link **out, size_t *n, struct cnm_err *err);
int cnm_nl_addrs(struct cnm_nl *nl, struct cnm_ifaddr **out, size_t *n, struct cnm_err *err);
const struct cnm_link *cnm_link_find(const struct cnm_link *v, size_t n, const char *name);
bool cnm_ifaddr_has(const struct cnm_ifaddr *v, size_t n, int ifindex, const struct cnm_addr *a);

#endif
