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

/* Docker's units.HumanDuration. */
void cli_human_duration(long long s, char *out, size_t len)
{
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
	else if ((s + 1800) / 3600 == 1)
		snprintf(out, len, "About an hour");
	else if (s < 48 * 3600)
		snprintf(out, len, "%lld hours", (s + 1800) / 3600);
	else if (s < 7 * 24 * 3600 * 2)
		snprintf(out, len, "%lld days", s / 86400);
	else if (s < 30 * 24 * 3600 * 3)
		snprintf(out, len, "%lld weeks", s / (7 * 86400));
	else if (s < 365 * 24 * 3600 * 2)
		snprintf(out, len, "%lld months", s / (30 * 86400));
	else
		snprintf(out, len, "%lld years", s / (365 * 86400));
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
