// SPDX-License-Identifier: MIT
/*
 * container.c - a container's life: start, release, stop, remove, join.
 *
 * DOC: Theory of operation
 * Start is intent first: one short transaction resolves the network, picks
 * the name and the lowest free address and commits the container row in
 * state "creating" with its endpoint; the UNIQUE indexes make a duplicate
 * name or address impossible even between racing commands.  Then, outside
 * any lock, the kernel work: clone the container process (which prepares
 * its mounts in parallel), let the driver wire its network namespace from
 * outside, bind-mount the namespace at /run/netns/NAME, release the process
 * into exec.  A second transaction marks it "running".  Any failure undoes
 * the kernel side and deletes the row, so a failed run changes nothing.
 *
 * Release happens when the process exits (the monitor calls it) or when
 * `rm -f` kills it.  Under the store lock, and only if the row still names
 * this container as running, it removes the namespace mount and then frees
 * the address: the namespace, its eth0 and the host veth are then destroyed
 * by the kernel in the background, the cheapest teardown there is.
 * Whoever comes second finds nothing to do, so release is idempotent.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/pidfd.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "container.h"
#include "dns.h"
#include "mntns.h"
#include "driver.h"
#include "endpoint.h"
#include "fault.h"
#include "firewall.h"
#include "publish.h"
#include "names.h"
#include "sandbox.h"

static void ctr_dir(const struct cnm_ctx *ctx, const char *id, char *out, size_t len)
{
	snprintf(out, len, "%s/containers/%s", ctx->run_dir, id);
}

/*
 * @n strings of @v as a JSON array's text (NULL when out of memory).  With
 * @inherit, an entry with no '=' (-e KEY) stands for KEY=VALUE from our own
 * environment, or for nothing when KEY is unset: what Docker's client does.
 */
static char *strv_json(const char *const *v, size_t n, bool inherit)
{
	json_t *a = json_array();
	char *s = NULL, *kv;

	for (size_t i = 0; a && i < n; i++) {
		const char *val = inherit && !strchr(v[i], '=') ? getenv(v[i]) : NULL;

		if (!val) {
			if (!inherit || strchr(v[i], '='))
				json_array_append_new(a, json_string(v[i]));
		} else if (asprintf(&kv, "%s=%s", v[i], val) >= 0) {
			json_array_append_new(a, json_string(kv));
			free(kv);
		}
	}
	if (a)
		s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s;
}

static int write_etc_files(struct cnm_ctx *ctx, const struct cnm_ctr *c, const struct cnm_ep *ep,
			   const struct cnm_net *net, const char *dir, struct cnm_err *err)
{
	char path[PATH_MAX], addr[CNM_ADDRSTRLEN], buf[2048];
	int len, rc;

	rc = cnm_mkdir_p(dir, 0755, err);
	if (rc)
		return rc;
	snprintf(path, sizeof(path), "%s/hostname", dir);
	len = snprintf(buf, sizeof(buf), "%s\n", c->hostname);
	rc = cnm_write_file(path, buf, (size_t)len, err);
	if (rc)
		return rc;
	len = snprintf(buf, sizeof(buf),
		       "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
		       "fe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\n"
		       "ff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n");
	if (ep && ep->has_addr) {
		cnm_addr_format(&ep->addr, addr);
		len += snprintf(buf + len, sizeof(buf) - (size_t)len, "%s\t%s %s\n", addr,
				c->hostname, c->name);
	}
	snprintf(path, sizeof(path), "%s/hosts", dir);
	rc = cnm_write_file(path, buf, (size_t)len, err);
	if (rc)
		return rc;
	snprintf(path, sizeof(path), "%s/resolv.conf", dir);
	/* user-defined networks: the resolver at the gateway (lib/dns.c) */
	if (ep && cnm_net_dns(net)) {
		len = cnm_dns_resolv_conf(net, buf, sizeof(buf));
		return cnm_write_file(path, buf, (size_t)len, err);
	}
	/* the host's resolver configuration, as Docker gives the default bridge */
	len = cnm_dns_host_resolv_conf(buf, sizeof(buf));
	return cnm_write_file(path, buf, (size_t)len, err);
}

/* Everything start decides under the lock: network, driver, address. */
static int plan(struct cnm_ctx *ctx, const struct cnm_run_spec *spec, struct cnm_net *net,
		struct cnm_ctr *c, struct cnm_ep *ep, const struct cnm_driver **drv,
		struct cnm_err *err)
{
	int rc;

	rc = cnm_net_get(ctx, spec->network ? spec->network : "bridge", net, err);
	if (rc)
		return rc;
	*drv = cnm_driver_find(net->driver);
	if (!*drv)
		return cnm_errf(err, ENOTSUP, "network %s: driver %s is not supported", net->name,
				net->driver);
	snprintf(c->network_id, sizeof(c->network_id), "%s", net->id);
	if ((spec->ip || spec->mac) && !(*drv)->has_ipam)
		return cnm_errf(err, EINVAL, "network %s: %s needs a network with addresses,"
				" and %s has none", net->name, spec->ip ? "--ip" : "--mac-address",
				net->name);
	if (!(*drv)->has_ipam) {
		/* host and none: a row that says "attached", without addresses */
		memset(ep, 0, sizeof(*ep));
		snprintf(ep->network_id, sizeof(ep->network_id), "%s", net->id);
		snprintf(ep->container_id, sizeof(ep->container_id), "%s", c->id);
		snprintf(ep->ifname, sizeof(ep->ifname), "%s", "eth0");
		rc = cnm_random_id(ep->id);
		return rc ? cnm_errf(err, rc, "cannot generate an id") : 0;
	}
	rc = cnm_ep_plan(ctx, net, c->id, 0, spec->ip, spec->ip6, ep, err);
	if (!rc && spec->mac)
		rc = cnm_ep_set_mac(ep, spec->mac, err);
	return rc;
}

/* Insert a container and endpoint; pick a free generated name if none was given. */
static int insert_rows(struct cnm_ctx *ctx, const struct cnm_run_spec *spec, struct cnm_ctr *c,
		       const struct cnm_ep *ep, const struct cnm_net *net, struct cnm_err *err)
{
	int rc;

	for (unsigned int attempt = 0; attempt < 20; attempt++) {
		if (!spec->name) {
			unsigned int r[2];

			if (getrandom(r, sizeof(r), 0) != sizeof(r))
				return cnm_errf(err, EIO, "getrandom failed");
			cnm_name_generate(c->name, sizeof(c->name), r[0], attempt ? r[1] | 1 : 0);
		}
		rc = cnm_ctr_insert(ctx, c, err);
		if (rc != -EEXIST || spec->name)
			break;
	}
	if (rc == -EEXIST) {
		struct cnm_ctr other;

		if (cnm_ctr_get(ctx, c->name, &other, NULL) == 0) {
			rc = cnm_errf(err, EEXIST, "Conflict. The container name \"/%s\" is already"
				      " in use by container \"%s\". You have to remove (or"
				      " rename) that container to be able to reuse that name.",
				      c->name, other.id);
			cnm_ctr_free(&other);
		}
		return rc;
	}
	if (rc)
		return rc;
	return cnm_ep_insert_checked(ctx, net, ep, c->name, err);
}

static void forget(struct cnm_ctx *ctx, const char *id)
{
	char dir[PATH_MAX];

	if (cnm_store_begin(ctx, NULL) == 0) {
		cnm_ctr_delete(ctx, id, NULL);
		cnm_store_commit(ctx, NULL);
	}
	ctr_dir(ctx, id, dir, sizeof(dir));
	cnm_rm_rf(dir);
}

/*
 * A dry run's container: there is no process, so the namespace is a named
 * one (`ip netns add`), which is what the commands need and what a person
 * following them would make; the driver and the firewall then run as for
 * real, recorded.  The container's own uts/ipc/pid/mount namespaces and
 * /etc files are not network state and are only mentioned.
 */
static int start_dry(struct cnm_ctx *ctx, const struct cnm_run_spec *spec, const struct cnm_ctr *c,
		     const struct cnm_net *net, const struct cnm_ep *ep,
		     const struct cnm_driver *drv, struct cnm_err *err)
{
	struct cnm_nl *nl;
	int fd, rc = 0;

	if (drv->own_netns) {
		fprintf(ctx->dry, "ip netns add %s\n", c->name);
		rc = cnm_ctx_nl(ctx, &nl, err);
		if (rc)
			return rc;
		snprintf(nl->dry_peer_ns, sizeof(nl->dry_peer_ns), "%s", c->name);
		/* a stand-in namespace for the requests that are only printed */
		fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return cnm_errf(err, errno, "cannot open own network namespace: %s",
					strerror(errno));
		if (drv->attach)
			rc = drv->attach(ctx, net, ep, fd, err);
		close(fd);
	}
	if (!rc && spec->n_publish)
		rc = cnm_publish_fw(ctx, c->id, true, err);
	if (!rc) {
		fprintf(ctx->dry, "# then the command runs in it: ip netns exec %s", c->name);
		for (char *const *a = spec->argv; *a; a++)
			fprintf(ctx->dry, " %s", *a);
		fprintf(ctx->dry, "\n# (cnm also gives it its own uts, ipc, pid and mount namespaces"
			" and /etc/hosts, /etc/hostname, /etc/resolv.conf)\n");
	}
	return rc;
}

int cnm_container_start(struct cnm_ctx *ctx, const struct cnm_run_spec *spec,
			char id[CNM_ID_LEN + 1], pid_t *pid, struct cnm_err *err)
{
	struct cnm_sandbox sb = { .pid = -1, .go_fd = -1, .status_fd = -1 };
	struct cnm_sandbox_cfg cfg = { 0 };
	struct cnm_ctr c = { 0 };
	struct cnm_ep ep = { 0 };
	struct cnm_net net = { 0 };
	const struct cnm_driver *drv = NULL;
	char dir[PATH_MAX], path[PATH_MAX + 8];
	_cleanup_close_ int netns_fd = -1;
	_cleanup_close_ int log_fd = -1;
	bool committed = false, mounted = false, published = false, attached = false;
	size_t n_argv;
	int rc;

	if (!spec->argv || !spec->argv[0])
		return cnm_errf(err, EINVAL, "no command given");
	if (spec->name && !cnm_name_valid(spec->name))
		return cnm_errf(err, EINVAL, "Invalid container name (%s), only"
				" [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed (2 to %d characters)",
				spec->name, CNM_NAME_MAX);
	if (spec->hostname && !cnm_hostname_valid(spec->hostname))
		return cnm_errf(err, EINVAL, "invalid hostname %s: use labels of letters, digits"
				" and inner hyphens, joined by dots, 63 characters at most",
				spec->hostname);
	if (spec->rootfs) {
		struct stat st;

		if (spec->rootfs[0] != '/' || stat(spec->rootfs, &st) < 0 || !S_ISDIR(st.st_mode))
			return cnm_errf(err, ENOTDIR, "--rootfs %s: not an absolute path to a"
					" directory", spec->rootfs);
	}
	rc = cnm_find_executable(spec->rootfs, spec->argv[0]);
	if (rc) {
		if (rc == -ENOENT)
			cnm_errf(err, ENOENT, "%s: executable file not found in $PATH",
				 spec->argv[0]);
		else
			cnm_errf(err, -rc, "%s: permission denied", spec->argv[0]);
		if (err)
			err->exec_failed = true;
		return rc;
	}

	rc = cnm_random_id(c.id);
	if (rc)
		return cnm_errf(err, rc, "cannot generate an id: %s", strerror(-rc));
	if (spec->name)
		snprintf(c.name, sizeof(c.name), "%s", spec->name);
	snprintf(c.hostname, sizeof(c.hostname), "%s",
		 spec->hostname ? spec->hostname : (char[13]){ 0 });
	if (!spec->hostname)
		memcpy(c.hostname, c.id, CNM_SHORT_ID_LEN);
	cnm_now_rfc3339(c.created);
	c.monitor_pid = getpid();
	c.auto_remove = spec->auto_remove;
	snprintf(c.network_mode, sizeof(c.network_mode), "%s",
		 spec->network ? spec->network : "default");
	c.rootfs = (char *)spec->rootfs;
	if (spec->ip)
		snprintf(c.req_ip, sizeof(c.req_ip), "%s", spec->ip);
	for (n_argv = 0; spec->argv[n_argv];)
		n_argv++;
	c.argv = strv_json((const char *const *)spec->argv, n_argv, false);
	c.port_specs = strv_json(spec->publish, spec->n_publish, false);
	c.env = strv_json(spec->env, spec->n_env, true);
	if (!c.argv || !c.port_specs || !c.env) {
		rc = cnm_errf(err, ENOMEM, "out of memory");
		goto out;
	}

	/* 1. intent: rows in state "creating", under the lock for microseconds */
	rc = cnm_store_begin(ctx, err);
	if (rc)
		goto out;
	rc = plan(ctx, spec, &net, &c, &ep, &drv, err);
	if (!rc)
		rc = insert_rows(ctx, spec, &c, &ep, &net, err);
	if (!rc && spec->n_aliases)
		rc = cnm_ep_set_aliases(ctx, &net, ep.id, spec->aliases, spec->n_aliases, err);
	if (!rc)
		rc = cnm_publish_plan(ctx, c.id, spec->publish, spec->n_publish, &net,
				      drv->has_ipam ? &ep : NULL, true, err);
	if (rc) {
		cnm_store_rollback(ctx);
		goto out;
	}
	rc = cnm_store_commit(ctx, err);
	if (rc)
		goto out;
	committed = true;
	cnm_fault("run.intent");
	if (ctx->dry) {
		rc = start_dry(ctx, spec, &c, &net, &ep, drv, err);
		if (!rc) {
			memcpy(id, c.id, CNM_ID_LEN + 1);
			*pid = 0;
		}
		goto out;
	}
	/* the resolver listens before the container can ask it anything */
	if (drv->has_ipam && cnm_net_dns(&net))
		cnm_dns_sync(ctx, true, false);

	/* 2. the kernel: process, network, mount */
	ctr_dir(ctx, c.id, dir, sizeof(dir));
	rc = write_etc_files(ctx, &c, drv->has_ipam ? &ep : NULL, &net, dir, err);
	if (rc)
		goto out;
	if (spec->detach) {
		snprintf(path, sizeof(path), "%s/log", dir);
		log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
		if (log_fd < 0) {
			rc = cnm_errf(err, errno, "cannot create %s: %s", path, strerror(errno));
			goto out;
		}
	}
	cfg.new_net = drv->own_netns;
	cfg.hostname = c.hostname;
	cfg.etc_dir = dir;
	cfg.netns_dir = ctx->netns_dir;
	cfg.rootfs = spec->rootfs;
	cfg.argv = spec->argv;
	cfg.env = spec->env;
	cfg.n_env = spec->n_env;
	cfg.out_fd = log_fd;
	/* the template is made once the netns directory is a mount (mntns.c) */
	cfg.mnt_fd = spec->rootfs || cnm_netns_dir_prepare(ctx, NULL) ? -1 : cnm_mnt_template(ctx);
	rc = cnm_sandbox_spawn(&cfg, &sb, err);
	if (cfg.mnt_fd >= 0)
		close(cfg.mnt_fd);
	if (rc)
		goto out;
	cnm_fault("run.spawned");
	if (drv->own_netns) {
		snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)sb.pid);
		netns_fd = open(path, O_RDONLY | O_CLOEXEC);
		if (netns_fd < 0) {
			rc = cnm_errf(err, errno, "cannot open %s: %s", path, strerror(errno));
			goto out;
		}
		if (drv->attach) {
			rc = drv->attach(ctx, &net, &ep, netns_fd, err);
			if (rc)
				goto out;
			attached = true;
		}
		rc = cnm_netns_mount(ctx, c.name, sb.pid, err);
		if (rc)
			goto out;
		mounted = true;
		cnm_fault("run.netns");
	}
	if (spec->n_publish) {
		rc = cnm_publish_fw(ctx, c.id, true, err);
		if (rc)
			goto out;
		published = true;
		cnm_fault("run.ports");
	}
	/*
	 * 3. the result, recorded before exec: until the child has read the go
	 * byte it dies with us (PDEATHSIG), so a crash before here leaves no
	 * process, and one after leaves a process the row names.
	 */
	c.pid = sb.pid;
	c.pid_start = cnm_proc_start_time(sb.pid);
	cnm_now_rfc3339(c.started_at);
	rc = cnm_store_begin(ctx, err);
	if (!rc) {
		rc = cnm_ctr_set_running(ctx, &c, err);
		if (rc)
			cnm_store_rollback(ctx);
		else
			rc = cnm_store_commit(ctx, err);
	}
	if (rc)
		goto out;
	cnm_fault("run.running");
	rc = cnm_sandbox_go(&sb, spec->argv[0], err);
	if (rc)
		goto out;
	cnm_fault("run.started");
	memcpy(id, c.id, CNM_ID_LEN + 1);
	*pid = sb.pid;
out:
	if (rc) {
		cnm_sandbox_abort(&sb);
		/*
		 * The veth would die with the namespace, but in the background:
		 * gone before we return, so that nothing is seen half removed.
		 * Its firewall elements would not die at all.
		 */
		if (attached) {
			cnm_link_delete(ctx, ep.host_ifname, NULL);
			if (!ep.no_spoofchk)
				cnm_fw_endpoint_del(ctx, &ep);
		}
		if (published)
			cnm_publish_fw(ctx, c.id, false, NULL);
		if (mounted)
			cnm_netns_unmount(ctx, c.name);
		if (committed)
			forget(ctx, c.id);
	}
	free(c.argv);
	free(c.port_specs);
	free(c.env);
	cnm_net_free(&net);
	return rc;
}

static int exit_code_of(int wait_status)
{
	if (WIFEXITED(wait_status))
		return WEXITSTATUS(wait_status);
	if (WIFSIGNALED(wait_status))
		return 128 + WTERMSIG(wait_status);
	return 255;
}

/*
 * Under the lock: if @id is still a live container, take its namespace
 * mount away and free its addresses.  Returns 1 when it did, 0 when there
 * was nothing left to do, or a negative errno.
 */
/* The container's anti-spoofing elements: its veths die with its namespace. */
static void fw_endpoints_del(struct cnm_ctx *ctx, const char *id)
{
	struct cnm_ep *eps;
	size_t n;

	if (cnm_ep_list(ctx, id, &eps, &n, NULL))
		return;
	for (size_t i = 0; i < n; i++)
		cnm_fw_endpoint_del(ctx, &eps[i]);
	free(eps);
}

int cnm_release_locked(struct cnm_ctx *ctx, const char *id, int exit_code, bool forget_row,
		       struct cnm_err *err)
{
	struct cnm_ctr c;
	int rc;

	rc = cnm_ctr_get_id(ctx, id, &c, NULL);
	if (rc == -ENOENT)
		return 0;
	if (rc)
		return cnm_errf(err, -rc, "cannot read container %s", id);
	if (strcmp(c.state, "running") && strcmp(c.state, "creating")) {
		rc = 0;
		goto out;
	}
	/* the mount first: the address may be reused the moment it is freed */
	fw_endpoints_del(ctx, c.id);
	if (strcmp(c.network_mode, "cni")) {
		cnm_netns_unmount(ctx, c.name);
		cnm_fault("release.unmounted");
	} else { /* a CNI sandbox: the namespace is the runtime's, the veths are ours */
		struct cnm_ep *eps = NULL;
		size_t n = 0;

		if (cnm_ep_list(ctx, c.id, &eps, &n, NULL) == 0)
			for (size_t i = 0; i < n; i++)
				cnm_link_delete(ctx, eps[i].host_ifname, NULL);
		free(eps);
		forget_row = true;
	}
	rc = cnm_publish_release(ctx, c.id, err);
	cnm_fault("release.ports");
	if (!rc)
		rc = cnm_ep_delete_all(ctx, c.id, err);
	if (!rc)
		rc = forget_row || c.auto_remove ? cnm_ctr_delete(ctx, c.id, err)
						 : cnm_ctr_set_exited(ctx, c.id, exit_code, err);
	if (!rc)
		rc = 1;
out:
	cnm_ctr_free(&c);
	return rc;
}

/**
 * cnm_container_release() - see cnm.h.
 */
int cnm_container_release(struct cnm_ctx *ctx, const char *id, int wait_status,
			  struct cnm_err *err)
{
	struct cnm_ctr c;
	int rc, auto_remove = 0;

	rc = cnm_store_begin(ctx, err);
	if (rc)
		return rc;
	if (cnm_ctr_get_id(ctx, id, &c, NULL) == 0) {
		auto_remove = c.auto_remove;
		cnm_ctr_free(&c);
	}
	rc = cnm_release_locked(ctx, id, exit_code_of(wait_status), false, err);
	if (rc < 0) {
		cnm_store_rollback(ctx);
		return rc;
	}
	rc = cnm_store_commit(ctx, err);
	if (!rc && auto_remove) {
		char dir[PATH_MAX];

		ctr_dir(ctx, id, dir, sizeof(dir));
		cnm_rm_rf(dir);
	}
	return rc;
}

/*
 * A pidfd for the container's process if it is still the one we started
 * (pid + start time), or -ESRCH.
 */
static int open_live(const struct cnm_ctr *c)
{
	int fd;

	if (c->pid <= 0)
		return -ESRCH;
	fd = pidfd_open(c->pid, 0);
	if (fd < 0)
		return -ESRCH;
	if (cnm_proc_start_time(c->pid) != c->pid_start) {
		close(fd);
		return -ESRCH;
	}
	return fd;
}

static int busy_lock(const struct cnm_ctx *ctx, const char *id, int nb)
{
	char dir[PATH_MAX];
	int fd;

	ctr_dir(ctx, id, dir, sizeof(dir));
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0 && flock(fd, LOCK_EX | nb) < 0) {
		int e = errno;

		close(fd);
		fd = e == EWOULDBLOCK ? -EWOULDBLOCK : -1;
	}
	return fd;
}

/**
 * cnm_ctr_busy_lock() - say that this process is changing a live
 * container's interfaces outside the store lock (network connect commits
 * its endpoint row, then makes the veth; disconnect deletes the veth, then
 * the row).  gc, which would otherwise take the half-made endpoint for a
 * broken one and re-make or orphan its veth, leaves a busy container alone;
 * the kernel drops the lock with a crashed process, and gc then repairs.
 * Taken before the store lock, never while holding it (gc holds that and
 * only tries this one).
 * @ctx: context
 * @id: the container's full id
 *
 * Return: the fd to close when done, or -1 (no run directory: a container
 * made by an older cnm; it goes unmarked).
 */
int cnm_ctr_busy_lock(const struct cnm_ctx *ctx, const char *id)
{
	return busy_lock(ctx, id, 0);
}

/**
 * cnm_ctr_busy_trylock() - cnm_ctr_busy_lock() without waiting, for a
 * command that holds the store lock already: -EWOULDBLOCK when another
 * holds the mark (drop the store lock, wait for the mark, start again).
 */
int cnm_ctr_busy_trylock(const struct cnm_ctx *ctx, const char *id)
{
	return busy_lock(ctx, id, LOCK_NB);
}

/** cnm_ctr_busy() - does a live cnm process hold cnm_ctr_busy_lock() on @id? */
bool cnm_ctr_busy(const struct cnm_ctx *ctx, const char *id)
{
	char dir[PATH_MAX];
	bool busy;
	int fd;

	ctr_dir(ctx, id, dir, sizeof(dir));
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return false;
	busy = flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
	close(fd);
	return busy;
}

/** cnm_ctr_alive() - is the container's process still the one cnm started? */
bool cnm_ctr_alive(const struct cnm_ctr *c)
{
	if (!strcmp(c->network_mode, "cni")) /* lives until the runtime's DEL */
		return !strcmp(c->state, "running");
	return c->pid > 0 && !strcmp(c->state, "running") &&
	       cnm_proc_start_time(c->pid) == c->pid_start;
}

/* Wait until the process behind @pidfd has exited; true if it did in time. */
static bool wait_exit(int pidfd, int timeout_ms)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	int rc;

	while ((rc = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
		;
	return rc > 0;
}

/**
 * cnm_container_stop() - see cnm.h.
 */
int cnm_container_stop(struct cnm_ctx *ctx, const char *ref, int timeout_s, struct cnm_err *err)
{
	struct cnm_ctr c;
	int pidfd, monfd = -1, rc;

	rc = cnm_ctr_get(ctx, ref, &c, err);
	if (rc)
		return rc;
	if (!strcmp(c.network_mode, "cni")) {
		rc = cnm_errf(err, EPERM, "%s is a CNI attachment, not a cnm container: its runtime"
			      " removes it (CNI DEL)", c.name);
		cnm_ctr_free(&c);
		return rc;
	}
	if (strcmp(c.state, "running")) {
		cnm_ctr_free(&c);
		return 0;
	}
	if (c.monitor_pid > 0)
		monfd = pidfd_open(c.monitor_pid, 0);
	pidfd = open_live(&c);
	if (pidfd >= 0) {
		pidfd_send_signal(pidfd, SIGTERM, NULL, 0);
		if (!wait_exit(pidfd, timeout_s * 1000)) {
			pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
			wait_exit(pidfd, 10000);
		}
		close(pidfd);
	}
	/* the monitor records the real exit status; give it a moment to */
	if (monfd >= 0) {
		wait_exit(monfd, 2000);
		close(monfd);
	}
	rc = cnm_container_release(ctx, c.id, W_EXITCODE(0, SIGKILL), err);
	cnm_ctr_free(&c);
	return rc;
}

/**
 * cnm_container_remove() - see cnm.h.
 */
int cnm_container_remove(struct cnm_ctx *ctx, const char *ref, bool force, struct cnm_err *err)
{
	char dir[PATH_MAX];
	struct cnm_ctr c;
	int pidfd, rc;

	rc = cnm_ctr_get(ctx, ref, &c, err);
	if (rc)
		return rc;
	if (!strcmp(c.network_mode, "cni") && !force) {
		rc = cnm_errf(err, EPERM, "%s is a CNI attachment, not a cnm container: its runtime"
			      " removes it (CNI DEL), or use -f", c.name);
		cnm_ctr_free(&c);
		return rc;
	}
	pidfd = open_live(&c);
	if (pidfd >= 0 && !force) {
		close(pidfd);
		rc = cnm_errf(err, EBUSY, "You cannot remove a running container %s. Stop the"
			      " container before attempting removal or force remove", c.id);
		goto out;
	}
	/*
	 * Kill under the lock: the monitor, woken by the exit, then finds the
	 * release done instead of racing us for it.
	 */
	rc = cnm_store_begin(ctx, err);
	if (rc) {
		if (pidfd >= 0)
			close(pidfd);
		goto out;
	}
	if (pidfd >= 0 && ctx->dry) {
		/* the monitor would release it too: by hand, the lines below do */
		if (c.monitor_pid > 0 && c.monitor_pid != getpid() && kill(c.monitor_pid, 0) == 0)
			fprintf(ctx->dry, "kill -KILL %d # its monitor (cnm-monitor)\n",
				(int)c.monitor_pid);
		/* what -f does first; the kernel then tears the namespace down */
		fprintf(ctx->dry, "kill -KILL %d # the container\n", (int)c.pid);
		close(pidfd);
	} else if (pidfd >= 0) {
		pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
		/* the namespace must be free of processes before its mount goes */
		wait_exit(pidfd, 10000);
		close(pidfd);
	}
	cnm_fault("rm.killed");
	rc = cnm_release_locked(ctx, c.id, 137, true, err);
	if (rc == 0) /* already released: just the row */
		rc = cnm_ctr_delete(ctx, c.id, err);
	if (rc < 0) {
		cnm_store_rollback(ctx);
		goto out;
	}
	rc = cnm_store_commit(ctx, err);
	cnm_fault("rm.committed");
	ctr_dir(ctx, c.id, dir, sizeof(dir));
	if (!ctx->dry)
		cnm_rm_rf(dir);
out:
	cnm_ctr_free(&c);
	return rc;
}

/**
 * cnm_container_resolve() - see cnm.h.
 */
int cnm_container_resolve(struct cnm_ctx *ctx, const char *ref, char id[CNM_ID_LEN + 1],
			  char name[CNM_NAME_MAX + 1], pid_t *pid, struct cnm_err *err)
{
	struct cnm_ctr c;
	int rc, fd;

	rc = cnm_ctr_get(ctx, ref, &c, err);
	if (rc)
		return rc;
	memcpy(id, c.id, CNM_ID_LEN + 1);
	memcpy(name, c.name, CNM_NAME_MAX + 1);
	fd = open_live(&c);
	*pid = fd >= 0 && !strcmp(c.state, "running") ? c.pid : 0;
	if (fd >= 0)
		close(fd);
	cnm_ctr_free(&c);
	return 0;
}

/**
 * cnm_container_join() - see cnm.h.
 */
int cnm_container_join(struct cnm_ctx *ctx, const char *ref, struct cnm_err *err)
{
	static const struct { const char *ns; int type; } order[] = {
		{ "ipc", CLONE_NEWIPC }, { "uts", CLONE_NEWUTS }, { "net", CLONE_NEWNET },
		{ "pid", CLONE_NEWPID }, { "mnt", CLONE_NEWNS },
	};
	int fds[ARRAY_SIZE(order)];
	char id[CNM_ID_LEN + 1], name[CNM_NAME_MAX + 1], path[64];
	pid_t pid;
	int rc;

	rc = cnm_container_resolve(ctx, ref, id, name, &pid, err);
	if (rc)
		return rc;
	if (!pid)
		return cnm_errf(err, ESRCH, "Container %s is not running", name);
	/* open all first: once in the mount namespace, /proc is the container's */
	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, order[i].ns);
		fds[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0) {
			rc = cnm_errf(err, errno, "cannot open %s of container %s: %s", path, name,
				      strerror(errno));
			while (i--)
				close(fds[i]);
			return rc;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		if (!rc && setns(fds[i], order[i].type) < 0)
			rc = cnm_errf(err, errno, "cannot join the %s namespace of container %s: %s",
				      order[i].ns, name, strerror(errno));
		close(fds[i]);
	}
	if (!rc && chdir("/") < 0)
		rc = cnm_errf(err, errno, "chdir: %s", strerror(errno));
	return rc;
}
