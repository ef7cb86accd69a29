// SPDX-License-Identifier: MIT
/*
 * sandbox.c - starting a container's process in its own namespaces.
 *
 * DOC: Theory of operation
 * clone() makes the child in new uts, ipc, pid, mount and (unless the
 * network is "host") network namespaces; the mount namespace is a copy of
 * a template when the caller has one (mntns.c), which the child joins and
 * unshares.  While the parent wires the
 * network namespace up from outside, the child prepares its mount
 * namespace in parallel: propagation to rslave, a fresh /proc for its pid
 * namespace, a fresh /sys for its network namespace, its own hosts,
 * hostname and resolv.conf bind-mounted over /etc (or a pivot into
 * --rootfs).  Then it blocks on the "go" pipe.  The parent writes one byte
 * when the network is ready; the child execs.
 *
 * A second pipe, close-on-exec in the child, reports the outcome: EOF means
 * exec succeeded; otherwise the child writes the stage and errno that
 * failed, so "command not found" is an error of `cnm run`, not a container
 * that exits 127.  Until exec the child has PDEATHSIG=SIGKILL, so a parent
 * that dies mid-setup leaves no half-made container behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <linux/close_range.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "mntns.h"
#include "sandbox.h"
#include "util.h"

enum stage { ST_MOUNT = 1, ST_HOSTNAME, ST_ROOTFS, ST_PROC, ST_ETC, ST_STDIO, ST_EXEC };

static const char *const stage_names[] = {
	[ST_MOUNT] = "make mounts private",
	[ST_HOSTNAME] = "set hostname",
	[ST_ROOTFS] = "enter root filesystem",
	[ST_PROC] = "mount /proc",
	[ST_ETC] = "bind-mount /etc files",
	[ST_STDIO] = "set up stdio",
	[ST_EXEC] = "exec",
};

struct child_report {
	int stage;
	int err;
};

struct child_args {
	const struct cnm_sandbox_cfg *cfg;
	int go_rd;
	int go_wr;	/* the parent's end: closed at once, so its death is EOF */
	int status_wr;
};

static void __attribute__((noreturn)) child_fail(int fd, int stage, int e)
{
	struct child_report r = { stage, e };

	if (write(fd, &r, sizeof(r)) < 0)
		_exit(126);
	_exit(127);
}

/* Bind the container's own /etc files over @root/etc/NAME when the target exists. */
static int bind_etc(const char *root, const char *etc_dir)
{
	static const char *const files[] = { "hosts", "hostname", "resolv.conf" };
	char src[PATH_MAX], dst[PATH_MAX];

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		struct stat sb;

		snprintf(src, sizeof(src), "%s/%s", etc_dir, files[i]);
		snprintf(dst, sizeof(dst), "%s/etc/%s", root, files[i]);
		if (stat(dst, &sb) < 0) {
			/* a rootfs without the file gets one created; the host's is never touched */
			int fd;

			if (!*root)
				continue;
			fd = open(dst, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
			if (fd < 0)
				continue;
			close(fd);
		}
		if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
			return -errno;
	}
	return 0;
}

static int enter_rootfs(const char *rootfs)
{
	if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return -errno;
	if (chdir(rootfs) < 0)
		return -errno;
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return -errno;
	if (umount2(".", MNT_DETACH) < 0)
		return -errno;
	return chdir("/") < 0 ? -errno : 0;
}

static int child_main(void *arg)
{
	const struct child_args *a = arg;
	const struct cnm_sandbox_cfg *cfg = a->cfg;
	const char *root = cfg->rootfs ? cfg->rootfs : "";
	char path[PATH_MAX];
	sigset_t none;
	char go;
	int rc;

	/*
	 * Die with the parent until told to exec.  PDEATHSIG misses a parent
	 * that died before this line; then the go pipe's EOF ends us, which
	 * needs our copy of its write end closed first.
	 */
	close(a->go_wr);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* a copy of the template rather than of the caller's namespace (mntns.c) */
	if (cfg->mnt_fd >= 0 && (setns(cfg->mnt_fd, CLONE_NEWNS) < 0 || unshare(CLONE_NEWNS) < 0))
		child_fail(a->status_wr, ST_MOUNT, errno);
	/*
	 * A copy of the caller's namespace holds every container's namespace
	 * mount, and the netns directory is a shared mount: later ones would
	 * propagate in too (O(n) per start, n^2 mounts in all).  The container
	 * needs none of them (mntns.c; the template has none to begin with).
	 */
	if (cfg->mnt_fd < 0 && cfg->netns_dir ? cnm_mnt_forget_netns(cfg->netns_dir) < 0
					      : mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		child_fail(a->status_wr, ST_MOUNT, errno);
	if (sethostname(cfg->hostname, strlen(cfg->hostname)) < 0)
		child_fail(a->status_wr, ST_HOSTNAME, errno);
	if (bind_etc(root, cfg->etc_dir) < 0)
		child_fail(a->status_wr, ST_ETC, errno);
	snprintf(path, sizeof(path), "%s/proc", root);
	if (mount("proc", path, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		child_fail(a->status_wr, ST_PROC, errno);
	if (cfg->new_net) {
		/* sysfs shows the network namespace of whoever mounts it */
		snprintf(path, sizeof(path), "%s/sys", root);
		if (umount2(path, MNT_DETACH) == 0 || errno == EINVAL)
			mount("sysfs", path, "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	}
	if (cfg->rootfs) {
		rc = enter_rootfs(cfg->rootfs);
		if (rc)
			child_fail(a->status_wr, ST_ROOTFS, -rc);
	}
	if (cfg->out_fd >= 0) {
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if ((null >= 0 && dup2(null, 0) < 0) || dup2(cfg->out_fd, 1) < 0 ||
		    dup2(cfg->out_fd, 2) < 0)
			child_fail(a->status_wr, ST_STDIO, errno);
	}
	/* wait for the network; EOF means the parent gave up */
	while ((rc = (int)read(a->go_rd, &go, 1)) < 0 && errno == EINTR)
		;
	if (rc != 1)
		_exit(1);
	prctl(PR_SET_PDEATHSIG, 0);
	/* the container gets stdio, nothing else its creator had open */
	close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	/* a copy of the parent's memory (no CLONE_VM): the parent's environment is untouched */
	for (size_t i = 0; i < cfg->n_env; i++)
		if (strchr(cfg->env[i], '='))	/* KEY alone: inherited as it is */
			putenv((char *)cfg->env[i]);
	execvp(cfg->argv[0], cfg->argv);
	child_fail(a->status_wr, ST_EXEC, errno);
}

/**
 * cnm_sandbox_spawn() - start the container process, held before exec.
 * @cfg: what to make
 * @sb: filled with the child's pid and the two pipes
 * @err: filled on failure
 *
 * Return: 0 or a negative errno.
 */
int cnm_sandbox_spawn(const struct cnm_sandbox_cfg *cfg, struct cnm_sandbox *sb,
		      struct cnm_err *err)
{
	const size_t stack_size = 256 * 1024;
	int go[2], status[2], flags, rc = 0;
	struct child_args a;
	void *stack;

	sb->pid = -1;
	sb->go_fd = sb->status_fd = -1;
	if (pipe2(go, O_CLOEXEC) < 0)
		return cnm_errf(err, errno, "pipe: %s", strerror(errno));
	if (pipe2(status, O_CLOEXEC) < 0) {
		rc = cnm_errf(err, errno, "pipe: %s", strerror(errno));
		close(go[0]);
		close(go[1]);
		return rc;
	}
	stack = mmap(NULL, stack_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
		     MAP_STACK, -1, 0);
	if (stack == MAP_FAILED) {
		rc = cnm_errf(err, errno, "cannot allocate a stack: %s", strerror(errno));
		goto out;
	}
	a.cfg = cfg;
	a.go_rd = go[0];
	a.go_wr = go[1];
	a.status_wr = status[1];
	flags = CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | SIGCHLD;
	if (cfg->mnt_fd < 0)
		flags |= CLONE_NEWNS;
	if (cfg->new_net)
		flags |= CLONE_NEWNET;
	sb->pid = clone(child_main, (char *)stack + stack_size, flags, &a);
	if (sb->pid < 0)
		rc = cnm_errf(err, errno, "cannot create the container's namespaces: %s",
			      strerror(errno));
	munmap(stack, stack_size);
out:
	close(go[0]);
	close(status[1]);
	if (rc) {
		close(go[1]);
		close(status[0]);
		return rc;
	}
	sb->go_fd = go[1];
	sb->status_fd = status[0];
	return 0;
}

/**
 * cnm_sandbox_go() - let the child exec and learn whether it could.
 * @sb: the sandbox
 * @cmd: the command, for the message
 * @err: filled on failure ("command not found" and the like)
 *
 * Return: 0 once the command runs, or a negative errno (the child is then
 * gone: the caller reaps it with cnm_sandbox_abort()).
 */
int cnm_sandbox_go(struct cnm_sandbox *sb, const char *cmd, struct cnm_err *err)
{
	struct child_report r;
	ssize_t n;

	if (write(sb->go_fd, "g", 1) != 1)
		return cnm_errf(err, errno, "container process died during setup");
	close(sb->go_fd);
	sb->go_fd = -1;
	while ((n = read(sb->status_fd, &r, sizeof(r))) < 0 && errno == EINTR)
		;
	close(sb->status_fd);
	sb->status_fd = -1;
	if (n == 0)
		return 0;
	if (n != (ssize_t)sizeof(r) || r.stage < ST_MOUNT || r.stage > ST_EXEC)
		return cnm_errf(err, EIO, "container process died during setup");
	if (r.stage == ST_EXEC) {
		/* found before the fork, so ENOENT now is its interpreter or loader */
		int rc = r.err == ENOENT
			 ? cnm_errf(err, ENOENT, "cannot run %s: its interpreter (#!) or loader is"
				    " missing", cmd)
			 : cnm_errf(err, r.err, "cannot run %s: %s", cmd, strerror(r.err));

		if (err)
			err->exec_failed = true;
		return rc;
	}
	return cnm_errf(err, r.err, "container setup failed: cannot %s: %s",
			stage_names[r.stage], strerror(r.err));
}

/* Kill the child if it is still there and reap it. */
void cnm_sandbox_abort(struct cnm_sandbox *sb)
{
	if (sb->go_fd >= 0)
		close(sb->go_fd);
	if (sb->status_fd >= 0)
		close(sb->status_fd);
	sb->go_fd = sb->status_fd = -1;
	if (sb->pid > 0) {
		kill(sb->pid, SIGKILL);
		while (waitpid(sb->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	sb->pid = -1;
}

/**
 * cnm_find_executable() - would execvp() find @cmd (inside @rootfs)?
 * @rootfs: root to look under, or NULL for "/"
 * @cmd: the command as given
 *
 * Lets `cnm run` refuse a missing command before it changes anything.
 *
 * Return: 0 when found and executable, -ENOENT or -EACCES.
 */
int cnm_find_executable(const char *rootfs, const char *cmd)
{
	const char *path = getenv("PATH");
	const char *root = rootfs ? rootfs : "";
	char buf[PATH_MAX];
	int denied = 0;

	if (strchr(cmd, '/')) {
		snprintf(buf, sizeof(buf), "%s%s%s", root, cmd[0] == '/' ? "" : "/", cmd);
		/* relative paths resolve against the container's cwd, "/" */
		return access(buf, X_OK) == 0 ? 0 : (errno == EACCES ? -EACCES : -ENOENT);
	}
	if (!path || !*path)
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	while (*path) {
		size_t len = strcspn(path, ":");
		struct stat sb;

		snprintf(buf, sizeof(buf), "%s%.*s/%s", root, (int)len, len ? path : ".", cmd);
		if (stat(buf, &sb) == 0 && S_ISREG(sb.st_mode)) {
			if (access(buf, X_OK) == 0)
				return 0;
			denied = 1;
		}
		path += len;
		if (*path == ':')
			path++;
	}
	return denied ? -EACCES : -ENOENT;
}
