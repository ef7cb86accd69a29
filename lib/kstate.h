/* SPDX-License-Identifier: MIT */
/* kstate.h - a snapshot of one namespace's links and addresses, from the kernel. */
#ifndef CNM_KSTATE_H
#define CNM_KSTATE_H
#include <stdbool.h>
#include <stdint.h>
#include "ipam.h"
#include "netlink.h"

/**
 * struct cnm_klink - one interface as the kernel reports it.
 * @peer: IFLA_LINK: for a veth, its peer's ifindex (in @peer_nsid's namespace
 *	when @has_peer_nsid), shown by `ip link` as @ifN; 0 if none
 */
struct cnm_klink {
	int index;
	char name[16];
	char kind[16];		/* "bridge", "veth", "dummy", ... ("" for lo, physical) */
	int master;		/* bridge ifindex, 0 if none */
	int peer;
	bool has_peer_nsid;
	int peer_nsid;
	uint8_t mac[6];
	bool has_mac;
	int mtu;
	bool up;
};

/** struct cnm_kaddr - one address on one interface. */
struct cnm_kaddr {
	int index;
	struct cnm_cidr cidr;
};

/** struct cnm_kstate - every link and address of one namespace. */
struct cnm_kstate {
	struct cnm_klink *links;
	size_t n_links;
	struct cnm_kaddr *addrs;
	size_t n_addrs;
};

int cnm_kstate_read(struct cnm_nl *nl, struct cnm_kstate *ks, struct cnm_err *err);
int cnm_kstate_read_netns(const char *path, struct cnm_kstate *ks, struct cnm_err *err);
void cnm_kstate_free(struct cnm_kstate *ks);
const struct cnm_klink *cnm_kstate_link(const struct cnm_kstate *ks, const char *name);
const struct cnm_klink *cnm_kstate_link_at(const struct cnm_kstate *ks, int index);
void cnm_mac_format(const uint8_t mac[6], char out[18]);
#endif
