// SPDX-License-Identifier: MIT
/*
 * delegate.c - running another IPAM plugin, as the spec says: found in
 * CNI_PATH, given our environment with CNI_COMMAND set, the network
 * configuration on stdin, its result or error read from stdout.
 *
 * DOC: Theory of operation
 * Only a configuration whose ipam.type is not cnm's own gets here (e.g.
 * host-local or dhcp), so cnm's own path never forks.  The child's stdin
 * is a pipe fed the whole configuration before it is read back; a
 * configuration larger than the pipe is written while its output is read,
 * through poll(), so neither side can block the other.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cni.h"

extern char **environ;

/* The plugin's path: the first CNI_PATH directory holding an executable @type. */
static int find_plugin(const char *cni_path, const char *type, char *out, size_t len)
{
	const char *p = cni_path;

	if (!type || !*type || strchr(type, '/'))
		return -EINVAL;
	while (p && *p) {
		size_t n = strcspn(p, ":");

		snprintf(out, len, "%.*s/%s", (int)n, p, type);
		if (n && access(out, X_OK) == 0)
			return 0;
		p += n + (p[n] == ':');
	}
	return -ENOENT;
}

static char **child_env(const char *command)
{
	size_t n = 0, k = 0;
	char **env;

	while (environ[n])
		n++;
	env = calloc(n + 2, sizeof(*env));
	if (!env)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "CNI_COMMAND=", 12))
			env[k++] = environ[i];
	if (asprintf(&env[k], "CNI_COMMAND=%s", command) < 0) {
		free(env);
		return NULL;
	}
	return env;
}

/* Feed @in to @wfd and collect everything from @rfd. */
static int pump(int wfd, const char *in, size_t in_len, int rfd, char **out, size_t *out_len)
{
	size_t off = 0, cap = 4096, len = 0;
	char *buf = malloc(cap);
	struct pollfd p[2];

	if (!buf)
		return -ENOMEM;
	if (in_len == 0) {
		close(wfd);
		wfd = -1;
	}
	for (;;) {
		int n = 0;

		p[0] = (struct pollfd){ .fd = rfd, .events = POLLIN };
		p[1] = (struct pollfd){ .fd = wfd, .events = POLLOUT };
		if (poll(p, wfd >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (wfd >= 0 && (p[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
			ssize_t w = write(wfd, in + off, in_len - off);

			if (w > 0)
				off += (size_t)w;
			if (w < 0 || off == in_len) {
				close(wfd);
				wfd = -1;
			}
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t r;

			if (len + 1 >= cap) {
				char *nb = realloc(buf, cap *= 2);

				if (!nb)
					break;
				buf = nb;
			}
			r = read(rfd, buf + len, cap - len - 1);
			if (r <= 0)
				break;
			len += (size_t)r;
			n = 1;
		}
		(void)n;
	}
	if (wfd >= 0)
		close(wfd);
	buf[len] = '\0';
	*out = buf;
	*out_len = len;
	return 0;
}

/**
 * cni_delegate() - run the IPAM plugin named by the configuration.
 * @r: the request (CNI_PATH, the IPAM type)
 * @command: ADD, DEL, CHECK, STATUS or GC
 * @stdin_json: the configuration to hand it
 * @result: its result (ADD), or NULL when not wanted
 * @e: filled with the plugin's own error, or why it could not run
 *
 * Return: 0 or -1.
 */
int cni_delegate(const struct cni_req *r, const char *command, const char *stdin_json,
		 json_t **result, struct cni_error *e)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, status = 0, rc = -1;
	char path[4096], *buf = NULL, **env = NULL;
	size_t len = 0;
	json_t *j = NULL;
	pid_t pid;

	if (find_plugin(r->path, r->ipam_type, path, sizeof(path)))
		return cni_err(e, CNI_ERR_CONFIG, "IPAM plugin \"%s\" not found in CNI_PATH (%s)",
			       r->ipam_type ? r->ipam_type : "", r->path ? r->path : "");
	env = child_env(command);
	if (!env || pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC)) {
		cni_err(e, CNI_ERR_INTERNAL, "cannot run IPAM plugin %s: %s", path, strerror(errno));
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		cni_err(e, CNI_ERR_AGAIN, "cannot run IPAM plugin %s: %s", path, strerror(errno));
		goto out;
	}
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		execve(path, (char *[]){ path, NULL }, env);
		_exit(127);
	}
	close(in[0]), in[0] = -1;
	close(out[1]), out[1] = -1;
	pump(in[1], stdin_json, strlen(stdin_json), out[0], &buf, &len);
	in[1] = -1; /* pump() closed it */
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	j = len ? json_loadb(buf, len, 0, NULL) : NULL;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		const char *m = json_string_value(json_object_get(j, "msg"));
		json_int_t code = json_integer_value(json_object_get(j, "code"));

		cni_err(e, code > 0 ? (int)code : CNI_ERR_INTERNAL, "IPAM plugin %s %s failed: %s",
			r->ipam_type, command, m ? m : (len ? buf : "no output"));
		goto out;
	}
	if (result) {
		if (!j) {
			cni_err(e, CNI_ERR_DECODE, "IPAM plugin %s %s printed no valid JSON result",
				r->ipam_type, command);
			goto out;
		}
		*result = j;
		j = NULL;
	}
	rc = 0;
out:
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (out[i] >= 0)
			close(out[i]);
	}
	if (env) {
		for (size_t i = 0; env[i]; i++)
			if (!strncmp(env[i], "CNI_COMMAND=", 12))
				free(env[i]);
		free(env);
	}
	json_decref(j);
	free(buf);
	return rc;
}
