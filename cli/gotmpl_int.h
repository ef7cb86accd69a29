/* SPDX-License-Identifier: MIT */
/*
 * gotmpl_int.h - what the template engine (gotmpl_exec.c) and its functions
 * (gotmpl_funcs.c) share; not for callers, who use gotmpl.h.
 */
#ifndef CNM_CLI_GOTMPL_INT_H
#define CNM_CLI_GOTMPL_INT_H

#include <stdio.h>
#include "gotmpl.h"

#define MAX_VARS 64
#define MAX_STEPS 1000000L
#define MAX_OUTPUT (16L << 20)

struct var {
	const char *name;
	json_t *v;
};

struct ectx {
	FILE *out;
	struct cnm_err *err;
	json_t *novalue;		/* the missing key's value */
	json_t *empty;			/* "", a string map's zero value */
	const struct tnode *node;	/* for errors */
	long steps;
	int nvars;
	struct var vars[MAX_VARS];
};

int gt_xerr(struct ectx *x, const char *fmt, const char *a, const char *b);
const char *gt_type_name(struct ectx *x, const json_t *v);
const char *gt_go_type(struct ectx *x, const json_t *v);
bool gt_truth(struct ectx *x, const json_t *v);
void gt_print_value(struct ectx *x, FILE *f, json_t *v);
char *gt_value_text(struct ectx *x, json_t *v);
int gt_call(struct ectx *x, const char *name, json_t **args, int n, json_t **res);

#endif
