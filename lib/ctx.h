/* SPDX-License-Identifier: MIT */
/*
 * ctx.h - the private side of struct cnm_ctx and the model's row types.
 */
#ifndef CNM_CTX_H
#define CNM_CTX_H

#include <limits.h>
#include <stdio.h>
#include <sqlite3.h>
#include <sys/types.h>

struct nft_ctx;
#include "cnm.h"
#include "ipam.h"
#include "netlink.h"
#include "util.h"

struct cnm_ctx {
	char state_dir[PATH_MAX];
	char run_dir[PATH_MAX];
	char netns_dir[PATH_MAX];
	bool netns_dir_ready;	/* made a shared mount by this command (mntns.c) */
	sqlite3 *db;
	int lock_fd;
	bool in_txn;
	int wal_frames;		/* in the WAL after the last commit (store.c) */
	bool bare;		/* no pre-defined networks in a new store */
	bool hold_store;	/* start a store holder at close (storehold.c) */
	bool nl_open;
	struct cnm_nl nl;	/* the host namespace's socket, opened on first use */
	struct nft_ctx *nft;	/* libnftables, created on first use (the table itself) */
	struct cnm_nl nfnl;	/* nf_tables netlink, for element changes */
	bool nfnl_deleted;		/* it deleted elements: see cnm_close() */
	char notice[640];
	FILE *dry;		/* --dry-run: record changes here as commands; see dryrun.c */
};

/** struct cnm_net - a network row. */
struct cnm_net {
	char id[CNM_ID_LEN + 1];
	char name[CNM_NAME_MAX + 1];
	char driver[16];
	char created[40];
	char bridge[16];	/* Linux interface name, "" for host/null */
	bool has_pool;
	struct cnm_pool pool;
	bool has_pool6;
	struct cnm_pool pool6;
	int mtu;
	bool internal, ipv6, builtin;
	bool icc;		/* containers may talk to each other */
	bool masquerade;
	char host_binding[CNM_ADDRSTRLEN];
	char iface_prefix[12];	/* container interface names: prefix + index */
	char *options;		/* JSON object text, as given */
	char *labels;		/* JSON object text */
	char *aux;		/* JSON object text: name -> reserved address */
	char *ipam_config;	/* JSON array text shown by inspect; NULL: derived */
	/* not stored: set by the CNI front door from its config on every call */
	bool no_bridge_addr;	/* isGateway false: the gateway is not on the bridge */
	bool no_hairpin;	/* hairpinMode false */
	bool promisc;		/* promiscMode: the bridge is promiscuous */
	/*
	 * CNI "vlan": @bridge is then the network's gateway interface BR.VID
	 * (a veth whose other end is the VLAN's port on @trunk, as the
	 * reference plugin makes it), so the firewall's per-bridge elements
	 * and the UNIQUE bridge column are per VLAN, and @trunk is the Linux
	 * bridge that several VLAN networks share.
	 */
	int vlan;		/* 0: none */
	char trunk[16];		/* the Linux bridge when @vlan != 0 */
	bool vlan_keep_default;	/* preserveDefaultVlan: ports stay in VLAN 1 too */
};

/** struct cnm_route_cfg - one route inside a container (CNI `routes`). */
struct cnm_route_cfg {
	struct cnm_cidr dst;
	bool has_gw;
	struct cnm_addr gw;
};
#define CNM_ROUTES_MAX 8

/** struct cnm_ctr - a container row. */
struct cnm_ctr {
	char id[CNM_ID_LEN + 1];
	char name[CNM_NAME_MAX + 1];
	char hostname[64];
	char created[40];
	char started_at[40];
	char finished_at[40];
	char state[16];		/* creating, running, exited, removing */
	pid_t pid;
	unsigned long long pid_start;
	pid_t monitor_pid;
	int exit_code;
	char *argv;		/* JSON array text */
	char network_id[CNM_ID_LEN + 1];
	char req_ip[CNM_ADDRSTRLEN];
	char *rootfs;
	bool auto_remove;
	char network_mode[CNM_NAME_MAX + 1];	/* as given to --network; "default" */
	char *port_specs;	/* JSON array of the -p specs as given */
	char *env;		/* JSON array of the -e KEY=VALUE the command was given */
};

/** struct cnm_ep - an endpoint row: one container's attachment to one network. */
struct cnm_ep {
	char id[CNM_ID_LEN + 1];
	char container_id[CNM_ID_LEN + 1];
	char network_id[CNM_ID_LEN + 1];
	char ifname[16];
	char host_ifname[16];
	char mac[18];
	bool has_addr;
	struct cnm_addr addr;
	int prefix;
	bool has_gateway;
	struct cnm_addr gateway;
	bool has_addr6;
	struct cnm_addr addr6;
	int prefix6;
	bool has_gateway6;
	struct cnm_addr gateway6;
	char req_ip[CNM_ADDRSTRLEN];	/* as asked with --ip, for IPAMConfig */
	char req_ip6[CNM_ADDRSTRLEN];
	bool default_route;		/* not stored: the container's first network */
	/* not stored: CNI extras */
	bool dad;			/* IPv6 duplicate address detection (enabledad) */
	bool no_spoofchk;		/* "macspoofchk": false: no anti-spoofing elements */
	bool routes_shared;		/* CNI: a route another network added first is kept */
	int n_routes;
	struct cnm_route_cfg routes[CNM_ROUTES_MAX];
};

/* store.c */
int cnm_store_open(struct cnm_ctx *ctx, struct cnm_err *err);
void cnm_store_close(struct cnm_ctx *ctx);
void cnm_store_hold_start(struct cnm_ctx *ctx);
void cnm_store_hold_check(const char *state_dir);
int cnm_store_hold_run(const char *state_dir);
int cnm_store_begin(struct cnm_ctx *ctx, struct cnm_err *err);
int cnm_store_commit(struct cnm_ctx *ctx, struct cnm_err *err);
void cnm_store_rollback(struct cnm_ctx *ctx);
int cnm_store_prepare(struct cnm_ctx *ctx, const char *sql, sqlite3_stmt **st,
		      struct cnm_err *err);
int cnm_store_exec(struct cnm_ctx *ctx, const char *sql, struct cnm_err *err);
int cnm_store_step_done(struct cnm_ctx *ctx, sqlite3_stmt *st, const char *what,
			struct cnm_err *err);
void cnm_col_text(sqlite3_stmt *st, int col, char *out, size_t len);
char *cnm_col_strdup(sqlite3_stmt *st, int col);

/* store_rows.c */
int cnm_net_get(struct cnm_ctx *ctx, const char *ref, struct cnm_net *net, struct cnm_err *err);
int cnm_net_get_id(struct cnm_ctx *ctx, const char *id, struct cnm_net *net, struct cnm_err *err);
int cnm_net_insert(struct cnm_ctx *ctx, const struct cnm_net *net, struct cnm_err *err);
void cnm_net_free(struct cnm_net *net);
int cnm_ctr_get(struct cnm_ctx *ctx, const char *ref, struct cnm_ctr *ctr, struct cnm_err *err);
int cnm_ctr_get_id(struct cnm_ctx *ctx, const char *id, struct cnm_ctr *ctr, struct cnm_err *err);
int cnm_ctr_insert(struct cnm_ctx *ctx, const struct cnm_ctr *ctr, struct cnm_err *err);
int cnm_ctr_set_running(struct cnm_ctx *ctx, const struct cnm_ctr *ctr, struct cnm_err *err);
int cnm_ctr_set_exited(struct cnm_ctx *ctx, const char *id, int exit_code, struct cnm_err *err);
int cnm_ctr_delete(struct cnm_ctx *ctx, const char *id, struct cnm_err *err);
void cnm_ctr_free(struct cnm_ctr *ctr);
int cnm_ep_insert(struct cnm_ctx *ctx, const struct cnm_ep *ep, struct cnm_err *err);
int cnm_ep_get(struct cnm_ctx *ctx, const char *container_id, struct cnm_ep *ep,
	       struct cnm_err *err);
int cnm_ep_get_on(struct cnm_ctx *ctx, const char *container_id, const char *network_id,
		  struct cnm_ep *ep, struct cnm_err *err);
int cnm_ep_list(struct cnm_ctx *ctx, const char *container_id, struct cnm_ep **out, size_t *n,
		struct cnm_err *err);
int cnm_ep_delete(struct cnm_ctx *ctx, const char *id, struct cnm_err *err);
int cnm_net_delete(struct cnm_ctx *ctx, const char *id, struct cnm_err *err);
int cnm_ep_delete_all(struct cnm_ctx *ctx, const char *container_id, struct cnm_err *err);
int cnm_net_brief(struct cnm_ctx *ctx, const char *id, char *name, size_t name_len, char *driver,
		  size_t driver_len, bool *internal, bool *builtin, struct cnm_err *err);
int cnm_ctr_set_network(struct cnm_ctx *ctx, const char *ctr_id, const char *net_id,
			struct cnm_err *err);
int cnm_ep_addr_used(struct cnm_ctx *ctx, sqlite3_stmt **probe, const char *net_id,
		     const struct cnm_addr *a, struct cnm_err *err);
int cnm_ipam_last_get(struct cnm_ctx *ctx, const char *net_id, int family,
		      struct cnm_addr *last);
int cnm_ipam_last_set(struct cnm_ctx *ctx, const char *net_id, const struct cnm_addr *last,
		      struct cnm_err *err);
int cnm_ep_used_addrs(struct cnm_ctx *ctx, const struct cnm_net *net, int family,
		      const struct cnm_addr *extra, size_t n_extra, struct cnm_addr **out,
		      size_t *n, struct cnm_err *err);

/* network.c */
int cnm_networks_ensure_defaults(struct cnm_ctx *ctx, struct cnm_err *err);
int cnm_ctx_nl(struct cnm_ctx *ctx, struct cnm_nl **nl, struct cnm_err *err);

#endif
