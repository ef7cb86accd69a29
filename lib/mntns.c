// SPDX-License-Identifier: MIT
/*
 * mntns.c - mounts of namespaces: each container's network namespace at
 * NETNS_DIR/NAME, and the mount namespace every container's own is copied
 * from.
 *
 * DOC: Theory of operation
 * A container's network namespace is bind-mounted in the netns directory
 * (/run/netns), as `ip netns add` does, so `ip netns exec NAME` works and
 * the namespace outlives a crash of its process until cnm removes it.  The
 * directory is a shared mount point, as iproute2 makes it.
 *
 * A container gets a mount namespace of its own, and a new mount namespace
 * is a copy of its creator's: every mount in it.  The host's holds one
 * nsfs mount per running container under the netns directory (that is how
 * `ip netns` sees them), so with CLONE_NEWNS each `cnm run` copied one
 * mount per container already running, then detached them all again in
 * the child (the container needs none): at 1,000 containers ~3.8 ms more
 * per start than at the first (measured with unshare(1)).
 *
 * So containers are copied from a template instead: a mount namespace made
 * once from the host's, its propagation turned to rslave (mounts made on
 * the host later still appear in it, and from it in the containers) and
 * the netns directory detached from it.  It is kept alive by a bind mount
 * of its nsfs file at $CNM_RUN_DIR/mnt/template, on a private mount (an
 * nsfs file of a mount namespace may not sit on a mount that propagates,
 * or the namespace could end up holding itself).  The container's process
 * joins it with setns() and unshares a copy: a copy of the host's mounts
 * minus the namespaces, whatever the number of containers.
 *
 * Only when the host's root mount is shared (systemd makes it so): on a
 * host whose mounts do not propagate, a filesystem mounted after the
 * template was made would be missing from every later container.  And
 * not for --rootfs (the caller's choice), whose directory may well be such
 * a mount.  The netns directory must be a mount before the template is
 * made, or its later mount would propagate into the template with
 * everything under it.
 *
 * Anything that fails here only costs speed: the caller falls back to
 * copying the host's namespace.  /run is a tmpfs, so a reboot forgets the
 * template and the next `cnm run` makes a new one.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "ctx.h"
#include "mntns.h"

/** cnm_netns_path() - where the namespace of container @name is mounted. */
void cnm_netns_path(const struct cnm_ctx *ctx, const char *name, char *out, size_t len)
{
	snprintf(out, len, "%s/%s", ctx->netns_dir, name);
}

/*
 * Make the netns directory a shared mount point, as iproute2 does, so that
 * namespace mounts are seen by every mount namespace (and `ip netns`).  A
 * peer group of its own when we make it: a bind mount inside a shared /run
 * joins /run's group, and every namespace mount would then be made twice,
 * and reach every mount namespace through /run as well (see the template).
 */
/**
 * cnm_netns_dir_prepare() - the netns directory, a shared mount point of its own (above).
 * Return: 0 or a negative errno.
 */
int cnm_netns_dir_prepare(struct cnm_ctx *ctx, struct cnm_err *err)
{
	int rc;

	if (ctx->netns_dir_ready) /* `cnm run` asks before its template and its mount */
		return 0;
	rc = cnm_mkdir_p(ctx->netns_dir, 0755, err);
	if (rc)
		return rc;
	if (mount("", ctx->netns_dir, "none", MS_SHARED, NULL) < 0) {
		if (errno != EINVAL)
			return cnm_errf(err, errno, "cannot share mount %s: %s", ctx->netns_dir,
					strerror(errno));
		if (mount(ctx->netns_dir, ctx->netns_dir, "none", MS_BIND | MS_REC, NULL) < 0 ||
		    mount("", ctx->netns_dir, "none", MS_PRIVATE, NULL) < 0 ||
		    mount("", ctx->netns_dir, "none", MS_SHARED, NULL) < 0)
			return cnm_errf(err, errno, "cannot make %s a shared mount: %s",
					ctx->netns_dir, strerror(errno));
	}
	ctx->netns_dir_ready = true;
	return 0;
}

/**
 * cnm_netns_mount() - bind-mount @pid's network namespace at NETNS_DIR/@name,
 * as `ip netns` would.
 * Return: 0 or a negative errno.
 */
int cnm_netns_mount(struct cnm_ctx *ctx, const char *name, pid_t pid, struct cnm_err *err)
{
	char path[PATH_MAX], src[64];
	int fd, rc;

	rc = cnm_netns_dir_prepare(ctx, err);
	if (rc)
		return rc;
	cnm_netns_path(ctx, name, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0 && errno == EEXIST) {
		/* left by a crash: the name is ours now (UNIQUE in the store) */
		umount2(path, MNT_DETACH);
		unlink(path);
		fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	}
	if (fd < 0)
		return cnm_errf(err, errno, "cannot create %s: %s", path, strerror(errno));
	close(fd);
	snprintf(src, sizeof(src), "/proc/%d/ns/net", (int)pid);
	if (mount(src, path, "none", MS_BIND, NULL) < 0) {
		rc = cnm_errf(err, errno, "cannot bind-mount network namespace at %s: %s", path,
			      strerror(errno));
		unlink(path);
	}
	return rc;
}

/**
 * cnm_netns_mounted() - is /run/netns/@name the namespace of process @pid?
 * An empty file left by a hand's umount, or another namespace mounted over
 * it, is not: `ip netns exec` and cnm exec would enter the wrong place.
 */
bool cnm_netns_mounted(const struct cnm_ctx *ctx, const char *name, pid_t pid)
{
	char path[PATH_MAX], ns[64];
	struct stat a, b;

	cnm_netns_path(ctx, name, path, sizeof(path));
	snprintf(ns, sizeof(ns), "/proc/%d/ns/net", (int)pid);
	if (stat(ns, &b) < 0)
		return true; /* cannot tell: the process is someone else's to judge */
	return stat(path, &a) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/** cnm_netns_unmount() - undo cnm_netns_mount(). */
void cnm_netns_unmount(struct cnm_ctx *ctx, const char *name)
{
	char path[PATH_MAX];

	if (ctx->dry) { /* iproute2's way: unmount and remove */
		fprintf(ctx->dry, "ip netns del %s\n", name);
		return;
	}

	cnm_netns_path(ctx, name, path, sizeof(path));
	umount2(path, MNT_DETACH);
	unlink(path);
}

/* An open mount namespace file at @path, or -1. */
static int open_template(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0 && ioctl(fd, NS_GET_NSTYPE) != CLONE_NEWNS) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/*
 * One line of /proc/self/mountinfo: is it @mnt_point's?  Then @out gets its
 * peer group ("shared:N"), or "" when it propagates nothing.  The last line
 * for a mount point is the mount on top.
 */
static bool mountinfo_group(char *line, const char *mnt_point, char *out, size_t len)
{
	char mnt[PATH_MAX], *tag, *dash = strstr(line, " - ");

	/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - ... */
	if (!dash || sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1 || strcmp(mnt, mnt_point))
		return false;
	*dash = '\0';
	tag = strstr(line, " shared:");
	out[0] = '\0';
	if (tag)
		snprintf(out, len, "%.*s", (int)strcspn(tag + 1, " "), tag + 1);
	return true;
}

/* Is "/" a shared mount in our namespace? */
static bool root_is_shared(void)
{
	char buf[16384], group[32] = "", *line, *save = NULL;
	ssize_t n;
	int fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	/* the root comes first: one read is enough, however many mounts follow */
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		mountinfo_group(line, "/", group, sizeof(group));
	return group[0] != '\0';
}

/* @dir, made a private mount point: what is mounted in it stays in it. */
static int private_dir(const char *dir)
{
	if (cnm_mkdir_p(dir, 0700, NULL))
		return -1;
	if (mount(NULL, dir, NULL, MS_PRIVATE, NULL) == 0)
		return 0;
	if (errno != EINVAL) /* EINVAL: not a mount point yet */
		return -1;
	if (mount(dir, dir, NULL, MS_BIND, NULL) < 0)
		return -1;
	return mount(NULL, dir, NULL, MS_PRIVATE, NULL);
}

/* Is @path the root of a mount (not merely a directory in one)? */
static bool mount_root(const char *path)
{
	struct statx stx;

	return statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &stx) == 0 &&
	       (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
	       (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

/* The "shared:N" peer group of the mount at @mnt_point ("" for none). */
static void peer_group(const char *mnt_point, char *out, size_t len)
{
	char *line = NULL;
	size_t cap = 0;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	out[0] = '\0';
	while (f && getline(&line, &cap, f) > 0)
		mountinfo_group(line, mnt_point, out, len);
	free(line);
	if (f)
		fclose(f);
}

/*
 * In the template, made rslave here: no namespace mounts, now or later.  When iproute2 (or
 * anyone) bind-mounted the netns directory on itself inside a shared /run,
 * it joined /run's peer group, so each namespace is mounted twice, once in
 * the directory's mount and once on /run's own directory below it, and
 * /run passes new ones on.  Then /run (the directory's parent mount, never
 * "/") stops receiving in the template; a netns directory with a peer
 * group of its own (cnm makes it so) leaves /run alone.  Then every layer
 * and every mount in the directory goes.  Once, here: the whole mount
 * table is read.
 */
/**
 * cnm_mnt_forget_netns() - in a fresh copy of a mount namespace: make it
 * rslave and drop every namespace mount, now and to come (see above).
 * @netns_dir: the netns directory
 *
 * Used for the template, and by a container that copies the host's
 * namespace instead (no template): O(mounts) then, once per container.
 *
 * Return: 0, or -1 when the namespace cannot be made rslave (errno set).
 */
int cnm_mnt_forget_netns(const char *netns_dir)
{
	char parent[PATH_MAX], path[PATH_MAX + 256], g1[32], g2[32];
	char *slash;
	struct dirent *de;
	bool same = false;
	DIR *d;

	/* the peer groups, before rslave turns "shared:N" into "master:N" */
	snprintf(parent, sizeof(parent), "%s", netns_dir);
	slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = '\0';
		peer_group(netns_dir, g1, sizeof(g1));
		peer_group(parent, g2, sizeof(g2));
		same = g1[0] && !strcmp(g1, g2) && mount_root(parent);
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		return -1;
	if (same)
		mount(NULL, parent, NULL, MS_PRIVATE, NULL);
	while (umount2(netns_dir, MNT_DETACH) == 0)
		;
	d = opendir(netns_dir);
	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", netns_dir, de->d_name);
			while (umount2(path, MNT_DETACH) == 0)
				;
		}
	closedir(d);
	return 0;
}

/*
 * Run on the @i-th CPU of @all, cyclically (see make_template()).  @all is
 * the set as it was before the first call: each call narrows ours to one.
 */
static void next_cpu(const cpu_set_t *all, unsigned int i)
{
	cpu_set_t one;
	unsigned int n = 0;

	if (!CPU_COUNT(all))
		return;
	i %= (unsigned int)CPU_COUNT(all);
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, all) || n++ != i)
			continue;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		sched_setaffinity(0, sizeof(one), &one);
		return;
	}
}

/*
 * Make the template and pin it at @path: a child unshares its mount
 * namespace, prepares it, says so and waits; we bind its nsfs file.
 *
 * The kernel refuses (EINVAL) to bind a mount namespace file whose id is
 * not above the binder's namespace's, against loops.  Since Linux 6.18
 * those ids come from per-CPU batches, so a namespace made later on
 * another CPU can get a lower one and be refused for nothing (flaky here
 * about one time in four).  Then the child unshares again, on the next
 * CPU, whose batch may be ahead; a few rounds cover every CPU.
 */
static int make_template(struct cnm_ctx *ctx, const char *dir, const char *path)
{
	char ns[64], c;
	int ready[2], done[2], fd, rc = -1;
	pid_t pid;

	fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	close(fd);
	if (pipe2(ready, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(done, O_CLOEXEC) < 0) {
		close(ready[0]);
		close(ready[1]);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		cpu_set_t all;

		close(ready[0]);
		close(done[1]);
		if (sched_getaffinity(0, sizeof(all), &all) < 0)
			CPU_ZERO(&all);
		for (unsigned int i = 0;; i++) {
			ssize_t n;

			if (i)
				next_cpu(&all, i);
			if (unshare(CLONE_NEWNS) < 0 || cnm_mnt_forget_netns(ctx->netns_dir) < 0)
				_exit(1);
			umount2(dir, MNT_DETACH);
			if (write(ready[1], "r", 1) != 1)
				_exit(1);
			/* "a": again; EOF: our namespace is pinned, or given up */
			while ((n = read(done[0], &c, 1)) < 0 && errno == EINTR)
				;
			if (n != 1)
				_exit(0);
		}
	}
	close(ready[1]);
	close(done[0]);
	snprintf(ns, sizeof(ns), "/proc/%d/ns/mnt", (int)pid);
	for (int tries = 0; pid > 0 && tries < 16 && read(ready[0], &c, 1) == 1; tries++) {
		rc = mount(ns, path, NULL, MS_BIND, NULL);
		if (rc == 0 || errno != EINVAL || write(done[1], "a", 1) != 1)
			break;
	}
	close(ready[0]);
	close(done[1]);
	if (pid > 0)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	return rc;
}

/**
 * cnm_mnt_template() - the mount namespace new containers copy (see above),
 * made on first use.
 * @ctx: context; its netns directory must already be a mount
 *
 * Return: an open (close-on-exec) file of the namespace, or -1 when there is
 * none to use: the container then copies the caller's namespace.
 */
int cnm_mnt_template(struct cnm_ctx *ctx)
{
	char dir[PATH_MAX], path[PATH_MAX + 16], lock[PATH_MAX + 16];
	int fd, lfd;

	snprintf(dir, sizeof(dir), "%s/mnt", ctx->run_dir);
	snprintf(path, sizeof(path), "%s/template", dir);
	fd = open_template(path);
	if (fd >= 0)
		return fd;
	/* one maker at a time; the loser finds the winner's */
	if (cnm_mkdir_p(ctx->run_dir, 0755, NULL))
		return -1;
	snprintf(lock, sizeof(lock), "%s/mnt.lock", ctx->run_dir);
	lfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lfd < 0)
		return -1;
	while (flock(lfd, LOCK_EX) < 0 && errno == EINTR)
		;
	fd = open_template(path);
	if (fd < 0 && root_is_shared() && private_dir(dir) == 0 &&
	    make_template(ctx, dir, path) == 0)
		fd = open_template(path);
	close(lfd);
	return fd;
}
