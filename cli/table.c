// SPDX-License-Identifier: MIT
/*
 * table.c - column output and time phrases the way the docker CLI prints them.
 */
#define _XOPEN_SOURCE 700 /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c): a feature-test macro */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli.h"
#include "gotmpl.h"

struct cli_table {
	size_t ncols, nrows;
	char **cells;
};

struct cli_table *cli_table_new(size_t ncols)
{
	struct cli_table *t = calloc(1, sizeof(*t));

	if (t)
		t->ncols = ncols;
	return t;
}

void cli_table_add(struct cli_table *t, const char *const *cells)
{
	char **nc = realloc(t->cells, (t->nrows + 1) * t->ncols * sizeof(char *));

	if (!nc)
		return;
	t->cells = nc;
	for (size_t c = 0; c < t->ncols; c++)
		t->cells[t->nrows * t->ncols + c] = strdup(cells[c] ? cells[c] : "");
	t->nrows++;
}

/* Print and free: every column but the last padded to its widest cell + 3. */
void cli_table_print(struct cli_table *t)
{
	size_t *w = calloc(t->ncols, sizeof(size_t));

	for (size_t r = 0; w && r < t->nrows; r++)
		for (size_t c = 0; c < t->ncols; c++) {
			size_t l = strlen(t->cells[r * t->ncols + c]);

			if (l > w[c])
				w[c] = l;
		}
	for (size_t r = 0; w && r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			const char *s = t->cells[r * t->ncols + c];

			/* Docker's tabwriter: minimum width 10, padding 3 */
			if (c + 1 < t->ncols)
				printf("%-*s", (int)(w[c] + 3 < 10 ? 10 : w[c] + 3), s);
			else
				printf("%s", s);
		}
		putchar('\n');
	}
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
	free(w);
}

/*
 * Docker's units.HumanDuration (go-units), thresholds and rounding as there:
 * from an hour on it counts hours rounded to the nearest, and days, weeks
 * and months are whole parts of those; years are of the unrounded hours.
 */
void cli_human_duration(long long s, char *out, size_t len)
{
	long long h = (s + 1800) / 3600;

	if (s < 1)
		snprintf(out, len, "Less than a second");
	else if (s == 1)
		snprintf(out, len, "1 second");
	else if (s < 60)
		snprintf(out, len, "%lld seconds", s);
	else if (s / 60 == 1)
		snprintf(out, len, "About a minute");
	else if (s < 3600)
		snprintf(out, len, "%lld minutes", s / 60);
	else if (h == 1)
		snprintf(out, len, "About an hour");
	else if (h < 48)
		snprintf(out, len, "%lld hours", h);
	else if (h < 24 * 7 * 2)
		snprintf(out, len, "%lld days", h / 24);
	else if (h < 24 * 30 * 2)
		snprintf(out, len, "%lld weeks", h / 24 / 7);
	else if (h < 24 * 365 * 2)
		snprintf(out, len, "%lld months", h / 24 / 30);
	else
		snprintf(out, len, "%lld years", s / 3600 / 24 / 365);
}

/**
 * cli_ps_command() - ps's COMMAND cell, as the docker CLI makes it.
 * @cmd: the command line as Docker's API lists it (cnm_container_list())
 * @trunc: cut to 20 characters (without --no-trunc)
 *
 * Docker's formatter.Ellipsis, 19 characters and "…" when longer than 20
 * (counted in code points; Docker counts display columns, the same for
 * anything but wide characters), then Go's strconv.Quote.
 *
 * Return: a malloc'ed string, or NULL without memory.
 */
char *cli_ps_command(const char *cmd, bool trunc)
{
	size_t at, n = 0, cut = 0;
	char *cell = NULL, *shown = NULL;
	size_t len;
	FILE *f;

	for (at = 0; cmd[at]; at++)
		if (((unsigned char)cmd[at] & 0xc0) != 0x80 && ++n == 20)
			cut = at;	/* where the 20th code point starts */
	if (trunc && n > 20 && asprintf(&shown, "%.*s…", (int)cut, cmd) < 0)
		return NULL;
	f = open_memstream(&cell, &len);
	if (f) {
		gotmpl_quote(f, shown ? shown : cmd);
		fclose(f);
	}
	free(shown);
	return cell;
}

static time_t parse_rfc3339(const char *s)
{
	struct tm tm = { 0 };

	if (!s || !*s || !strptime(s, "%Y-%m-%dT%H:%M:%S", &tm))
		return 0;
	return timegm(&tm);
}

long long cli_seconds_since(const char *rfc3339)
{
	time_t t = parse_rfc3339(rfc3339);

	return t ? (long long)(time(NULL) - t) : 0;
}

/* "2026-11-29T21:20:03.207272716Z" -> "2026-11-29 21:20:03[.207272716] +0000 UTC" */
void cli_docker_time(const char *rfc3339, bool nanos, char *out, size_t len)
{
	const char *dot = strchr(rfc3339, '.');
	size_t base = dot ? (size_t)(dot - rfc3339) : strlen(rfc3339);
	size_t frac = dot && nanos ? strcspn(dot, "Z") : 0;

	snprintf(out, len, "%.10s %.*s%.*s +0000 UTC", rfc3339, (int)(base > 11 ? base - 11 : 0),
		 rfc3339 + 11, (int)frac, dot ? dot : "");
}
