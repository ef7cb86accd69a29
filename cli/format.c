// SPDX-License-Identifier: MIT
/*
 * format.c - `--format` for ps, network ls, inspect and network inspect.
 *
 * DOC: Theory of operation
 * Docker's three forms: `json` (and `{{json .}}`), one compact object per
 * line; a Go template (cli/gotmpl.h), run over each object, its text and a
 * newline printed; and, for the list verbs, `table TEMPLATE`: the template
 * run over a header object (each key's column title) and then each row, the
 * cells cut at tabs and aligned as Docker's tabwriter aligns them.  The
 * template is parsed before anything is read, so a wrong one changes and
 * prints nothing but its error.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "gotmpl.h"

/**
 * cli_fmt_init() - parse a --format argument.
 * @f: filled; cli_fmt_done() frees it
 * @arg: the argument
 * @headers: for list verbs, pairs of row key and column title, NULL-ended;
 *	     NULL where `table` does not apply (inspect)
 *
 * Return: 0, or EXIT_USAGE with the reason on stderr.
 */
int cli_fmt_init(struct cli_fmt *f, const char *arg, const char *const *headers)
{
	struct cnm_err err = { 0 };
	int rc;

	memset(f, 0, sizeof(*f));
	f->headers = headers;
	if (!*arg)	/* Docker: an empty format is no format */
		return 0;
	if (!strcmp(arg, "json") || !strcmp(arg, "{{json .}}")) {
		f->json = true;
		return 0;
	}
	if (!strncmp(arg, "table", 5) && (!arg[5] || arg[5] == ' ' || arg[5] == '\t')) {
		if (!headers) {
			fprintf(stderr, "cnm: --format table is for ps and network ls\n");
			return EXIT_USAGE;
		}
		f->table = true;
		arg += 5 + strspn(arg + 5, " \t");
		if (!*arg)	/* `table` alone: the usual output */
			return 0;
	}
	if (headers) {
		/* Docker's list verbs: surrounding spaces go, a typed \t or \n is one */
		char *fixed = strdup(arg + strspn(arg, " ")), *o = fixed;

		if (!fixed) {
			fprintf(stderr, "cnm: out of memory\n");
			return EXIT_USAGE;
		}
		for (const char *p = fixed; *p; p++) {
			if (p[0] == '\\' && (p[1] == 't' || p[1] == 'n')) {
				*o++ = p[1] == 't' ? '\t' : '\n';
				p++;
			} else {
				*o++ = *p;
			}
		}
		while (o > fixed && o[-1] == ' ')
			o--;
		*o = '\0';
		rc = gotmpl_parse(fixed, &f->t, &err);
		free(fixed);
	} else {
		rc = gotmpl_parse(arg, &f->t, &err);
	}
	if (rc) {
		fprintf(stderr, "cnm: invalid --format: %s\n", err.msg);
		return EXIT_USAGE;
	}
	return 0;
}

/** cli_fmt_custom() - true when rows go through cli_fmt_row(), not the verb's own table. */
bool cli_fmt_custom(const struct cli_fmt *f)
{
	return f->json || f->t;
}

static int add_line(struct cli_fmt *f, char *line)
{
	char **nl = realloc(f->lines, (f->nlines + 1) * sizeof(*nl));

	if (!nl) {
		free(line);
		return -1;
	}
	f->lines = nl;
	f->lines[f->nlines++] = line;
	return 0;
}

/*
 * The header row of a table: the template over an object that maps each
 * key to its title (Docker's column names), rendered once, first.
 */
static void header(struct cli_fmt *f)
{
	struct cnm_err err = { 0 };
	json_t *h = json_object();
	char *out;

	f->header_done = true;
	for (size_t i = 0; h && f->headers[i]; i += 2)
		json_object_set_new(h, f->headers[i], json_string(f->headers[i + 1]));
	if (h && !gotmpl_exec(f->t, h, &out, &err))
		add_line(f, out);
	json_decref(h);
}

/**
 * cli_fmt_row() - print (or, for a table, keep) one object in the format.
 * @f: from cli_fmt_init(), with cli_fmt_custom() true
 * @obj: the object, Docker's keys
 * @what: names the object in an error
 *
 * Return: 0, or 1 after printing why the template cannot run over @obj.
 */
int cli_fmt_row(struct cli_fmt *f, json_t *obj, const char *what)
{
	struct cnm_err err = { 0 };
	char *out;

	if (f->json) {
		/* a list's rows are maps in Docker (sorted keys), inspect's objects structs */
		json_dumpf(obj, stdout, JSON_COMPACT | (f->headers ? JSON_SORT_KEYS : 0));
		putchar('\n');
		return 0;
	}
	if (f->table && !f->header_done)
		header(f);
	if (gotmpl_exec(f->t, obj, &out, &err)) {
		fprintf(stderr, "cnm: %s: %s\n", what, err.msg);
		return 1;
	}
	if (f->table)
		return add_line(f, out) ? 1 : 0;
	printf("%s\n", out);
	free(out);
	return 0;
}

/** cli_fmt_done() - print a table's rows, aligned, and free @f. */
void cli_fmt_done(struct cli_fmt *f)
{
	size_t ncols = 1;

	if (f->table && f->t && !f->header_done)
		header(f);	/* no rows: Docker still prints the titles */
	for (size_t i = 0; i < f->nlines; i++) {
		size_t n = 1;

		for (const char *p = f->lines[i]; *p; p++)
			n += *p == '\t';
		if (n > ncols)
			ncols = n;
	}
	if (f->nlines) {
		struct cli_table *t = cli_table_new(ncols);
		const char **cells = calloc(ncols, sizeof(*cells));

		for (size_t i = 0; t && cells && i < f->nlines; i++) {
			char *p = f->lines[i];

			for (size_t c = 0; c < ncols; c++) {
				cells[c] = p ? p : "";
				p = p ? strchr(p, '\t') : NULL;
				if (p)
					*p++ = '\0';
			}
			cli_table_add(t, cells);
		}
		free(cells);
		if (t)
			cli_table_print(t);
	}
	for (size_t i = 0; i < f->nlines; i++)
		free(f->lines[i]);
	free(f->lines);
	gotmpl_free(f->t);
	memset(f, 0, sizeof(*f));
}
