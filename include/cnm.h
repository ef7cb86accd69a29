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
 * @publish: -p specs ("8080:80", "127.0.0.1::53/udp", ...), @n_publish of them
 * @rootfs: directory to pivot into, or NULL to share the host's root
 * @argv: command and arguments, NULL-terminated
 * @detach: the caller returns once the container runs; a monitor waits for it
 * @auto_remove: remove the container when it exits (--rm)
 * @aliases: --network-alias: more names the container answers to on its
 *	(user-defined) network
 * @log_path: -d only: where the container's stdout/stderr go (NULL: run dir)
 */
struct cnm_run_spec {
	const char *name;
	const char *hostname;
	const char *network;
	const char *ip;
	const char *ip6;
	const char *const *publish;
	size_t n_publish;
	const char *rootfs;
	char *const *argv;
	bool detach;
	bool auto_remove;
	const char *const *aliases;	/* --network-alias names, @n_aliases of them */
	size_t n_aliases;
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

#ifdef __cplusplus
}
#endif
#endif
