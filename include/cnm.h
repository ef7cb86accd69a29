/* SPDX-License-Identifier: MIT */
/*
 * cnm.h - the public API of libcnm, Docker's bridge networking as a C library.
 *
 * Every function returns 0 or a negative errno and, on failure, fills the
 * caller's struct cnm_err with a message that names the object and the
 * cause.  Nothing here prints to stdout or exits the process.  Handles are
 * opaque; JSON documents are returned as malloc'ed strings the caller frees.
 */
#ifndef CNM_H
#define CNM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CNM_ID_LEN 64
#define CNM_SHORT_ID_LEN 12
#define CNM_NAME_MAX 128

/**
 * struct cnm_err - what went wrong, for a human.
 * @code: positive errno value (0 when no error was recorded)
 * @exec_failed: set when the container's command was not found or could not
 *	be executed (docker run exits 127/126 then, not 125)
 * @msg: one line naming the object and the cause, without a trailing newline
 */
struct cnm_err {
	int code;
	bool exec_failed;	/* the user's command itself could not be run */
	char msg[512];
};

/** struct cnm_ctx - an open state store plus per-namespace netlink sockets. */
struct cnm_ctx;

/**
 * struct cnm_opts - where state lives; NULL fields take the environment
 * ($CNM_STATE_DIR, $CNM_RUN_DIR, $CNM_NETNS_DIR) or the defaults
 * (/var/lib/cnm, /run/cnm, /run/netns).
 */
struct cnm_opts {
	const char *state_dir;
	const char *run_dir;
	const char *netns_dir;
	bool bare;	/* a new store gets no pre-defined networks (the CNI store) */
	bool no_repair;		/* skip the start-up repairs (gc --dry-run) */
	/*
	 * at close, start `cnm _hold` (the program's own binary) if none runs:
	 * it keeps the store's WAL index valid between short processes, ~0.2 ms
	 * of each (lib/storehold.c).  For the cnm command and its CNI plugin.
	 */
	bool hold_store;
};

int cnm_open(struct cnm_ctx **ctx, const struct cnm_opts *opts, struct cnm_err *err);
void cnm_close(struct cnm_ctx *ctx);
/** cnm_notice() - a note for the user from the last call (e.g. a subnet moved), or NULL. */
const char *cnm_notice(struct cnm_ctx *ctx);

/* ---- networks ---- */

/**
 * struct cnm_network_info - one row of a network listing.
 */
struct cnm_network_info {
	char id[CNM_ID_LEN + 1];
	char name[CNM_NAME_MAX + 1];
	char driver[16];
	char created[40];	/* RFC 3339 with nanoseconds, UTC */
	bool internal, ipv6;
	char *labels;		/* "k=v,k2=v2", malloc'ed */
	char *labels_json;	/* the same as a JSON object, malloc'ed: what filters match */
	bool builtin;		/* bridge, host, none */
	unsigned int n_endpoints;	/* containers attached */
};

int cnm_network_list(struct cnm_ctx *ctx, struct cnm_network_info **out, size_t *n,
		     struct cnm_err *err);
void cnm_network_list_free(struct cnm_network_info *list, size_t n);
/** cnm_network_inspect() - Docker's `network inspect` object for @ref (name, id or id prefix). */
int cnm_network_inspect(struct cnm_ctx *ctx, const char *ref, char **json, struct cnm_err *err);

/**
 * struct cnm_network_spec - what `cnm network create` asks for.
 * @name: 1 to 64 characters of [a-zA-Z0-9][a-zA-Z0-9_.-]*
 * @driver: "bridge" (NULL means bridge)
 * @subnets: CIDRs (at most one IPv4 and one IPv6); none: picked from Docker's pools
 * @gateways: gateway addresses, each inside one of the subnets
 * @ranges: --ip-range CIDRs, each inside one of the subnets
 * @aux: "name=IP" addresses the allocator must never hand out
 * @opts: "KEY=VALUE" driver options (com.docker.network.*)
 * @labels: "KEY=VALUE" or "KEY"
 * @internal: no traffic in or out of the network
 * @ipv6: enable IPv6 (needs an IPv6 subnet)
 */
struct cnm_network_spec {
	const char *name;
	const char *driver;
	const char *const *subnets;
	size_t n_subnets;
	const char *const *gateways;
	size_t n_gateways;
	const char *const *ranges;
	size_t n_ranges;
	const char *const *aux;
	size_t n_aux;
	const char *const *opts;
	size_t n_opts;
	const char *const *labels;
	size_t n_labels;
	bool internal;
	bool ipv6;
};

/** cnm_network_create() - create a network and its bridge; fills the new 64-hex @id. */
int cnm_network_create(struct cnm_ctx *ctx, const struct cnm_network_spec *spec,
		       char id[CNM_ID_LEN + 1], struct cnm_err *err);
/** cnm_network_remove() - remove a network with no running container, and its bridge. */
int cnm_network_remove(struct cnm_ctx *ctx, const char *ref, struct cnm_err *err);
/**
 * cnm_network_prune() - remove every user network no container uses.
 * @names: malloc'ed array of malloc'ed names removed (free with cnm_strv_free)
 */
int cnm_network_prune(struct cnm_ctx *ctx, char ***names, size_t *n, struct cnm_err *err);
/**
 * cnm_network_prune_only() - cnm_network_prune() among the networks whose
 * ids are in @ids (the ones a caller's filters chose): those no container
 * uses are removed, the others left.
 */
int cnm_network_prune_only(struct cnm_ctx *ctx, const char *const *ids, size_t n_ids,
			   char ***names, size_t *n, struct cnm_err *err);
void cnm_strv_free(char **v, size_t n);
/** cnm_network_connect() - give a running container an interface on another network. */
int cnm_network_connect(struct cnm_ctx *ctx, const char *net_ref, const char *ctr_ref,
			const char *ip, const char *ip6, struct cnm_err *err);
/** cnm_network_connect_ex() - cnm_network_connect() with --alias names for the new endpoint. */
int cnm_network_connect_ex(struct cnm_ctx *ctx, const char *net_ref, const char *ctr_ref,
			   const char *ip, const char *ip6, const char *const *aliases,
			   size_t n_aliases, struct cnm_err *err);
/** cnm_network_disconnect() - remove a container's interface on a network. */
int cnm_network_disconnect(struct cnm_ctx *ctx, const char *net_ref, const char *ctr_ref,
			   struct cnm_err *err);

/* ---- containers ---- */

/**
 * struct cnm_run_spec - what `cnm run` asks for.
 * @name: container name, or NULL for a generated one
 * @hostname: UTS hostname, or NULL for the 12-hex short id
 * @network: "bridge" (default when NULL), "host", "none" or another network
 * @ip: requested IPv4 address, or NULL for the lowest free one
 * @ip6: requested IPv6 address (networks with an IPv6 subnet), or NULL
 * @mac: the container interface's MAC address ("02:42:ac:11:00:99"), or NULL
 *	for Docker's (02:42 and the IPv4 address)
 * @publish: -p specs ("8080:80", "127.0.0.1::53/udp", ...), @n_publish of them
 * @rootfs: directory to pivot into, or NULL to share the host's root
 * @argv: command and arguments, NULL-terminated
 * @detach: the caller returns once the container runs; a monitor waits for it
 * @auto_remove: remove the container when it exits (--rm)
 * @aliases: --network-alias: more names the container answers to on its
 *	(user-defined) network
 * @log_path: -d only: where the container's stdout/stderr go (NULL: run dir)
 * @env: -e entries, @n_env of them: KEY=VALUE is set in the command's
 *	environment (never cnm's); KEY alone keeps the caller's value, which the
 *	command inherits with the rest.  inspect's Config.Env lists them.
 */
struct cnm_run_spec {
	const char *name;
	const char *hostname;
	const char *network;
	const char *ip;
	const char *ip6;
	const char *mac;
	const char *const *publish;
	size_t n_publish;
	const char *rootfs;
	char *const *argv;
	bool detach;
	bool auto_remove;
	const char *const *aliases;	/* --network-alias names, @n_aliases of them */
	size_t n_aliases;
	const char *const *env;
	size_t n_env;
};

/**
 * cnm_container_start() - create a container and start its process.
 * @ctx: open context
 * @spec: what to run
 * @id: filled with the new 64-hex id
 * @pid: filled with the container's init pid (in the caller's pid namespace)
 * @err: filled on failure
 *
 * The calling process becomes the container's parent: it must call
 * cnm_container_wait() and then cnm_container_release().  On failure nothing
 * is left behind: no row, no address, no interface, no mount.
 *
 * Return: 0, or a negative errno (-ENOENT with a "command not found"
 * message when the executable does not exist).
 */
int cnm_container_start(struct cnm_ctx *ctx, const struct cnm_run_spec *spec,
			char id[CNM_ID_LEN + 1], pid_t *pid, struct cnm_err *err);
/**
 * cnm_container_release() - record that the container's process exited and
 * release its network: address back to the pool, namespace unmounted.  With
 * auto_remove the container is forgotten entirely.  Idempotent.
 */
int cnm_container_release(struct cnm_ctx *ctx, const char *id, int wait_status,
			  struct cnm_err *err);
/** cnm_container_stop() - SIGTERM, then SIGKILL after @timeout_s seconds; waits for the release. */
int cnm_container_stop(struct cnm_ctx *ctx, const char *ref, int timeout_s, struct cnm_err *err);
/** cnm_container_remove() - remove a container; @force kills a running one first. */
int cnm_container_remove(struct cnm_ctx *ctx, const char *ref, bool force, struct cnm_err *err);
/** cnm_container_inspect() - Docker-shaped `inspect` JSON object for @ref. */
int cnm_container_inspect(struct cnm_ctx *ctx, const char *ref, char **json, struct cnm_err *err);
/** cnm_container_resolve() - full id, name and running pid (0 if not running) of @ref. */
int cnm_container_resolve(struct cnm_ctx *ctx, const char *ref, char id[CNM_ID_LEN + 1],
			  char name[CNM_NAME_MAX + 1], pid_t *pid, struct cnm_err *err);
/**
 * cnm_container_join() - move the calling process into the net, uts, ipc,
 * pid and mount namespaces of the running container @ref.  The pid
 * namespace applies to children: fork after this and exec in the child.
 */
int cnm_container_join(struct cnm_ctx *ctx, const char *ref, struct cnm_err *err);

/**
 * struct cnm_container_info - one row of a container listing.
 */
struct cnm_container_info {
	char id[CNM_ID_LEN + 1];
	char name[CNM_NAME_MAX + 1];
	char state[16];		/* "created", "running", "exited" */
	char created[40];
	char started_at[40];
	char finished_at[40];
	int exit_code;
	pid_t pid;
	char *command;		/* "sleep 3600", malloc'ed */
	char *networks;		/* "bridge", malloc'ed */
	char *ports;		/* "0.0.0.0:8080->80/tcp, ...", malloc'ed, or NULL */
};

int cnm_container_list(struct cnm_ctx *ctx, bool all, struct cnm_container_info **out,
		       size_t *n, struct cnm_err *err);
void cnm_container_list_free(struct cnm_container_info *list, size_t n);

/* ---- seeing it: topology and doctor ---- */

/** enum cnm_topology_format - a tree for a terminal, Graphviz source, or SVG. */
enum cnm_topology_format { CNM_TOPOLOGY_TEXT, CNM_TOPOLOGY_DOT, CNM_TOPOLOGY_SVG };

/**
 * cnm_topology() - write the picture of the bridge networks @networks (all
 * when @n is 0) as the kernel has them now: host and uplink, bridges with
 * subnet and gateway, veth pairs, containers with namespace, addresses and
 * MAC, published ports and the NAT path out.  Written to @out, never stdout.
 */
int cnm_topology(struct cnm_ctx *ctx, const char *const *networks, size_t n,
		 enum cnm_topology_format fmt, FILE *out, struct cnm_err *err);

/**
 * struct cnm_finding - one problem `cnm doctor` found.
 * @check: which check ("forwarding", "br_netfilter", "foreign_firewall",
 *	"nft_table", "route_overlap", "bridge_ports", "orphan_veth",
 *	"orphan_netns", "resolver", "store")
 * @object: what it is about (a sysctl, bridge, veth, path, ...)
 * @problem: one line saying what is wrong and what it breaks
 * @fix: one line a person can run or follow
 */
struct cnm_finding {
	char check[32];
	char object[CNM_NAME_MAX + 32];
	char problem[512];
	char fix[512];
};

/**
 * cnm_doctor() - check forwarding, br_netfilter, foreign firewalls, cnm's
 * nftables table, route overlaps, bridge port counts, orphaned veths and
 * namespace mounts, the resolver and the store; changes nothing.
 * @out: malloc'ed array (free()), one finding per problem; NULL when healthy
 */
int cnm_doctor(struct cnm_ctx *ctx, struct cnm_finding **out, size_t *n, struct cnm_err *err);

/**
 * cnm_dry_run() - from now on, @ctx changes nothing (store, kernel,
 * firewall) and writes to @out, in order, the commands (ip, sysctl, nft) a
 * person could run to make the changes it would have made.  Supported by
 * the network verbs (create, rm, connect, disconnect).
 */
int cnm_dry_run(struct cnm_ctx *ctx, FILE *out, struct cnm_err *err);

/* ---- attachments: a namespace someone else made (the CNI front door) ---- */

/**
 * struct cnm_bridge_conf - a bridge network described whole by its user,
 * as a CNI network configuration does: created on first use, its row
 * replaced when the description changes and nothing is attached.
 * @name: the network's name
 * @bridge: the Linux bridge
 * @subnet: IPv4 subnet CIDR, or NULL; @gateway (NULL: the first address),
 *	@range_start, @range_end (NULL: the whole subnet) go with it
 * @subnet6: the same for IPv6
 * @mtu: MTU of the bridge and veths, 0 for the kernel's default
 * @is_gateway: the gateway address is put on the bridge
 * @masquerade: traffic from the subnets leaves with the host's address
 * @hairpin: bridge ports are in hairpin mode
 * @promisc: the bridge is promiscuous
 * @port_isolation: containers cannot reach each other (Docker's ICC off)
 * @vlan: 0, or 1 to 4094: the ports are untagged members of this VLAN on a
 *	VLAN-filtering @bridge, which networks with other VLANs may share; the
 *	gateway is then the interface "@bridge.@vlan"
 * @preserve_default_vlan: the ports stay members of VLAN 1 too
 */
struct cnm_bridge_conf {
	const char *name;
	const char *bridge;
	const char *subnet, *gateway, *range_start, *range_end;
	const char *subnet6, *gateway6, *range_start6, *range_end6;
	int mtu;
	bool is_gateway, masquerade, hairpin, promisc, port_isolation;
	int vlan;
	bool preserve_default_vlan;
};

/**
 * struct cnm_attach_spec - one interface in a namespace the caller owns.
 * @sandbox: the caller's id for the namespace's owner (CNI_CONTAINERID):
 *	[a-zA-Z0-9][a-zA-Z0-9_.-]*, at most CNM_NAME_MAX characters (one is enough)
 * @netns: path of the network namespace (e.g. /proc/PID/ns/net)
 * @ifname: the interface name inside it
 * @ip: @ip6: @mac: what to give it, or NULL to choose
 * @publish: Docker -p specs to publish to this interface's addresses
 * @routes: "DST" or "DST via GW" routes to add inside (GW may be empty)
 * @default_route: default route(s) through the gateway(s)
 * @dad: IPv6 duplicate address detection (off: the address is usable at once)
 * @ports_held: the caller holds the published ports open on the host itself
 *	(a CNI runtime: Podman's conmon binds each one), so a host socket on
 *	a port does not make it taken; only other attachments' ports do
 * @no_spoof_check: no anti-spoofing for this interface (CNI "macspoofchk":
 *	false); it is on otherwise
 */
struct cnm_attach_spec {
	const char *sandbox;
	const char *netns;
	const char *ifname;
	const char *ip, *ip6, *mac;
	const char *const *publish;
	size_t n_publish;
	const char *const *routes;
	size_t n_routes;
	bool default_route;
	bool dad;
	bool ports_held;
	bool no_spoof_check;
};

/** struct cnm_attach_info - what an attachment got; addresses as CIDRs. */
struct cnm_attach_info {
	char bridge[16];
	char host_ifname[16];
	char ifname[16];
	char mac[18];
	char bridge_mac[18], host_mac[18];	/* "" when the kernel did not say */
	char addr[64], gateway[48];	/* "" when none */
	char addr6[64], gateway6[48];
};

/**
 * cnm_attach() - create @spec's interface on the network @conf describes:
 * its veth on the bridge, address, routes and published ports.  On failure
 * nothing is left behind.  -EEXIST when the sandbox already has an
 * interface on that network or one named @spec->ifname.
 */
int cnm_attach(struct cnm_ctx *ctx, const struct cnm_bridge_conf *conf,
	       const struct cnm_attach_spec *spec, struct cnm_attach_info *info,
	       struct cnm_err *err);
/**
 * cnm_detach() - remove a sandbox's interface @ifname on @network, its
 * address and ports; 0 when there is nothing to remove (idempotent), also
 * when the namespace is already gone.
 */
int cnm_detach(struct cnm_ctx *ctx, const char *network, const char *sandbox,
	       const char *ifname, struct cnm_err *err);
/**
 * cnm_attach_get() - what the store holds for an attachment; -ENOENT when
 * there is none.
 */
int cnm_attach_get(struct cnm_ctx *ctx, const char *network, const char *sandbox,
		   const char *ifname, struct cnm_attach_info *info, struct cnm_err *err);
/**
 * cnm_attach_check() - does the kernel hold what the store says: the
 * interface in @netns with its MAC and addresses, its veth on the bridge?
 * @mac: the MAC the interface should have now (a later CNI plugin may have
 *	changed it: the runtime's prevResult), or NULL for the one cnm gave it
 * -ENOENT (no such attachment) or -ESTALE with a message naming what differs.
 */
int cnm_attach_check(struct cnm_ctx *ctx, const struct cnm_bridge_conf *conf,
		     const char *sandbox, const char *netns, const char *ifname,
		     const char *mac, struct cnm_err *err);
/**
 * cnm_attach_check_routes() - is each of @routes ("DST" or "DST via GW", as
 * a CNI result lists them) in the main table of the namespace at @netns?
 * A route without GW matches any gateway.  -ESTALE naming the first missing.
 */
int cnm_attach_check_routes(const char *netns, const char *const *routes, size_t n,
			    struct cnm_err *err);
/**
 * cnm_attach_gc() - detach every attachment on @network whose
 * "sandbox/ifname" is not in @keep.  @removed: how many went (may be NULL).
 */
int cnm_attach_gc(struct cnm_ctx *ctx, const char *network, const char *const *keep,
		  size_t n_keep, size_t *removed, struct cnm_err *err);
/* ---- crash recovery ---- */

/**
 * struct cnm_fault_step - a point where CNM_FAULT=<name> kills cnm (tests).
 * @name: "op.step"
 * @op: the command that reaches it
 * @what: what has happened when it fires
 */
struct cnm_fault_step {
	const char *name;
	const char *op;
	const char *what;
};

const struct cnm_fault_step *cnm_fault_steps(size_t *n);

/**
 * cnm_gc() - bring the host back to what the store says after a crash or
 * outside interference, and the store back to what can exist.
 * @ctx: open context
 * @dry_run: only list what would be repaired
 * @actions: malloc'ed array of malloc'ed lines, one per repair (free with cnm_strv_free)
 * @n: how many
 * @err: filled on failure
 *
 * Return: 0 or a negative errno.
 */
int cnm_gc(struct cnm_ctx *ctx, bool dry_run, char ***actions, size_t *n, struct cnm_err *err);

#ifdef __cplusplus
}
#endif
#endif
