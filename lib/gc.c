// SPDX-License-Identifier: MIT
/*
 * gc.c - `cnm gc`: make the host and the store agree again after a crash,
 * a kill -9 or someone else's hands on cnm's interfaces and firewall.
 *
 * DOC: Theory of operation
 * Every operation writes its intent to the store before it touches the
 * kernel (a container row in state "creating", a network or endpoint row)
 * and its result after, so after a crash the store says what was meant and
 * the kernel holds some prefix of it.  gc takes the store lock for the whole
 * pass (it is rare; commands wait for it) and goes from the store outwards:
 *
 *  1. containers: a "creating" row whose cnm process is gone is an
 *     interrupted run: its namespace mount, port elements and rows go (its
 *     process died with its parent, see container.c).  A "running" row
 *     whose process is gone is released like an exit.  An exited row keeps
 *     no endpoint, port or namespace mount.
 *  2. networks: a bridge network that is user-defined or in use has its
 *     bridge, up, with its gateway addresses (re-made when missing).
 *  3. endpoints of live containers: the namespace mount, the host veth on
 *     the right bridge, the container side up with its addresses; anything
 *     short of that is re-made (the veth pair deleted and attached again).
 *     CNI sandboxes are skipped: their namespace belongs to the runtime;
 *     so is a container a connect or disconnect is working on (its
 *     cnm_ctr_busy_lock), whose veth and endpoint row are apart for now;
 *     gc holds that mark itself while it checks and repairs a container.
 *  4. orphans: a veth on a cnm bridge that no endpoint names, a run
 *     directory of no container, a cnm-monitor process with a child but
 *     no container.
 *  5. the firewall and bridges (gc_fw.c): the table exists and holds every
 *     element the store implies; an element or a br-<12 hex> bridge that
 *     no store claims goes.
 *
 * Several stores may share one host and its one table (cnm's own and the
 * CNI plugin's): gc deletes only what no store can own, never what merely
 * is not in its own store (see gc_fw.c).
 *
 * Each repair is reported as one line; with dry_run the same lines are
 * produced and nothing changes (the transaction is rolled back).  The
 * cheap version every command runs (cnm_gc_quick) only does step 1 for
 * "creating" rows, and costs one SELECT when there are none.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include "container.h"
#include "driver.h"
#include "gc.h"
#include "publish.h"

/**
 * cnm_gc_note() - report one repair: "<what is wrong>: <fixed>", or with a
 * dry run "<what is wrong>: would <fix>".
 */
void cnm_gc_note(struct cnm_gc_run *g, const char *fix, const char *fixed, const char *fmt, ...)
{
	char what[512], **nv;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	nv = realloc(g->v, (g->n + 1) * sizeof(*nv));
	if (!nv)
		return;
	g->v = nv;
	g->v[g->n] = cnm_strdup_printf("%s: %s%s", what, g->dry ? "would " : "",
				       g->dry ? fix : fixed);
	if (g->v[g->n])
		g->n++;
}

/*
 * A repair that failed is reported and gc goes on with the rest: one object
 * it cannot fix (say, a veth a concurrent `network connect` is making) must
 * not keep it from fixing the others.
 */
static int failed(struct cnm_gc_run *g, int rc, const struct cnm_err *err)
{
	char **nv;

	if (!rc)
		return 0;
	nv = realloc(g->v, (g->n + 1) * sizeof(*nv));
	if (nv) {
		g->v = nv;
		/* @err is NULL for the implicit check of cnm_gc_check_network() */
		g->v[g->n] = cnm_strdup_printf("  repair failed: %s", err && err->msg[0] ? err->msg
							: strerror(-rc));
		if (g->v[g->n])
			g->n++;
	}
	return 0;
}

/** cnm_pid_alive() - does @pid exist (in our pid namespace)? */
bool cnm_pid_alive(pid_t pid)
{
	return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

static int refresh_host(struct cnm_gc_run *g, struct cnm_err *err)
{
	struct cnm_nl *nl;
	int rc;

	cnm_kstate_free(&g->host);
	rc = cnm_ctx_nl(g->ctx, &nl, err);
	if (!rc)
		rc = cnm_kstate_read(nl, &g->host, err);
	return rc;
}

typedef char idbuf[CNM_ID_LEN + 1];

/* Does interface @index of @ks hold address @a? */
static bool has_addr(const struct cnm_kstate *ks, int index, const struct cnm_addr *a)
{
	for (size_t i = 0; i < ks->n_addrs; i++)
		if (ks->addrs[i].index == index && !cnm_addr_cmp(&ks->addrs[i].cidr.addr, a))
			return true;
	return false;
}

/* Ids of the rows a query returns (first column). */
static int select_ids(struct cnm_ctx *ctx, const char *sql, idbuf **out, size_t *n,
		      struct cnm_err *err)
{
	sqlite3_stmt *st;
	idbuf *v = NULL;
	size_t len = 0;
	int rc;

	rc = cnm_store_prepare(ctx, sql, &st, err);
	if (rc)
		return rc;
	while (sqlite3_step(st) == SQLITE_ROW) {
		idbuf *nv = realloc(v, (len + 1) * sizeof(*v));

		if (!nv) {
			rc = cnm_errf(err, ENOMEM, "out of memory");
			break;
		}
		v = nv;
		cnm_col_text(st, 0, v[len++], sizeof(idbuf));
	}
	sqlite3_finalize(st);
	if (rc) {
		free(v);
		return rc;
	}
	*out = v;
	*n = len;
	return 0;
}

static void ctr_dir_path(struct cnm_ctx *ctx, const char *id, char *out, size_t len)
{
	snprintf(out, len, "%s/containers/%s", ctx->run_dir, id);
}

/*
 * The host ends of a dead container's veths, deleted now (~20 ms each, on
 * this rare path only) rather than left to the kernel's background
 * namespace teardown, so that no check made next sees them orphaned.
 */
static void delete_veths(struct cnm_ctx *ctx, const char *id)
{
	struct cnm_ep *eps = NULL;
	size_t n = 0;

	if (cnm_ep_list(ctx, id, &eps, &n, NULL))
		return;
	for (size_t i = 0; i < n; i++)
		if (eps[i].host_ifname[0])
			cnm_link_delete(ctx, eps[i].host_ifname, NULL);
	free(eps);
}

/* An interrupted run: everything it made goes, as if it never happened. */
static int undo_creating(struct cnm_ctx *ctx, const struct cnm_ctr *c, struct cnm_err *err)
{
	char dir[PATH_MAX];
	int rc;

	delete_veths(ctx, c->id);
	rc = cnm_release_locked(ctx, c->id, 137, true, err);

	if (rc < 0)
		return rc;
	ctr_dir_path(ctx, c->id, dir, sizeof(dir));
	cnm_rm_rf(dir);
	return 0;
}

static int count_rows(struct cnm_ctx *ctx, const char *sql, const char *id)
{
	sqlite3_stmt *st;
	int n = 0;

	if (cnm_store_prepare(ctx, sql, &st, NULL))
		return 0;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* Step 1: each container row is a state that can exist. */
static int gc_containers(struct cnm_gc_run *g, struct cnm_err *err)
{
	idbuf *ids = NULL;
	size_t n = 0;
	int rc;

	rc = select_ids(g->ctx, "SELECT id FROM containers ORDER BY name", &ids, &n, err);
	for (size_t i = 0; !rc && i < n; i++) {
		char path[PATH_MAX];
		struct cnm_ctr c;
		struct stat st;

		if (cnm_ctr_get_id(g->ctx, ids[i], &c, NULL))
			continue;
		if (!strcmp(c.state, "creating") && !cnm_pid_alive(c.monitor_pid)) {
			cnm_gc_note(g, "remove it, its endpoints, ports and namespace",
				    "removed it, its endpoints, ports and namespace",
				    "container %s: its run was interrupted (state creating, cnm process"
				    " %d gone)", c.name, (int)c.monitor_pid);
			if (!g->dry)
				rc = undo_creating(g->ctx, &c, err);
		} else if (!strcmp(c.state, "running") && !cnm_ctr_alive(&c)) {
			cnm_gc_note(g, c.auto_remove ? "remove it (--rm), free its addresses"
						     : "mark it exited, free its addresses",
				    c.auto_remove ? "removed it (--rm), freed its addresses"
						  : "marked it exited, freed its addresses",
				    "container %s: marked running but its process %d is gone", c.name,
				    (int)c.pid);
			if (!g->dry) {
				delete_veths(g->ctx, c.id);
				rc = cnm_release_locked(g->ctx, c.id, 137, false, err);
				rc = rc < 0 ? rc : 0;
			}
		} else if (!strcmp(c.state, "exited")) {
			cnm_netns_path(g->ctx, c.name, path, sizeof(path));
			if (count_rows(g->ctx, "SELECT (SELECT count(*) FROM endpoints WHERE"
				       " container_id = ?1) + (SELECT count(*) FROM ports WHERE"
				       " container_id = ?1)", c.id)) {
				cnm_gc_note(g, "free them", "freed them",
					    "container %s: exited but still holds"
					    " addresses or ports", c.name);
				if (!g->dry)
					rc = cnm_publish_release(g->ctx, c.id, err);
				if (!g->dry && !rc)
					rc = cnm_ep_delete_all(g->ctx, c.id, err);
			}
			if (!rc && stat(path, &st) == 0) {
				cnm_gc_note(g, "unmount it", "unmounted it",
					    "container %s: exited but its"
					    " namespace is still mounted at %s", c.name, path);
				if (!g->dry) {
					umount2(path, MNT_DETACH);
					unlink(path);
				}
			}
		}
		cnm_ctr_free(&c);
	}
	free(ids);
	return rc;
}

static bool net_in_use(struct cnm_ctx *ctx, const char *net_id)
{
	return count_rows(ctx, "SELECT count(*) FROM endpoints WHERE network_id = ?", net_id) > 0;
}

/*
 * Must @net's bridge exist now?  When a container uses it, and for a
 * network made by `network create`.  The default bridge and a CNI
 * network (in the CNI plugin's store, which has no pre-defined networks)
 * get theirs on first use.
 */
static bool needs_bridge(struct cnm_ctx *ctx, const struct cnm_net *net)
{
	return net_in_use(ctx, net->id) ||
	       (!net->builtin && count_rows(ctx, "SELECT count(*) FROM networks WHERE builtin = 1"
					    " AND id != ?", net->id) > 0);
}

/* Step 2: bridges of networks that should have one. */
static int gc_one_network(struct cnm_gc_run *g, const struct cnm_net *net, struct cnm_err *err)
{
	const struct cnm_klink *br = cnm_kstate_link(&g->host, net->bridge);
	const struct { bool has; const struct cnm_pool *p; } gw[2] = {
		{ net->has_pool, &net->pool }, { net->has_pool6, &net->pool6 },
	};
	struct cnm_nl_batch b;
	struct cnm_nl *nl;
	int rc = 0;

	if (!br) {
		if (!needs_bridge(g->ctx, net))
			return 0; /* made on first use */
		cnm_gc_note(g, "re-create it with its gateway and firewall elements",
			    "re-created it with its gateway and firewall elements",
			    "network %s: bridge %s is missing", net->name, net->bridge);
		return g->dry ? 0 : failed(g, cnm_bridge_ensure(g->ctx, net, err), err);
	}
	rc = cnm_ctx_nl(g->ctx, &nl, err);
	if (rc)
		return rc;
	for (int i = 0; i < 2 && !rc; i++) {
		char s[CNM_ADDRSTRLEN];

		if (!gw[i].has || !gw[i].p->has_gateway || net->no_bridge_addr ||
		    has_addr(&g->host, br->index, &gw[i].p->gateway))
			continue;
		cnm_addr_format(&gw[i].p->gateway, s);
		cnm_gc_note(g, "re-add it", "re-added it",
			    "network %s: bridge %s lost its gateway address %s",
			    net->name, net->bridge, s);
		if (g->dry)
			continue;
		cnm_nl_batch_init(&b, nl);
		cnm_nl_addr_add(&b, br->index, &gw[i].p->gateway, gw[i].p->subnet.prefix,
				net->bridge);
		rc = failed(g, cnm_nl_batch_run(&b, err), err);
	}
	if (!rc && !br->up) {
		cnm_gc_note(g, "bring it up", "brought it up",
			    "network %s: bridge %s is down", net->name,
			    net->bridge);
		if (!g->dry) {
			cnm_nl_batch_init(&b, nl);
			cnm_nl_link_up(&b, br->index, net->bridge);
			rc = failed(g, cnm_nl_batch_run(&b, err), err);
		}
	}
	return rc;
}

static int gc_networks(struct cnm_gc_run *g, struct cnm_err *err)
{
	idbuf *ids = NULL;
	size_t n = 0;
	int rc;

	rc = select_ids(g->ctx, "SELECT id FROM networks WHERE driver = 'bridge' ORDER BY name",
			&ids, &n, err);
	for (size_t i = 0; !rc && i < n; i++) {
		struct cnm_net net;

		if (cnm_net_get_id(g->ctx, ids[i], &net, NULL))
			continue;
		rc = gc_one_network(g, &net, err);
		cnm_net_free(&net);
	}
	free(ids);
	return rc ? rc : refresh_host(g, err);
}

/**
 * cnm_ep_fault() - what is wrong with one endpoint of a live container.
 * @hostks: the host's links
 * @ep: the endpoint
 * @net: its network
 * @netns_fd: the container's network namespace
 *
 * gc repairs what this finds and doctor reports it, so both judge alike.
 *
 * Return: the problem in a few words, or NULL (also when it cannot look).
 */
const char *cnm_ep_fault(const struct cnm_kstate *hostks, const struct cnm_ep *ep,
			 const struct cnm_net *net, int netns_fd)
{
	const struct cnm_klink *host = cnm_kstate_link(hostks, ep->host_ifname);
	const struct cnm_klink *br = cnm_kstate_link(hostks, net->bridge);
	const struct cnm_klink *eth;
	struct cnm_kstate ks = { 0 };
	struct cnm_nl cnl;
	const char *why = NULL;

	if (!host)
		return "its host veth is missing";
	if (!br || host->master != br->index)
		return "its host veth is not on the bridge";
	if (cnm_nl_open(&cnl, netns_fd, NULL))
		return NULL; /* cannot look: leave it */
	if (cnm_kstate_read(&cnl, &ks, NULL)) {
		cnm_nl_close(&cnl);
		return NULL;
	}
	eth = cnm_kstate_link(&ks, ep->ifname);
	if (!eth)
		why = "the container side is missing";
	else if (!eth->up)
		why = "the container side is down";
	else if ((ep->has_addr && !has_addr(&ks, eth->index, &ep->addr)) ||
		 (ep->has_addr6 && !has_addr(&ks, eth->index, &ep->addr6)))
		why = "the container side lacks its address";
	cnm_kstate_free(&ks);
	cnm_nl_close(&cnl);
	return why;
}

/* Step 3: every endpoint of every live container, and its namespace mount. */
static int gc_endpoints(struct cnm_gc_run *g, struct cnm_err *err)
{
	idbuf *ids = NULL;
	size_t n = 0;
	int rc;

	rc = select_ids(g->ctx, "SELECT id FROM containers WHERE state = 'running' ORDER BY name",
			&ids, &n, err);
	for (size_t i = 0; !rc && i < n; i++) {
		struct cnm_ep *eps = NULL;
		size_t n_eps = 0;
		char path[PATH_MAX];
		struct cnm_ctr c;
		int fd, busy = -1;

		if (cnm_ctr_get_id(g->ctx, ids[i], &c, NULL))
			continue;
		/*
		 * A CNI sandbox's namespace is its runtime's: CNI CHECK/ADD repair
		 * it.  A busy container's connect or disconnect is half-way; one
		 * that is not is kept so (its mark held) until its repair is done,
		 * or a disconnect starting meanwhile would have its deleted veth
		 * re-made here, an orphan.
		 */
		if (!strcmp(c.network_mode, "cni") || !cnm_ctr_alive(&c) ||
		    (busy = cnm_ctr_busy_trylock(g->ctx, c.id)) == -EWOULDBLOCK ||
		    cnm_ep_list(g->ctx, c.id, &eps, &n_eps, NULL) ||
		    !n_eps || !eps[0].host_ifname[0]) {
			if (busy >= 0)
				close(busy);
			free(eps);
			cnm_ctr_free(&c);
			continue;
		}
		cnm_netns_path(g->ctx, c.name, path, sizeof(path));
		if (!cnm_netns_mounted(g->ctx, c.name, c.pid)) {
			cnm_gc_note(g, "mount it again", "mounted it again",
				    "container %s: its namespace mount %s"
				    " is missing", c.name, path);
			if (!g->dry)
				rc = cnm_netns_mount(g->ctx, c.name, c.pid, err);
		}
		snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)c.pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		for (size_t k = 0; fd >= 0 && !rc && k < n_eps; k++) {
			const struct cnm_driver *drv;
			struct cnm_net net;
			const char *why;

			if (!eps[k].host_ifname[0] || cnm_net_get_id(g->ctx, eps[k].network_id, &net,
								      NULL))
				continue;
			drv = cnm_driver_find(net.driver);
			why = drv && drv->attach ? cnm_ep_fault(&g->host, &eps[k], &net, fd)
						    : NULL;
			if (why) {
				cnm_gc_note(g, "re-make the veth pair and its addresses",
					    "re-made the veth pair and its addresses",
					    "container %s: %s on network %s: %s", c.name,
					    eps[k].ifname, net.name, why);
				eps[k].default_route = !strcmp(eps[k].network_id, c.network_id) &&
						       !net.internal;
				if (!g->dry) {
					cnm_link_delete(g->ctx, eps[k].host_ifname, NULL);
					rc = failed(g, drv->attach(g->ctx, &net, &eps[k], fd,
								   err), err);
				}
			}
			cnm_net_free(&net);
		}
		if (fd >= 0)
			close(fd);
		if (busy >= 0)
			close(busy);
		free(eps);
		cnm_ctr_free(&c);
	}
	free(ids);
	return rc ? rc : refresh_host(g, err);
}

static bool row_exists(struct cnm_ctx *ctx, const char *sql, const char *key)
{
	return count_rows(ctx, sql, key) > 0;
}

/* Step 4a: interfaces cnm made that nothing in the store owns. */
static int gc_links(struct cnm_gc_run *g, struct cnm_err *err)
{
	for (size_t i = 0; i < g->host.n_links; i++) {
		const struct cnm_klink *l = &g->host.links[i];
		const struct cnm_klink *m = l->master ? cnm_kstate_link_at(&g->host, l->master) : NULL;

		if (!strcmp(l->kind, "veth") && m &&
		    row_exists(g->ctx, "SELECT count(*) FROM networks WHERE bridge = ?", m->name) &&
		    !row_exists(g->ctx, "SELECT count(*) FROM endpoints WHERE host_ifname = ?",
				l->name)) {
			cnm_gc_note(g, "delete it", "deleted it",
				    "interface %s on bridge %s belongs to no"
				    " container", l->name, m->name);
			if (!g->dry)
				cnm_link_delete(g->ctx, l->name, NULL);
		}
		/* bridges: gc_fw.c, which knows what other stores claim */
	}
	return g->dry ? 0 : refresh_host(g, err);
}

/* Step 4b: run directories of containers that are gone. */
static void gc_dirs(struct cnm_gc_run *g)
{
	char path[PATH_MAX];
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/containers", g->ctx->run_dir);
	dir = opendir(path);
	if (!dir)
		return;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.' || !cnm_is_hex(d->d_name, CNM_ID_LEN) ||
		    row_exists(g->ctx, "SELECT count(*) FROM containers WHERE id = ?", d->d_name))
			continue;
		cnm_gc_note(g, "delete it", "deleted it",
			    "run directory %s/%.12s belongs to no container", path,
			    d->d_name);
		if (!g->dry) {
			char sub[PATH_MAX + 80];

			snprintf(sub, sizeof(sub), "%s/%s", path, d->d_name);
			cnm_rm_rf(sub);
		}
	}
	closedir(dir);
}

/* A process's children, from /proc (first few only). */
static size_t children_of(pid_t pid, pid_t *out, size_t max)
{
	char path[64], buf[256];
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (fgets(buf, sizeof(buf), f))
		for (char *t = strtok(buf, " \n"); t && n < max; t = strtok(NULL, " \n"))
			out[n++] = (pid_t)strtol(t, NULL, 10);
	fclose(f);
	return n;
}

/*
 * The namespace mounts under the netns directory that hold the network
 * namespace of one of @pids (an orphan monitor's container): nothing else
 * would ever unmount them, and no row names them.
 */
static void unmount_netns_of(struct cnm_gc_run *g, const pid_t *pids, size_t n)
{
	struct dirent *d;
	DIR *dir = opendir(g->ctx->netns_dir);

	if (!dir)
		return;
	while ((d = readdir(dir))) {
		char path[PATH_MAX + 300], ns[64];
		struct stat mnt, st;

		snprintf(path, sizeof(path), "%s/%s", g->ctx->netns_dir, d->d_name);
		if (d->d_name[0] == '.' || stat(path, &mnt) < 0)
			continue;
		for (size_t i = 0; i < n; i++) {
			snprintf(ns, sizeof(ns), "/proc/%d/ns/net", (int)pids[i]);
			if (stat(ns, &st) < 0 || st.st_ino != mnt.st_ino || st.st_dev != mnt.st_dev)
				continue;
			cnm_gc_note(g, "unmount it", "unmounted it", "namespace mount %s belongs to"
				    " an orphaned container process %d", path, (int)pids[i]);
			if (!g->dry) {
				umount2(path, MNT_DETACH);
				unlink(path);
			}
			break;
		}
	}
	closedir(dir);
}

/*
 * Step 4c: a cnm-monitor whose container row is gone but which still waits
 * for a child.  One without a child is either starting (its row comes after
 * the lock gc holds) or finishing a release: both are left alone.
 */
static void gc_monitors(struct cnm_gc_run *g)
{
	struct dirent *d;
	DIR *proc = opendir("/proc");

	if (!proc)
		return;
	while ((d = readdir(proc))) {
		char path[64], comm[32] = "", pidtxt[16];
		pid_t pid = (pid_t)strtol(d->d_name, NULL, 10), kids[8];
		size_t nk;
		FILE *f;

		if (pid <= 1 || pid == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (!fgets(comm, sizeof(comm), f))
			comm[0] = '\0';
		fclose(f);
		if (strcmp(comm, "cnm-monitor\n"))
			continue;
		snprintf(pidtxt, sizeof(pidtxt), "%d", (int)pid);
		if (row_exists(g->ctx, "SELECT count(*) FROM containers WHERE monitor_pid = ? AND"
			       " state IN ('creating', 'running')", pidtxt))
			continue;
		nk = children_of(pid, kids, ARRAY_SIZE(kids));
		if (!nk)
			continue;
		unmount_netns_of(g, kids, nk);
		cnm_gc_note(g, "kill it and its container process", "killed it and its container process",
			    "monitor process %d waits"
			    " for a container that is not in the store", (int)pid);
		if (!g->dry) {
			for (size_t k = 0; k < nk; k++)
				kill(kids[k], SIGKILL);
			kill(pid, SIGKILL);
		}
	}
	closedir(proc);
}

/**
 * cnm_gc() - see cnm.h.
 */
int cnm_gc(struct cnm_ctx *ctx, bool dry_run, char ***actions, size_t *n, struct cnm_err *err)
{
	struct cnm_gc_run g = { .ctx = ctx, .dry = dry_run };
	int rc;

	rc = cnm_store_begin(ctx, err);
	if (rc)
		return rc;
	rc = gc_containers(&g, err);
	if (!rc)
		rc = refresh_host(&g, err);
	if (!rc)
		rc = gc_networks(&g, err);
	if (!rc)
		rc = gc_endpoints(&g, err);
	if (!rc)
		rc = gc_links(&g, err);
	if (!rc) {
		gc_dirs(&g);
		gc_monitors(&g);
		rc = cnm_gc_fw(&g, err);
	}
	if (rc || dry_run)
		cnm_store_rollback(ctx);
	else
		rc = cnm_store_commit(ctx, err);
	cnm_kstate_free(&g.host);
	if (rc) {
		cnm_strv_free(g.v, g.n);
		return rc;
	}
	*actions = g.v;
	*n = g.n;
	return 0;
}

/**
 * cnm_gc_quick() - the part of gc every command runs: undo runs that were
 * interrupted (rows left "creating" by a cnm process that is gone).  When
 * there are none, as nearly always, it costs one SELECT.
 *
 * Return: the number undone, or a negative errno.
 */
int cnm_gc_quick(struct cnm_ctx *ctx, struct cnm_err *err)
{
	sqlite3_stmt *st;
	bool stale = false;
	int rc, undone = 0;

	rc = cnm_store_prepare(ctx, "SELECT monitor_pid FROM containers WHERE state = 'creating'",
			       &st, err);
	if (rc)
		return rc;
	while (!stale && sqlite3_step(st) == SQLITE_ROW)
		stale = !cnm_pid_alive((pid_t)sqlite3_column_int(st, 0));
	sqlite3_finalize(st);
	if (!stale)
		return 0;
	rc = cnm_store_begin(ctx, err);
	if (rc)
		return rc;
	{
		idbuf *ids = NULL;
		size_t n = 0;

		rc = select_ids(ctx, "SELECT id FROM containers WHERE state = 'creating'", &ids, &n,
				err);
		for (size_t i = 0; !rc && i < n; i++) {
			struct cnm_ctr c;

			if (cnm_ctr_get_id(ctx, ids[i], &c, NULL))
				continue;
			if (!cnm_pid_alive(c.monitor_pid)) {
				rc = undo_creating(ctx, &c, err);
				undone++;
			}
			cnm_ctr_free(&c);
		}
		free(ids);
	}
	if (rc) {
		cnm_store_rollback(ctx);
		return rc;
	}
	rc = cnm_store_commit(ctx, err);
	if (!rc && undone && !ctx->notice[0])
		snprintf(ctx->notice, sizeof(ctx->notice), "%d interrupted run%s undone (a cnm"
			 " process died while creating %s)", undone, undone == 1 ? "" : "s",
			 undone == 1 ? "it" : "them");
	return rc ? rc : undone;
}

/* Does interface @name exist?  One ioctl, where a link dump costs per interface. */
static bool link_exists(int fd, const char *name)
{
	struct ifreq ifr = { 0 };

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	return ioctl(fd, SIOCGIFINDEX, &ifr) == 0;
}

/*
 * Does anything about @net look broken?  Its bridge, its running containers'
 * host veths (an ioctl each) and the firewall table (one lookup).  A veth
 * that is there but off its bridge is left to `cnm gc`.
 */
static const char *network_looks_broken(struct cnm_ctx *ctx, const struct cnm_net *net)
{
	_cleanup_close_ int fd = -1;
	sqlite3_stmt *st;
	const char *why = NULL;

	if (strcmp(net->driver, "bridge"))
		return NULL;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return NULL;
	if (!link_exists(fd, net->bridge))
		return needs_bridge(ctx, net) ? "bridge missing" : NULL;
	if (!cnm_store_prepare(ctx, "SELECT e.host_ifname FROM endpoints e JOIN containers c ON"
			       " c.id = e.container_id WHERE e.network_id = ? AND c.state ="
			       " 'running' AND e.host_ifname IS NOT NULL", &st, NULL)) {
		sqlite3_bind_text(st, 1, net->id, -1, SQLITE_STATIC);
		while (!why && sqlite3_step(st) == SQLITE_ROW)
			if (!link_exists(fd, (const char *)sqlite3_column_text(st, 0)))
				why = "veth missing";
		sqlite3_finalize(st);
	}
	if (!why && cnm_fw_table_exists() == 0)
		why = "firewall table missing";
	return why;
}

/**
 * cnm_gc_check_network() - the look `network inspect` takes at a network:
 * its bridge, its containers' veths (an ioctl each) and the firewall table
 * (one lookup).  When something is missing, a full gc runs and
 * what it repaired becomes the context's notice.
 *
 * Return: the number of repairs, or a negative errno.
 */
int cnm_gc_check_network(struct cnm_ctx *ctx, const struct cnm_net *net)
{
	char **lines = NULL;
	size_t n = 0, used = 0;
	int rc;

	if (!network_looks_broken(ctx, net))
		return 0;
	rc = cnm_gc(ctx, false, &lines, &n, NULL);
	if (rc)
		return rc;
	ctx->notice[0] = '\0';
	for (size_t i = 0; i < n && used < sizeof(ctx->notice); i++)
		used += (size_t)snprintf(ctx->notice + used, sizeof(ctx->notice) - used, "%s%s",
					 i ? "\ncnm: note: " : "repaired: ", lines[i]);
	cnm_strv_free(lines, n);
	return (int)n;
}
