// SPDX-License-Identifier: MIT
/*
 * store.c - the resolver's window on the state store: the names as the
 * last dump gave them, dumped again whenever the store changed.
 *
 * DOC: Theory of operation
 * cnm-dns links no SQLite.  When the names may have changed it runs
 * `cnm _dns-dump STATE_DIR` (the cnm binary next to its own), reads its
 * lines from a pipe and makes a snapshot of them (view.c).  The short
 * process carries the database engine, its page cache and the schema; the
 * resolver keeps only the names.
 *
 * "May have changed" is inotify on the state directory: a commit writes
 * cnm.db-wal (a checkpoint cnm.db, a first use creates them), and the
 * kernel queues the event inside that write(), so it is queued before the
 * command that committed returns.  The caller asks dns_snap_get() once
 * per batch of queries, after receiving them: one non-blocking read() of
 * the inotify fd when nothing changed (it costs the commands nothing), a
 * dump when something did.  So, as when each query read the store, a name
 * resolves the moment `run`/`connect` returns and stops the moment
 * `rm`/`stop`/`disconnect` returns.
 *
 * The event comes with the log's write, a moment before the commit is
 * visible to readers (SQLite then updates the WAL index in shared memory,
 * which inotify does not see).  Commits are made holding the writers'
 * flock() ($STATE_DIR/lock, lib/store.c), so before a dump the resolver
 * takes that lock shared and lets it go at once: every writer whose write
 * it saw has then finished committing.  The dump itself writes nothing we
 * watch (a read-only connection, lib/dns_dump.c): no refresh loop.  Other
 * events (cnm.db-shm, the lock file, files of other names) are skipped.
 *
 * A dump that fails (no cnm binary, a damaged store, text that is not a
 * whole dump) leaves the last snapshot in place, is said once in the log,
 * and is tried again a second later or at the next rescan.  Without
 * inotify (no instance left for root) every check dumps: slow, still right.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <unistd.h>
#include "store.h"

extern char **environ;

#define DUMP_TIMEOUT_MS 5000
#define DUMP_MAX (64u << 20)		/* ~250,000 endpoints */
#define RETRY_S 1
#define BARRIER_MAX_US 2000000		/* a writer holding its lock longer is stuck */

static const char *const watched[] = { "cnm.db", "cnm.db-wal" };

/**
 * dns_store_open() - watch @state_dir for changes; the first check dumps.
 * @s: filled
 * @state_dir: $CNM_STATE_DIR (kept, not copied)
 * @cnm: the cnm binary to dump with
 *
 * Return: 0 (without inotify the store still works, by dumping each time).
 */
int dns_store_open(struct dns_store *s, const char *state_dir, const char *cnm)
{
	char path[PATH_MAX + 16];

	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	s->state_dir = state_dir;
	snprintf(s->cnm, sizeof(s->cnm), "%s", cnm);
	s->held_fd = -1;
	s->dirty = true;
	s->ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (s->ino >= 0 &&
	    inotify_add_watch(s->ino, state_dir, IN_MODIFY | IN_CREATE | IN_DELETE | IN_MOVED_FROM |
			      IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR) < 0) {
		close(s->ino);
		s->ino = -1;
	}
	if (s->ino < 0)
		fprintf(stderr, "cnm-dns: cannot watch %s (%s): reading the store for every"
			" batch of queries\n", state_dir, strerror(errno));
	snprintf(path, sizeof(path), "%s/lock", state_dir);
	s->lock_fd = open(path, O_RDONLY | O_CLOEXEC);
	return 0;
}

/** dns_store_close() - stop watching and drop the snapshot. */
void dns_store_close(struct dns_store *s)
{
	if (s->ino >= 0)
		close(s->ino);
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	dns_store_release_writers(s);
	dns_snap_put(s->snap);
	pthread_mutex_destroy(&s->lock);
	memset(s, 0, sizeof(*s));
	s->ino = s->lock_fd = s->held_fd = -1;
}

/* Read what inotify queued; a change to the store makes @s dirty.  Under s->lock. */
static void drain(struct dns_store *s)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;

	if (s->ino < 0 || s->blind) {
		s->dirty = true;	/* nothing tells us: every check reads */
		return;
	}
	while ((n = read(s->ino, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;

			/* events were lost, or the directory itself went */
			if (ev->mask & (IN_Q_OVERFLOW | IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF))
				s->dirty = true;
			if (ev->mask & IN_IGNORED)
				s->blind = true;
			for (size_t i = 0; ev->len && i < sizeof(watched) / sizeof(watched[0]); i++)
				if (!strcmp(ev->name, watched[i]))
					s->dirty = true;
			p += sizeof(*ev) + ev->len;
		}
	}
}

/*
 * Wait until no writer holds the store's lock (see the top): take it
 * shared, let it go.  Skipped when the resolver holds it itself.
 */
static void writers_barrier(struct dns_store *s)
{
	long waited = 0, step = 50;

	while (s->lock_fd >= 0 && !atomic_load(&s->held)) {
		if (flock(s->lock_fd, LOCK_SH | LOCK_NB) == 0) {
			flock(s->lock_fd, LOCK_UN);
			return;
		}
		if ((errno != EWOULDBLOCK && errno != EINTR) || waited > BARRIER_MAX_US)
			return;
		usleep((useconds_t)step);
		waited += step;
		step = step < 5000 ? step * 2 : step;
	}
}

/* Read all of @fd into *@text (NUL-terminated); 0, or a negative errno. */
static int read_all(int fd, char **text, size_t *len)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	size_t cap = 16384, got = 0;
	char *buf = malloc(cap), *nb;
	ssize_t n;

	while (buf) {
		if (got + 1 == cap) {
			if (cap >= DUMP_MAX) {
				free(buf);
				return -EFBIG;
			}
			nb = realloc(buf, cap * 2);
			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		n = poll(&pfd, 1, DUMP_TIMEOUT_MS);
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0) {
			free(buf);
			return -ETIMEDOUT;
		}
		n = read(fd, buf + got, cap - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buf);
			return -errno;
		}
		if (n == 0) {
			buf[got] = '\0';
			*text = buf;
			*len = got;
			return 0;
		}
		got += (size_t)n;
	}
	free(buf);
	return -ENOMEM;
}

/* Run the dump; its snapshot into *@out.  0, or a negative errno with @why said. */
static int dump(struct dns_store *s, struct dns_snap **out, char *why, size_t wlen)
{
	char *argv[] = { "cnm", "_dns-dump", (char *)s->state_dir, NULL }, *text = NULL;
	posix_spawn_file_actions_t fa;
	int p[2], rc, status = 0;
	size_t len = 0;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0) {
		snprintf(why, wlen, "pipe: %s", strerror(errno));
		return -errno;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	rc = -posix_spawn(&pid, s->cnm, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	if (rc) {
		close(p[0]);
		snprintf(why, wlen, "cannot run %s: %s", s->cnm, strerror(-rc));
		return rc;
	}
	rc = read_all(p[0], &text, &len);
	close(p[0]);
	if (rc)
		kill(pid, SIGKILL);	/* stuck, or far too much: it is no dump */
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (rc)
		snprintf(why, wlen, "%s _dns-dump: %s", s->cnm, strerror(-rc));
	else if (!WIFEXITED(status) || WEXITSTATUS(status))
		rc = -EIO;	/* it said why on our stderr, the log */
	else if ((rc = dns_snap_parse(text, len, out)))
		snprintf(why, wlen, "%s _dns-dump wrote %s", s->cnm,
			 rc == -EINVAL ? "something that is not a whole dump" : "more than memory allows");
	if (rc == -EIO)
		snprintf(why, wlen, "%s _dns-dump failed (see above)", s->cnm);
	free(text);
	/* the text and the parse's spare room are not needed until the next change */
	malloc_trim(0);
	return rc;
}

/* Dump again; on failure keep the old snapshot, and say so once.  Under s->lock. */
static int refresh(struct dns_store *s)
{
	struct dns_snap *snap = NULL;
	char why[PATH_MAX + 128] = "";
	struct timespec now;
	int rc;

	writers_barrier(s);
	/* events from here on may be of a commit the dump does not see: keep them */
	s->dirty = false;
	rc = dump(s, &snap, why, sizeof(why));
	if (!rc) {
		dns_snap_put(s->snap);
		s->snap = snap;
		if (s->failing)
			fprintf(stderr, "cnm-dns: the names are read again\n");
		s->failing = false;
		return 0;
	}
	s->dirty = true;
	clock_gettime(CLOCK_MONOTONIC, &now);
	s->retry_at = (struct timespec){ now.tv_sec + RETRY_S, now.tv_nsec };
	if (!s->failing)
		fprintf(stderr, "cnm-dns: cannot read the names from %s/cnm.db: %s; answering"
			" from the last names read\n", s->state_dir, why);
	s->failing = true;
	return rc;
}

static bool may_retry(const struct dns_store *s)
{
	struct timespec now;

	if (!s->failing)
		return true;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > s->retry_at.tv_sec ||
	       (now.tv_sec == s->retry_at.tv_sec && now.tv_nsec >= s->retry_at.tv_nsec);
}

/**
 * dns_snap_get() - the names as the store has them now.
 * @s: the store
 *
 * Costs one read() of the inotify fd when nothing changed since the last
 * call, and a dump when something did.  Safe from any thread.
 *
 * Return: a snapshot to release with dns_snap_put(), or NULL when the
 * store was never read (no answer can be given from nothing).
 */
struct dns_snap *dns_snap_get(struct dns_store *s)
{
	struct dns_snap *snap = NULL;

	pthread_mutex_lock(&s->lock);
	drain(s);
	if (s->dirty && may_retry(s))
		refresh(s);
	if (s->snap)
		snap = dns_snap_ref(s->snap);
	pthread_mutex_unlock(&s->lock);
	return snap;
}

/**
 * dns_store_nets() - the networks to listen on, with their gateways, fresh.
 * @s: the store
 * @out: malloc'ed array
 * @n: its length
 *
 * Return: 0, or -EIO when the store could not be read now.
 */
int dns_store_nets(struct dns_store *s, struct dns_net **out, size_t *n)
{
	const struct dns_net *nets;
	int rc = 0;

	pthread_mutex_lock(&s->lock);
	drain(s);
	/* a rescan is asked after a commit: try now, even soon after a failure */
	if (s->dirty && refresh(s))
		rc = -EIO;
	if (!rc) {
		nets = dns_snap_nets(s->snap, n);
		*out = malloc(*n ? *n * sizeof(**out) : 1);
		if (*out)
			memcpy(*out, nets, *n * sizeof(**out));
		else
			rc = -ENOMEM;
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/**
 * dns_store_hold_writers() - take the store's writers' lock exclusively
 * (no command commits until dns_store_release_writers() or our exit), if
 * it is free: a command may hold it shared while it waits for our answer.
 *
 * Return: 0, -EWOULDBLOCK when it is not free, or a negative errno.
 */
int dns_store_hold_writers(struct dns_store *s)
{
	char path[PATH_MAX + 16];
	int fd;

	snprintf(path, sizeof(path), "%s/lock", s->state_dir);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	s->held_fd = fd;
	atomic_store(&s->held, true);
	return 0;
}

/** dns_store_release_writers() - let commands commit again. */
void dns_store_release_writers(struct dns_store *s)
{
	if (s->held_fd < 0)
		return;
	atomic_store(&s->held, false);
	close(s->held_fd);
	s->held_fd = -1;
}
