/* SPDX-License-Identifier: MIT */
/*
 * gotmpl.h - the part of Go's text/template that `docker ... --format` uses.
 *
 * DOC: Theory of operation
 * Docker users' scripts read objects with `--format '{{...}}'`: a Go
 * template run over the object.  cnm's objects are already Docker's JSON, so
 * a template here runs over a jansson value, as Docker's own inspect falls
 * back to doing over the decoded JSON.  gotmpl_parse.c turns the text into a
 * tree once; gotmpl_exec.c walks it for each object.  What is supported:
 * text, {{- and -}} trimming, comments, pipelines with `|`, fields (`.A.B`,
 * `$v.A`, `(pipe).A`), variables (`$`, `$x := `, `$x = `), `if`/`else if`/
 * `else`/`end`, `range` (with `$i, $e :=`), `with`, character constants
 * ('a': its code point), Go's functions (and, or, not, len, index, slice,
 * print, printf, println, html, js, urlquery, eq, ne, lt, le, gt, ge) and
 * Docker's (json, join, split, lower, upper, title, pad, truncate).  A key
 * missing from one of Docker's maps (Labels, Options, Networks...) prints
 * `<no value>`, as Go does; missing from anything else (a struct in Docker,
 * so a misspelt field) it is an error, as in Docker.
 */
#ifndef CNM_CLI_GOTMPL_H
#define CNM_CLI_GOTMPL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include "cnm.h"

struct tpipe;

/* An operand: a term and the fields read after it. */
enum targ_kind { TA_DOT, TA_FIELD, TA_VAR, TA_STRING, TA_NUMBER, TA_BOOL, TA_NIL, TA_IDENT, TA_PIPE };

struct targ {
	enum targ_kind kind;
	char *s;		/* string literal, variable or function name */
	bool is_int, b;
	long long ival;
	double num;
	struct tpipe *pipe;	/* TA_PIPE */
	int nfield;
	char **field;		/* the chain: TA_FIELD's starts at dot */
};

struct tcmd {
	int narg;
	struct targ *arg;
};

struct tpipe {
	int ndecl;
	char *decl[2];		/* $i, $e := ... (two only in range) */
	bool assign;		/* `=`, not `:=` */
	int ncmd;
	struct tcmd *cmd;
};

enum tn_kind { TN_TEXT, TN_ACTION, TN_IF, TN_RANGE, TN_WITH };

struct tnode {
	enum tn_kind kind;
	struct tnode *next;
	char *text;		/* TN_TEXT: the text; others: the action's source, for errors */
	size_t len;
	struct tpipe *pipe;
	struct tnode *list, *elselist;
};

/** struct gotmpl - a parsed template. */
struct gotmpl {
	struct tnode *root;
};

int gotmpl_parse(const char *src, struct gotmpl **out, struct cnm_err *err);
int gotmpl_exec(const struct gotmpl *t, json_t *data, char **out, struct cnm_err *err);
void gotmpl_free(struct gotmpl *t);
void gotmpl_quote(FILE *f, const char *s);

#endif
