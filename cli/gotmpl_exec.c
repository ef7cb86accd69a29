// SPDX-License-Identifier: MIT
/*
 * gotmpl_exec.c - run a parsed Go template over a JSON value (see gotmpl.h).
 *
 * DOC: Theory of operation
 * Values are jansson values, each owned by whoever evaluated it (one
 * reference).  A missing key is a value of its own, `<no value>` when
 * printed, as Go prints a map's missing entry, and false as a condition;
 * a field missing from what Docker types as a struct is an error instead.
 * Printing follows Go's fmt %v over decoded JSON: strings bare, integers
 * as integers, null as <nil>, arrays as [a b], objects as map[k:v] in key
 * order.  Variables live on a stack: a list pops what it declared when it
 * ends, as Go's scopes end at {{end}}.  Output goes to a memory stream, so
 * an error leaves nothing half printed.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gotmpl_int.h"
#include "util.h"

int gt_xerr(struct ectx *x, const char *fmt, const char *a, const char *b)
{
	char what[256];

	snprintf(what, sizeof(what), fmt, a, b);
	return cnm_errf(x->err, -EINVAL, "template: executing \"%.*s\": %s",
			x->node ? (int)x->node->len : 0, x->node ? x->node->text : "", what);
}

const char *gt_type_name(struct ectx *x, const json_t *v)
{
	if (v == x->novalue)
		return "missing value";
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "map";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER: return "int";
	case JSON_REAL: return "float";
	case JSON_TRUE:
	case JSON_FALSE: return "bool";
	default: return "nil";
	}
}

/* The Go type of @v as Docker's decoded JSON has it (integers: int), for %T and errors. */
const char *gt_go_type(struct ectx *x, const json_t *v)
{
	if (v == x->novalue)
		return "<nil>";
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "map[string]interface {}";
	case JSON_ARRAY: return "[]interface {}";
	case JSON_STRING: return "string";
	case JSON_INTEGER: return "int";
	case JSON_REAL: return "float64";
	case JSON_TRUE:
	case JSON_FALSE: return "bool";
	default: return "<nil>";
	}
}

bool gt_truth(struct ectx *x, const json_t *v)
{
	if (v == x->novalue)
		return false;
	switch (json_typeof(v)) {
	case JSON_OBJECT: return json_object_size(v) > 0;
	case JSON_ARRAY: return json_array_size(v) > 0;
	case JSON_STRING: return json_string_length(v) > 0;
	case JSON_INTEGER: return json_integer_value(v) != 0;
	case JSON_REAL: return json_real_value(v) != 0;
	case JSON_TRUE: return true;
	default: return false;
	}
}

/* Go's %v for a float64: the shortest digits, exponent form outside 1e-4..1e6. */
static void print_float(FILE *f, double d)
{
	char buf[64];
	int n, exp;

	for (n = 1; n < 17; n++) {
		snprintf(buf, sizeof(buf), "%.*e", n - 1, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	snprintf(buf, sizeof(buf), "%.*e", n - 1, d);
	exp = (int)strtol(strchr(buf, 'e') + 1, NULL, 10);
	if (!isfinite(d))
		fputs(isnan(d) ? "NaN" : d > 0 ? "+Inf" : "-Inf", f);
	else if (exp < -4 || exp >= 6)
		fputs(buf, f);
	else
		fprintf(f, "%.*f", n - 1 - exp > 0 ? n - 1 - exp : 0, d);
}

static int key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* An object's keys in Go's map order (sorted); NULL only when out of memory. */
static const char **sorted_keys(json_t *o)
{
	const char **k = malloc((json_object_size(o) + 1) * sizeof(*k));
	const char *key;
	json_t *v;
	size_t n = 0;

	if (!k)
		return NULL;
	json_object_foreach(o, key, v)
		k[n++] = key;
	qsort(k, n, sizeof(*k), key_cmp);
	return k;
}

void gt_print_value(struct ectx *x, FILE *f, json_t *v)
{
	if (v == x->novalue) {
		fputs("<no value>", f);
		return;
	}
	switch (json_typeof(v)) {
	case JSON_STRING: fwrite(json_string_value(v), 1, json_string_length(v), f); break;
	case JSON_INTEGER: fprintf(f, "%lld", (long long)json_integer_value(v)); break;
	case JSON_REAL: print_float(f, json_real_value(v)); break;
	case JSON_TRUE: fputs("true", f); break;
	case JSON_FALSE: fputs("false", f); break;
	case JSON_NULL: fputs("<nil>", f); break;
	case JSON_ARRAY:
		fputc('[', f);
		for (size_t i = 0; i < json_array_size(v); i++) {
			if (i)
				fputc(' ', f);
			gt_print_value(x, f, json_array_get(v, i));
		}
		fputc(']', f);
		break;
	case JSON_OBJECT: {
		const char **k = sorted_keys(v);
		bool set = json_object_size(v) > 0;
		const char *key;
		json_t *e;

		/* only Docker's sets (ExposedPorts, Volumes) hold nothing but {}: struct{}s */
		json_object_foreach(v, key, e)
			set = set && json_is_object(e) && !json_object_size(e);
		fputs("map[", f);
		for (size_t i = 0; k && i < json_object_size(v); i++) {
			fprintf(f, "%s%s:", i ? " " : "", k[i]);
			if (set)
				fputs("{}", f);
			else
				gt_print_value(x, f, json_object_get(v, k[i]));
		}
		fputc(']', f);
		free(k);
		break;
	}
	}
}

/* The value as %v prints it, in a new string (NULL: out of memory). */
char *gt_value_text(struct ectx *x, json_t *v)
{
	char *s = NULL;
	size_t n;
	FILE *f = open_memstream(&s, &n);

	if (!f)
		return NULL;
	gt_print_value(x, f, v);
	fclose(f);
	return s;
}

static int eval_pipe(struct ectx *x, const struct tpipe *pp, json_t *dot, json_t **res);

/*
 * Docker's objects are Go structs whose maps are these keys: reading a
 * missing key of a map prints <no value>; of a struct (a misspelt field) it
 * is an error, as Docker's inspect reports it.
 */
static bool docker_map(const char *key)
{
	static const char *const maps[] = {
		"Labels", "Options", "Containers", "Networks", "Ports", "AuxiliaryAddresses",
		"DriverOpts", "ExposedPorts", "PortBindings", "Volumes", "Sysctls", "StorageOpt",
		"Tmpfs", "Annotations", "Data",
	};

	for (size_t i = 0; key && i < sizeof(maps) / sizeof(maps[0]); i++)
		if (!strcmp(key, maps[i]))
			return true;
	return false;
}

/*
 * Fields of Docker's structs that its JSON leaves out when empty
 * (omitempty), and cnm's too: read, they are the field's zero value.
 */
static json_t *omitted_zero(const char *key)
{
	static const char *const strings[] = { "Subnet", "IPRange", "Gateway", "IPv4Address",
					       "IPv6Address" };

	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
		if (!strcmp(key, strings[i]))
			return json_string("");
	if (!strcmp(key, "AuxiliaryAddresses") || !strcmp(key, "ExposedPorts"))
		return json_object();
	if (!strcmp(key, "LinkLocalIPs"))
		return json_array();
	return NULL;
}

/* Read @fields from @v (which is consumed) into @res. */
static int walk(struct ectx *x, json_t *v, char *const *fields, int n, json_t **res)
{
	for (int i = 0; i < n; i++) {
		json_t *g;

		if (!json_is_object(v) || v == x->novalue) {
			/* Go's words: a nil (or missing) value has no type to name */
			int rc = json_is_null(v) || v == x->novalue ?
				 gt_xerr(x, "nil pointer evaluating interface {}.%s%s", fields[i], "") :
				 gt_xerr(x, "can't evaluate field %s in type %s", fields[i],
					 gt_go_type(x, v));

			json_decref(v);
			return rc;
		}
		g = json_object_get(v, fields[i]);
		if (g) {
			json_incref(g);
		} else if (docker_map(i ? fields[i - 1] : NULL)) {
			g = json_incref(x->novalue);
		} else if (!(g = omitted_zero(fields[i]))) {
			json_decref(v);
			return gt_xerr(x, "map has no entry for key \"%s\"%s", fields[i], "");
		}
		json_decref(v);
		v = g;
	}
	*res = v;
	return 0;
}

static int eval_arg(struct ectx *x, const struct targ *a, json_t *dot, json_t **res)
{
	json_t *v = NULL;
	int rc = 0;

	switch (a->kind) {
	case TA_DOT:
	case TA_FIELD: v = json_incref(dot); break;
	case TA_VAR: {
		int i;

		for (i = x->nvars - 1; i >= 0 && strcmp(x->vars[i].name, a->s); i--)
			;
		if (i < 0)
			return gt_xerr(x, "undefined variable %s%s", a->s, "");
		v = json_incref(x->vars[i].v);
		break;
	}
	case TA_STRING: v = json_string(a->s); break;
	case TA_NUMBER: v = a->is_int ? json_integer(a->ival) : json_real(a->num); break;
	case TA_BOOL: v = json_boolean(a->b); break;
	case TA_NIL: v = json_null(); break;
	case TA_IDENT: rc = gt_call(x, a->s, NULL, 0, &v); break;
	case TA_PIPE: rc = eval_pipe(x, a->pipe, dot, &v); break;
	}
	if (rc)
		return rc;
	if (!v)
		return cnm_errf(x->err, -ENOMEM, "out of memory");
	return walk(x, v, a->field, a->nfield, res);
}

/* One command; @final is the previous command's value, passed last. */
static int eval_cmd(struct ectx *x, const struct tcmd *c, json_t *dot, json_t *final,
		    json_t **res)
{
	json_t *args[16];
	int n = 0, rc = 0;

	if (c->arg[0].kind != TA_IDENT) {
		if (c->narg > 1 || final)
			return gt_xerr(x, "can't give argument to non-function %s%s",
				    c->arg[0].kind == TA_FIELD ? c->arg[0].field[0] : "a value", "");
		if (c->arg[0].kind == TA_NIL)
			return gt_xerr(x, "nil is not a command%s%s", "", "");
		return eval_arg(x, &c->arg[0], dot, res);
	}
	if (c->narg > 15)
		return gt_xerr(x, "too many arguments to %s%s", c->arg[0].s, "");
	for (int i = 1; i < c->narg && !rc; i++)
		if (!(rc = eval_arg(x, &c->arg[i], dot, &args[n])))
			n++;
	if (!rc && final)
		args[n++] = json_incref(final);
	if (!rc)
		rc = gt_call(x, c->arg[0].s, args, n, res);
	while (n)
		json_decref(args[--n]);
	return rc;
}

static int push_var(struct ectx *x, const char *name, json_t *v)
{
	if (x->nvars == MAX_VARS)
		return gt_xerr(x, "more than 64 variables%s%s", "", "");
	x->vars[x->nvars++] = (struct var){ .name = name, .v = json_incref(v) };
	return 0;
}

static void pop_vars(struct ectx *x, int to)
{
	while (x->nvars > to)
		json_decref(x->vars[--x->nvars].v);
}

/* The pipeline's value; a declaration (not in range) binds it too. */
static int eval_pipe(struct ectx *x, const struct tpipe *pp, json_t *dot, json_t **res)
{
	json_t *v = NULL;
	int rc = 0;

	for (int i = 0; i < pp->ncmd && !rc; i++) {
		json_t *nv = NULL;

		rc = eval_cmd(x, &pp->cmd[i], dot, v, &nv);
		json_decref(v);
		v = nv;
	}
	if (rc)
		return rc;
	if (pp->ndecl == 1 && pp->assign) {
		int i;

		for (i = x->nvars - 1; i >= 0 && strcmp(x->vars[i].name, pp->decl[0]); i--)
			;
		if (i < 0) {
			json_decref(v);
			return gt_xerr(x, "undefined variable %s%s", pp->decl[0], "");
		}
		json_decref(x->vars[i].v);
		x->vars[i].v = json_incref(v);
	} else if (pp->ndecl == 1 && (rc = push_var(x, pp->decl[0], v))) {
		json_decref(v);
		return rc;
	}
	*res = v;
	return 0;
}

static int exec_list(struct ectx *x, const struct tnode *n, json_t *dot);

/* One pass of a range body with its variables set. */
static int range_one(struct ectx *x, const struct tnode *n, json_t *key, json_t *elem)
{
	int base = x->nvars, rc = 0;

	if (n->pipe->ndecl == 2)
		rc = push_var(x, n->pipe->decl[0], key);
	if (!rc && n->pipe->ndecl)
		rc = push_var(x, n->pipe->decl[n->pipe->ndecl - 1], elem);
	if (!rc)
		rc = exec_list(x, n->list, elem);
	pop_vars(x, base);
	return rc;
}

static int exec_range(struct ectx *x, const struct tnode *n, json_t *v, json_t *dot)
{
	size_t count = json_is_array(v) ? json_array_size(v) : json_is_object(v) ?
		json_object_size(v) : 0;
	int rc = 0;

	if (!count) {
		if (v != x->novalue && !json_is_null(v) && !json_is_array(v) && !json_is_object(v))
			return gt_xerr(x, "range can't iterate over a %s%s", gt_type_name(x, v), "");
		return exec_list(x, n->elselist, dot);
	}
	if (json_is_object(v)) {
		const char **k = sorted_keys(v);

		for (size_t i = 0; k && i < count && !rc; i++) {
			json_t *key = json_string(k[i]);

			rc = range_one(x, n, key, json_object_get(v, k[i]));
			json_decref(key);
		}
		free(k);
		return k ? rc : cnm_errf(x->err, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < count && !rc; i++) {
		json_t *idx = json_integer((json_int_t)i);

		rc = range_one(x, n, idx, json_array_get(v, i));
		json_decref(idx);
	}
	return rc;
}

static int exec_node(struct ectx *x, const struct tnode *n, json_t *dot)
{
	json_t *v = NULL;
	int base = x->nvars, rc;

	x->node = n;
	/* nested ranges multiply: a template is a one-liner, not a program */
	if (++x->steps > MAX_STEPS || ftell(x->out) > MAX_OUTPUT)
		return gt_xerr(x, "the template runs too long or prints too much%s%s", "", "");
	if (n->kind == TN_TEXT) {
		fwrite(n->text, 1, n->len, x->out);
		return 0;
	}
	/* range declares its own variables per pass */
	if (n->kind == TN_RANGE) {
		struct tpipe p = *n->pipe;

		p.ndecl = 0;
		rc = eval_pipe(x, &p, dot, &v);
	} else {
		rc = eval_pipe(x, n->pipe, dot, &v);
	}
	if (rc)
		return rc;
	switch (n->kind) {
	case TN_ACTION:
		if (!n->pipe->ndecl)
			gt_print_value(x, x->out, v);
		base = x->nvars;	/* a declaration lasts to the end of the list */
		break;
	case TN_IF: rc = exec_list(x, gt_truth(x, v) ? n->list : n->elselist, dot); break;
	case TN_WITH: rc = gt_truth(x, v) ? exec_list(x, n->list, v) : exec_list(x, n->elselist, dot);
		break;
	case TN_RANGE: rc = exec_range(x, n, v, dot); break;
	default: break;
	}
	json_decref(v);
	pop_vars(x, base);
	return rc;
}

static int exec_list(struct ectx *x, const struct tnode *n, json_t *dot)
{
	int base = x->nvars, rc = 0;

	for (; n && !rc; n = n->next)
		rc = exec_node(x, n, dot);
	pop_vars(x, base);
	return rc;
}

/**
 * gotmpl_exec() - run @t over @data.
 * @t: from gotmpl_parse()
 * @data: the object (dot, and `$`)
 * @out: the text, to free()
 * @err: filled on failure
 *
 * Return: 0, -EINVAL when the template cannot run over @data, -ENOMEM.
 */
int gotmpl_exec(const struct gotmpl *t, json_t *data, char **out, struct cnm_err *err)
{
	struct ectx x = { .err = err };
	size_t n;
	int rc;

	*out = NULL;
	x.novalue = json_string("<no value>");
	x.empty = json_string("");
	x.out = open_memstream(out, &n);
	if (!x.novalue || !x.empty || !x.out) {
		rc = cnm_errf(err, -ENOMEM, "out of memory");
		goto out;
	}
	rc = push_var(&x, "$", data);
	if (!rc)
		rc = exec_list(&x, t->root, data);
	pop_vars(&x, 0);
out:
	if (x.out)
		fclose(x.out);
	json_decref(x.novalue);
	json_decref(x.empty);
	if (rc) {
		free(*out);
		*out = NULL;
	}
	return rc;
}
