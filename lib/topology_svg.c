// SPDX-License-Identifier: MIT
/*
 * topology_svg.c - the Graphviz source laid out and drawn by Graphviz's own
 * `dot`, never by hand.
 *
 * DOC: Theory of operation
 * The cnm binary is one static program (docs/decisions.md, "One static
 * binary"), and Graphviz's library cannot be loaded into one: its text
 * plugin (pango, through glib) starts a thread, which a libc opened by
 * dlopen() in a static program cannot do (it crashed in pthread_create()).
 * So `--format svg` runs Graphviz's command, `dot -Tsvg`, found in PATH (the
 * graphviz package): the one tool of another project that cnm runs (a
 * container's own command aside); no network verb runs one.  Its input and
 * output are memory files, not pipes: dot reads the whole graph before it
 * writes, and nothing can deadlock on a full pipe whatever the graph's size.
 */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "topology.h"
#include "util.h"

extern char **environ;

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* dot's answer, from the start of @fd to @out */
static int copy_out(int fd, FILE *out)
{
	char buf[16384];
	ssize_t n;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || fwrite(buf, 1, (size_t)n, out) != (size_t)n)
			return -1;
	}
	return 0;
}

/**
 * cnm_topo_svg() - lay out and render Graphviz source @dot as SVG into @out.
 * Return: 0 or a negative errno.
 */
int cnm_topo_svg(const char *dot, size_t len, FILE *out, struct cnm_err *err)
{
	char *argv[] = { "dot", "-Tsvg", NULL };
	posix_spawn_file_actions_t fa;
	int in = -1, res = -1, status = 0, rc = 0;
	bool fa_made = false;
	pid_t pid;

	in = memfd_create("cnm-topology.dot", MFD_CLOEXEC);
	res = memfd_create("cnm-topology.svg", MFD_CLOEXEC);
	if (in < 0 || res < 0 || write_all(in, dot, len) < 0 || lseek(in, 0, SEEK_SET) < 0) {
		rc = cnm_errf(err, errno, "cannot hold the topology for Graphviz: %s",
			      strerror(errno));
		goto out;
	}
	/* dup2() onto 0 and 1 clears close-on-exec there only */
	rc = -posix_spawn_file_actions_init(&fa);
	fa_made = !rc;
	if (!rc)
		rc = -posix_spawn_file_actions_adddup2(&fa, in, STDIN_FILENO);
	if (!rc)
		rc = -posix_spawn_file_actions_adddup2(&fa, res, STDOUT_FILENO);
	if (!rc)
		rc = -posix_spawnp(&pid, "dot", &fa, NULL, argv, environ);
	if (rc) {
		rc = cnm_errf(err, -rc, "cannot run Graphviz's dot (install the graphviz package):"
			      " %s", strerror(-rc));
		goto out;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			rc = cnm_errf(err, errno, "waiting for Graphviz's dot: %s", strerror(errno));
			goto out;
		}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		/* dot said why on our stderr */
		rc = cnm_errf(err, EIO, "Graphviz's dot could not render the topology (%s %d)",
			      WIFEXITED(status) ? "exit status" : "signal",
			      WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		goto out;
	}
	if (copy_out(res, out) < 0)
		rc = cnm_errf(err, EIO, "cannot write the SVG: %s", strerror(errno));
out:
	if (fa_made)
		posix_spawn_file_actions_destroy(&fa);
	if (in >= 0)
		close(in);
	if (res >= 0)
		close(res);
	return rc;
}
