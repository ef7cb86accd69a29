// SPDX-License-Identifier: MIT
/*
 * envfile.c - `cnm run --env-file FILE`, read as Docker reads it.
 *
 * DOC: Theory of operation
 * A file of lines: blank lines and lines whose first non-space character
 * is '#' are skipped; every other line is KEY=VALUE (the value kept as
 * written: no quotes removed, no variables expanded, trailing spaces and
 * a CR included, as Docker does) or KEY alone, which stands for KEY's
 * value in cnm's own environment and for nothing when KEY is unset (the
 * library resolves that, as it does for `-e KEY`).  Leading spaces and
 * tabs before KEY go; a KEY with a space or tab in it, an empty KEY and
 * bytes that are not UTF-8 are errors, with Docker's words.  The entries
 * point into the caller's buffer, which they cut into lines: nothing is
 * allocated per entry.  Entries of all files come before the -e ones, so
 * that -e wins, as in Docker.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

#define ENV_FILE_MAX (4u << 20)

/* Is [@s, @s+@n) UTF-8 (no overlong forms, no surrogates, <= U+10FFFF)? */
static bool utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t len;
		unsigned int cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (n - i < len)
			return false;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
			return false;
		i += len;
	}
	return true;
}

/**
 * cli_env_file_parse() - the entries of an env file's text (see above).
 * @name: the file's name, for messages
 * @text: its contents, NUL-terminated; cut into lines in place
 * @env: array the entries are appended to (realloc()ed), @n_env of them
 * @why: the error, @len bytes
 *
 * Return: 0, or -EINVAL (@why says why) or -ENOMEM, having appended nothing.
 */
int cli_env_file_parse(const char *name, char *text, const char ***env, size_t *n_env, char *why,
		       size_t len)
{
	char *line = text, *next;
	unsigned int lineno = 0;
	size_t n0 = *n_env;
	int rc = 0;

	/* a byte-order mark before the first line is no part of it */
	if (!strncmp(line, "\xef\xbb\xbf", 3))
		line += 3;
	for (; line && *line; line = next) {
		char *key;
		size_t klen;

		lineno++;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!utf8_valid((const unsigned char *)line, strlen(line))) {
			snprintf(why, len, "env file %s contains invalid utf8 bytes at line %u", name,
				 lineno);
			rc = -EINVAL;
			break;
		}
		/* Docker trims Unicode spaces here; the ASCII ones are what occur */
		key = line + strspn(line, " \t\n\v\f\r");
		if (!*key || *key == '#')
			continue;
		klen = strcspn(key, "=");
		if (!klen) {
			snprintf(why, len, "poorly formatted environment: no variable name on line"
				 " '%s'", key);
			rc = -EINVAL;
			break;
		}
		if (strcspn(key, " \t") < klen) {
			snprintf(why, len, "poorly formatted environment: variable '%.*s' contains"
				 " whitespaces", (int)klen, key);
			rc = -EINVAL;
			break;
		}
		if (!cli_strv_push(env, n_env, key)) {
			rc = -ENOMEM;
			break;
		}
	}
	if (rc)
		*n_env = n0; /* a refusal appends nothing */
	return rc;
}

/**
 * cli_env_file_read() - read env file @path and append its entries.
 * @path: the file
 * @buf: set to the buffer the entries point into: the caller frees it
 * @env: as for cli_env_file_parse(), @n_env
 *
 * Prints the error (naming @path) itself.
 * Return: 0, or -1 when nothing was appended.
 */
int cli_env_file_read(const char *path, char **buf, const char ***env, size_t *n_env)
{
	char why[512];
	size_t have = 0;
	ssize_t got;
	int fd, rc = -1;

	*buf = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "cnm: open %s: %s\n", path, strerror(errno));
		return -1;
	}
	/* grown as it fills: a file, or a pipe (--env-file <(...)) */
	for (size_t cap = 0;;) {
		if (cap - have < 2) {
			char *nb;

			if (cap >= ENV_FILE_MAX) {
				fprintf(stderr, "cnm: env file %s is larger than %u MiB\n", path,
					ENV_FILE_MAX >> 20);
				goto out;
			}
			cap = cap ? 2 * cap : 4096;
			nb = realloc(*buf, cap);
			if (!nb) {
				fprintf(stderr, "cnm: out of memory\n");
				goto out;
			}
			*buf = nb;
		}
		got = read(fd, *buf + have, cap - have - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			fprintf(stderr, "cnm: read %s: %s\n", path, strerror(errno));
			goto out;
		}
		if (!got)
			break;
		have += (size_t)got;
	}
	(*buf)[have] = '\0';
	if (memchr(*buf, '\0', have)) {
		fprintf(stderr, "cnm: env file %s contains a NUL byte\n", path);
		goto out;
	}
	rc = cli_env_file_parse(path, *buf, env, n_env, why, sizeof(why));
	if (rc == -ENOMEM)
		fprintf(stderr, "cnm: out of memory\n");
	else if (rc)
		fprintf(stderr, "cnm: %s\n", why);
out:
	close(fd);
	if (rc) {
		free(*buf);
		*buf = NULL;
	}
	return rc ? -1 : 0;
}
