// SPDX-License-Identifier: MIT
/*
 * storehold.c - keep the state store's WAL index valid between commands.
 *
 * DOC: Theory of operation
 * Every cnm command is a short process and, most of the time, the store's
 * only SQLite connection.  SQLite cannot trust the shared WAL index
 * (cnm.db-shm) that an earlier process left behind: its first connection
 * truncates it and rebuilds it by reading and checksumming every frame of
 * the log, ~200 us of each command here with the log at 150 frames.  It
 * knows it is first when no process holds a read lock on the index's DMS
 * byte (offset 128 of the -shm file; www.sqlite.org/walformat.html), which
 * every open connection holds.
 *
 * The holder (`cnm _hold STATE_DIR`) takes that read lock and nothing else.
 * To SQLite it is an idle connection: the commands that follow find the
 * index valid and skip the rebuild.  It reads and writes nothing and holds
 * no lock a writer or a checkpoint waits for.  A command that finds no
 * holder starts one as it closes, detached, as cnm-dns is started.  The
 * holder leaves when the log has not changed for CNM_STORE_LINGER seconds
 * (30), at once when a store file is removed, renamed or replaced (state
 * moved aside or restored from a backup: an index kept for other files
 * would be wrong), and with the machine: the next command after a crash
 * is the first again and rebuilds.  Files restored in place (copied over,
 * same inodes) give no such sign: each command checks, before SQLite opens
 * the store, that the index still describes the log, and ends the holder
 * if not (cnm_store_hold_check()).  One per state directory, by an flock
 * on $STATE/hold.lock.  Only the cnm command and the CNI plugin start it
 * (struct cnm_opts.hold_store); a program linking libcnm decides itself,
 * and must not then hold another connection to the store: the checks here
 * open and close the index, which drops the process's POSIX locks on it.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "ctx.h"

/* SQLite's unix VFS: WAL_WRITE_LOCK at 120, eight lock bytes, then DMS */
#define SHM_DMS 128
#define LINGER_DEFAULT_S 30

static int index_open(const char *state_dir, int flags)
{
	char path[PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/cnm.db-shm", state_dir);
	return open(path, flags | O_CLOEXEC | O_NOFOLLOW);
}

/* Does any process hold a lock on the index's DMS byte (a connection or a holder)? */
static bool index_held(const char *state_dir)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = SHM_DMS,
			    .l_len = 1 };
	int fd = index_open(state_dir, O_RDONLY);
	bool held;

	if (fd < 0)
		return false;
	held = fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
	close(fd);
	return held;
}

/**
 * cnm_store_hold_start() - start a holder for @ctx's store if none runs.
 * @ctx: context whose store was opened (called from cnm_close())
 *
 * Best effort: a holder that cannot start costs the next commands their
 * index rebuild, nothing else.
 */
void cnm_store_hold_start(struct cnm_ctx *ctx)
{
	char self[PATH_MAX];
	ssize_t n;
	pid_t pid;
	int status;

	if (index_held(ctx->state_dir))
		return;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return;
	self[n] = '\0';
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		setsid();
		if (null < 0 || fork() != 0)
			_exit(0);
		/* the grandchild: no tie to the command, its pipes or its locks */
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		close_range(3, ~0U, 0);
		execl(self, "cnm", "_hold", ctx->state_dir, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
}

/*
 * Is @pid a holder?  It locks this very index file, so a holder is ours
 * whatever spelling of the state directory started it: its name
 * (cli/hold.c) is enough.
 */
static bool is_holder(pid_t pid)
{
	char path[64], comm[32];
	ssize_t n;
	int fd;

	if (pid <= 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, comm, sizeof(comm) - 1);
	close(fd);
	return n == 9 && !memcmp(comm, "cnm-hold\n", 9);
}

/* The index is in the machine's byte order (walformat.html). */
static uint32_t u32_at(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * Does the index in @shm (read from the file) describe the log @wal?  Each
 * frame the index counts (mxFrame) is in the log, under the log header's
 * salts, which the index keeps a copy of.  An index not yet made or made
 * for another page size is SQLite's to judge.
 */
static bool index_matches(const unsigned char shm[48], int wal)
{
	uint32_t mx = u32_at(shm + 16), pgsz;
	unsigned char hdr[32];
	struct stat st;
	uint16_t sz;

	memcpy(&sz, shm + 14, sizeof(sz));
	pgsz = sz;

	if (u32_at(shm) != 3007000 || !shm[12])
		return true;
	if (pgsz == 1)
		pgsz = 65536;
	if (fstat(wal, &st) || pread(wal, hdr, sizeof(hdr), 0) != (ssize_t)sizeof(hdr))
		return mx == 0;
	if (mx == 0)	/* a reset log: old frames may follow, but not under its salts */
		return st.st_size < 32 + 24 + (off_t)pgsz || memcmp(hdr + 16, shm + 32, 8);
	return st.st_size >= 32 + (off_t)mx * (24 + pgsz) && !memcmp(hdr + 16, shm + 32, 8);
}

/**
 * cnm_store_hold_check() - before SQLite opens the store: end a holder
 * whose index does not describe the log.
 * @state_dir: the state directory
 *
 * SQLite trusts the index while anyone holds it, and the files can have
 * been restored in place since (cnm.db and its log copied over): the
 * holder then vouches for frames that are not there.  Ending it makes
 * this command the first connection, which rebuilds the index from the
 * log as it is.  A few reads; an index held by a live connection (another
 * command, whose writes keep it true) is left to SQLite.
 */
void cnm_store_hold_check(const char *state_dir)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = SHM_DMS,
			    .l_len = 1 };
	char path[PATH_MAX + 16];
	unsigned char shm[48];
	int fd = index_open(state_dir, O_RDONLY), wal, pidfd;
	bool ok = true;

	if (fd < 0)
		return;
	if (fcntl(fd, F_GETLK, &fl) || fl.l_type == F_UNLCK ||
	    pread(fd, shm, sizeof(shm), 0) != (ssize_t)sizeof(shm))
		goto out;
	snprintf(path, sizeof(path), "%s/cnm.db-wal", state_dir);
	wal = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ok = index_matches(shm, wal);
	if (wal >= 0)
		close(wal);
	if (ok)
		goto out;
	/*
	 * The process is pinned first and named after: if the holder has gone
	 * and its pid been reused meanwhile, the name is another's and nothing
	 * is signalled (a pidfd signals only the process it was opened for).
	 */
	pidfd = fl.l_pid > 0 ? (int)syscall(SYS_pidfd_open, fl.l_pid, 0) : -1;
	if (pidfd < 0)
		goto out;
	if (is_holder(fl.l_pid) &&
	    syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) == 0) {
		struct pollfd p = { .fd = pidfd, .events = POLLIN };

		poll(&p, 1, 1000);	/* its lock goes when it has exited */
	}
	close(pidfd);
out:
	close(fd);
}

static bool store_file(const char *name)
{
	return !strcmp(name, "cnm.db") || !strcmp(name, "cnm.db-wal") ||
	       !strcmp(name, "cnm.db-shm");
}

/*
 * Did a store file go or change identity?  @ev_buf holds @len bytes of
 * inotify events for the state directory.
 */
static bool store_replaced(const char *ev_buf, ssize_t len)
{
	for (ssize_t off = 0; off < len;) {
		const struct inotify_event *ev = (const void *)(ev_buf + off);

		if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED | IN_Q_OVERFLOW))
			return true;
		if (ev->len && store_file(ev->name))
			return true;
		off += (ssize_t)sizeof(*ev) + ev->len;
	}
	return false;
}

/* Seconds since the log last changed; no log at all counts as idle for ever. */
static time_t log_idle(const char *state_dir)
{
	char path[PATH_MAX + 16];
	struct stat st;

	snprintf(path, sizeof(path), "%s/cnm.db-wal", state_dir);
	if (stat(path, &st))
		return INT_MAX;
	return time(NULL) - st.st_mtime;
}

/**
 * cnm_store_hold_run() - be the holder of @state_dir's store (`cnm _hold`).
 * @state_dir: the state directory
 *
 * Return: 0 when done (idle, store gone, or another holder runs), or a
 * negative errno when the store's index cannot be held.
 */
int cnm_store_hold_run(const char *state_dir)
{
	struct flock fl = { .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = SHM_DMS,
			    .l_len = 1 };
	char path[PATH_MAX + 16], buf[4096] __attribute__((aligned(8)));
	const char *env = getenv("CNM_STORE_LINGER");
	int lock = -1, shm = -1, in = -1, rc = 0;
	long linger = LINGER_DEFAULT_S;
	char *end;

	if (env && *env) {
		linger = strtol(env, &end, 10);
		if (*end || linger <= 0 || linger > 86400)
			linger = LINGER_DEFAULT_S;
	}
	snprintf(path, sizeof(path), "%s/hold.lock", state_dir);
	lock = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (lock < 0) {
		rc = -errno;
		goto out;
	}
	if (flock(lock, LOCK_EX | LOCK_NB))
		goto out;	/* another holder */
	/* watched before the lock is taken: a replacement in between is seen */
	in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (in < 0 || inotify_add_watch(in, state_dir, IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO |
					IN_CREATE | IN_DELETE_SELF | IN_MOVE_SELF) < 0) {
		rc = -errno;
		goto out;
	}
	shm = index_open(state_dir, O_RDWR);
	if (shm < 0) {
		rc = -errno;
		goto out;
	}
	/* waits while a first connection truncates the index, then shares it */
	while (fcntl(shm, F_SETLKW, &fl) < 0) {
		if (errno != EINTR) {
			rc = -errno;
			goto out;
		}
	}
	/* all it does from here is wait and stat the log: no capability at all */
	{
		struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
		struct __user_cap_data_struct none[2] = { { 0 } };

		for (int c = 0; c <= 63; c++)
			prctl(PR_CAPBSET_DROP, c, 0, 0, 0);
		syscall(SYS_capset, &h, none);
		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	}
	for (;;) {
		struct pollfd p = { .fd = in, .events = POLLIN };
		time_t idle = log_idle(state_dir);
		int n;

		if (idle < 0)	/* a clock set back */
			idle = 0;

		if (idle >= linger)
			break;
		n = poll(&p, 1, (int)(linger - idle) * 1000);
		if (n < 0 && errno != EINTR)
			break;
		if (n > 0) {
			ssize_t len = read(in, buf, sizeof(buf));

			if (len > 0 && store_replaced(buf, len))
				break;
		}
	}
out:
	if (shm >= 0)
		close(shm);
	if (in >= 0)
		close(in);
	if (lock >= 0)
		close(lock);
	return rc;
}
