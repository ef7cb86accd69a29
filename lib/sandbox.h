/* SPDX-License-Identifier: MIT */
/* sandbox.h - the container process: namespaces, mounts, exec. */
#ifndef CNM_SANDBOX_H
#define CNM_SANDBOX_H

#include <stdbool.h>
#include <sys/types.h>
#include "cnm.h"

/**
 * struct cnm_sandbox_cfg - what the container process is made of.
 * @new_net: give it a network namespace of its own
 * @hostname: its UTS hostname
 * @etc_dir: directory holding its hosts, hostname and resolv.conf
 * @netns_dir: where network namespaces are mounted (/run/netns), detached
 *	in the container's mount namespace; NULL to keep it
 * @rootfs: directory to pivot into, or NULL for the host's root
 * @mnt_fd: a mount namespace to copy instead of the caller's (mntns.c), or -1
 * @argv: what to exec
 * @out_fd: stdout/stderr for the container, or -1 to inherit (stdin then /dev/null)
 */
struct cnm_sandbox_cfg {
	bool new_net;
	const char *hostname;
	const char *etc_dir;
	const char *netns_dir;
	const char *rootfs;
	int mnt_fd;
	char *const *argv;
	const char *const *env;	/* KEY=VALUE for the command, over the inherited ones */
	size_t n_env;
	int out_fd;
};

struct cnm_sandbox {
	pid_t pid;
	int go_fd;	/* write end: one byte lets the child exec */
	int status_fd;	/* read end: EOF = exec happened, data = why it did not */
};

int cnm_sandbox_spawn(const struct cnm_sandbox_cfg *cfg, struct cnm_sandbox *sb,
		      struct cnm_err *err);
int cnm_sandbox_go(struct cnm_sandbox *sb, const char *cmd, struct cnm_err *err);
void cnm_sandbox_abort(struct cnm_sandbox *sb);
int cnm_find_executable(const char *rootfs, const char *cmd);

#endif
