// SPDX-License-Identifier: MIT
/*
 * gotmpl_funcs.c - the functions a template can call: Go's builtins (all but
 * call) and the ones Docker's CLI adds (json, join, split, lower, upper,
 * title, pad, truncate).
 *
 * DOC: Theory of operation
 * Each takes its evaluated arguments (borrowed) and returns a new value.
 * Types are checked as Go checks them at run time, with an error that names
 * the function and what it got; printf follows Go's verbs, including its
 * %!v(MISSING) and %!(EXTRA ...) marks, so a wrong format prints, as in Go.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "gotmpl_int.h"
#include "util.h"

typedef int (*func_fn)(struct ectx *x, json_t **a, int n, json_t **res);

static int want_string(struct ectx *x, const char *fn, json_t *v, const char **s)
{
	if (!json_is_string(v) || v == x->novalue)
		return gt_xerr(x, "%s: expected a string, got a %s", fn, gt_type_name(x, v));
	*s = json_string_value(v);
	return 0;
}

static int want_int(struct ectx *x, const char *fn, json_t *v, long long *i)
{
	if (!json_is_integer(v))
		return gt_xerr(x, "%s: expected an integer, got a %s", fn, gt_type_name(x, v));
	*i = (long long)json_integer_value(v);
	return 0;
}

/* Take @s (malloc'ed) as a string value. */
static int string_res(struct ectx *x, char *s, json_t **res)
{
	*res = s ? json_string(s) : NULL;
	free(s);
	return *res ? 0 : cnm_errf(x->err, -ENOMEM, "out of memory");
}

static int f_and(struct ectx *x, json_t **a, int n, json_t **res)
{
	int i;

	for (i = 0; i < n - 1 && gt_truth(x, a[i]); i++)
		;
	*res = json_incref(a[i]);
	return 0;
}

static int f_or(struct ectx *x, json_t **a, int n, json_t **res)
{
	int i;

	for (i = 0; i < n - 1 && !gt_truth(x, a[i]); i++)
		;
	*res = json_incref(a[i]);
	return 0;
}

static int f_not(struct ectx *x, json_t **a, int n, json_t **res)
{
	*res = json_boolean(!gt_truth(x, a[0]));
	return 0;
}

static int f_len(struct ectx *x, json_t **a, int n, json_t **res)
{
	json_t *v = a[0];

	if (v == x->novalue || !(json_is_string(v) || json_is_array(v) || json_is_object(v)))
		return gt_xerr(x, "len of a %s%s", gt_type_name(x, v), "");
	*res = json_integer((json_int_t)(json_is_string(v) ? json_string_length(v) :
					 json_is_array(v) ? json_array_size(v) : json_object_size(v)));
	return 0;
}

/*
 * index of a missing key gives the map's zero value: "" for Docker's string
 * maps (Labels, Options), told apart by their values.
 */
static bool string_map(json_t *o)
{
	const char *k;
	json_t *v;

	json_object_foreach(o, k, v)
		if (!json_is_string(v))
			return false;
	return true;
}

static int f_index(struct ectx *x, json_t **a, int n, json_t **res)
{
	json_t *v = a[0];

	for (int i = 1; i < n; i++) {
		if (json_is_object(v) && v != x->novalue && json_is_string(a[i])) {
			json_t *g = json_object_get(v, json_string_value(a[i]));

			v = g ? g : string_map(v) ? x->empty : x->novalue;
		} else if (json_is_array(v) && json_is_integer(a[i])) {
			long long k = (long long)json_integer_value(a[i]);

			char num[24];

			snprintf(num, sizeof(num), "%lld", k);
			if (k < 0 || (size_t)k >= json_array_size(v))
				return gt_xerr(x, "error calling index: index out of range: %s%s", num, "");
			v = json_array_get(v, (size_t)k);
		} else {
			return gt_xerr(x, "can't index a %s with a %s", gt_type_name(x, v),
				    gt_type_name(x, a[i]));
		}
	}
	*res = json_incref(v);
	return 0;
}

/* Go's eq for basic values: -1, 0, 1, or an error for types it refuses. */
static int compare(struct ectx *x, json_t *a, json_t *b, bool order, int *out)
{
	bool na = json_is_null(a) || a == x->novalue, nb = json_is_null(b) || b == x->novalue;

	if (json_is_number(a) && json_is_number(b)) {
		if (json_is_integer(a) && json_is_integer(b)) {
			json_int_t i = json_integer_value(a), j = json_integer_value(b);

			*out = i < j ? -1 : i > j;
		} else {
			double i = json_number_value(a), j = json_number_value(b);

			*out = i < j ? -1 : i > j;
		}
		return 0;
	}
	if (json_is_string(a) && json_is_string(b) && !na && !nb) {
		int c = strcmp(json_string_value(a), json_string_value(b));

		*out = c < 0 ? -1 : c > 0;
		return 0;
	}
	if (!order && json_is_boolean(a) && json_is_boolean(b)) {
		*out = json_is_true(a) != json_is_true(b);
		return 0;
	}
	if (!order && (na || nb)) {
		*out = !(na && nb);
		return 0;
	}
	return gt_xerr(x, "incompatible types for comparison: %s and %s", gt_type_name(x, a),
		    gt_type_name(x, b));
}

static int f_eq(struct ectx *x, json_t **a, int n, json_t **res)
{
	bool eq = false;

	for (int i = 1; i < n && !eq; i++) {
		int c = 0, rc = compare(x, a[0], a[i], false, &c);

		if (rc)
			return rc;
		eq = !c;
	}
	*res = json_boolean(eq);
	return 0;
}

static int f_ne(struct ectx *x, json_t **a, int n, json_t **res)
{
	int c = 0, rc = compare(x, a[0], a[1], false, &c);

	*res = json_boolean(c);
	return rc;
}

/* lt, le, gt, ge: which of -1, 0, 1 make it true, from the name. */
static int order(struct ectx *x, json_t **a, bool lt, bool eq, json_t **res)
{
	int c = 0, rc = compare(x, a[0], a[1], true, &c);

	*res = json_boolean((lt ? c < 0 : c > 0) || (eq && !c));
	return rc;
}

static int f_lt(struct ectx *x, json_t **a, int n, json_t **res) { return order(x, a, true, false, res); }
static int f_le(struct ectx *x, json_t **a, int n, json_t **res) { return order(x, a, true, true, res); }
static int f_gt(struct ectx *x, json_t **a, int n, json_t **res) { return order(x, a, false, false, res); }
static int f_ge(struct ectx *x, json_t **a, int n, json_t **res) { return order(x, a, false, true, res); }

/* print and println: Go's Sprint (a space between two operands neither of
 * which is a string) and Sprintln (always a space, and a newline). */
static int sprint(struct ectx *x, json_t **a, int n, bool ln, json_t **res)
{
	char *s = NULL;
	size_t len;
	FILE *f = open_memstream(&s, &len);

	if (!f)
		return cnm_errf(x->err, -ENOMEM, "out of memory");
	for (int i = 0; i < n; i++) {
		bool str = json_is_string(a[i]) && a[i] != x->novalue;

		if (i && (ln || (!str && !(json_is_string(a[i - 1]) && a[i - 1] != x->novalue))))
			fputc(' ', f);
		gt_print_value(x, f, a[i]);
	}
	if (ln)
		fputc('\n', f);
	fclose(f);
	return string_res(x, s, res);
}

static int f_print(struct ectx *x, json_t **a, int n, json_t **res) { return sprint(x, a, n, false, res); }
static int f_println(struct ectx *x, json_t **a, int n, json_t **res) { return sprint(x, a, n, true, res); }

/**
 * gotmpl_quote() - Go's strconv.Quote (and %q): @s double-quoted, escaped.
 * @f: where it goes
 * @s: the text
 */
void gotmpl_quote(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		const char *e = strchr("\a\b\f\n\r\t\v\\\"", c);

		if (e && c)
			fprintf(f, "\\%c", "abfnrtv\\\""[e - "\a\b\f\n\r\t\v\\\""]);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* One printf verb over @v with the C flags/width/precision in @spec. */
static void printf_one(struct ectx *x, FILE *f, char *spec, size_t sl, char verb, json_t *v)
{
	char *t;

	if (verb == 'T') {
		spec[sl++] = 's';
		spec[sl] = 0;
		fprintf(f, spec, gt_go_type(x, v));
	} else if (json_is_null(v) || v == x->novalue) {
		/* Go prints a nil this way for any verb but %v and %T */
		spec[sl++] = 's';
		spec[sl] = 0;
		if (verb == 'v')
			fprintf(f, spec, "<nil>");
		else
			fprintf(f, "%%!%c(<nil>)", verb);
	} else if (verb == 'c' && json_is_integer(v)) {
		/* the code point in UTF-8, U+FFFD where there is none */
		json_int_t c = json_integer_value(v);
		char u[5] = "";

		if (c < 0 || c > 0x10ffff || (c >= 0xd800 && c < 0xe000))
			c = 0xfffd;
		if (c < 0x80)
			u[0] = (char)c;
		else if (c < 0x800)
			snprintf(u, sizeof(u), "%c%c", (int)(0xc0 | c >> 6), (int)(0x80 | (c & 0x3f)));
		else if (c < 0x10000)
			snprintf(u, sizeof(u), "%c%c%c", (int)(0xe0 | c >> 12),
				 (int)(0x80 | (c >> 6 & 0x3f)), (int)(0x80 | (c & 0x3f)));
		else
			snprintf(u, sizeof(u), "%c%c%c%c", (int)(0xf0 | c >> 18),
				 (int)(0x80 | (c >> 12 & 0x3f)), (int)(0x80 | (c >> 6 & 0x3f)),
				 (int)(0x80 | (c & 0x3f)));
		spec[sl++] = 's';
		spec[sl] = 0;
		fprintf(f, spec, u);
	} else if ((verb == 'd' || ((verb == 'x' || verb == 'X') && !json_is_string(v))) &&
	    json_is_integer(v)) {
		if (verb == 'd' || verb == 'x' || verb == 'X')
			spec[sl++] = 'l', spec[sl++] = 'l';
		spec[sl++] = verb;
		spec[sl] = 0;
		fprintf(f, spec, (long long)json_integer_value(v));
	} else if (strchr("eEfFgG", verb) && json_is_number(v)) {
		spec[sl++] = verb;
		spec[sl] = 0;
		fprintf(f, spec, json_number_value(v));
	} else if ((verb == 'x' || verb == 'X') && json_is_string(v) && v != x->novalue) {
		for (const char *s = json_string_value(v); *s; s++)
			fprintf(f, verb == 'x' ? "%02x" : "%02X", (unsigned char)*s);
	} else if (verb == 'v' || verb == 's' || (verb == 't' && json_is_boolean(v)) ||
		   (verb == 'q' && json_is_string(v) && v != x->novalue)) {
		t = gt_value_text(x, v);
		if (verb == 'q') {
			char *q = NULL;
			size_t len;
			FILE *qf = open_memstream(&q, &len);

			if (qf) {
				gotmpl_quote(qf, t ? t : "");
				fclose(qf);
			}
			free(t);
			t = q;
		}
		spec[sl++] = 's';
		spec[sl] = 0;
		fprintf(f, spec, t ? t : "");
		free(t);
	} else {
		t = gt_value_text(x, v);
		fprintf(f, "%%!%c(%s=%s)", verb, gt_go_type(x, v), t ? t : "");
		free(t);
	}
}

static int f_printf(struct ectx *x, json_t **a, int n, json_t **res)
{
	const char *p = "";
	char *s = NULL;
	size_t len;
	FILE *f;
	int argi = 1, rc = want_string(x, "printf", a[0], &p);

	if (rc)
		return rc;
	f = open_memstream(&s, &len);
	if (!f)
		return cnm_errf(x->err, -ENOMEM, "out of memory");
	for (; *p; p++) {
		char spec[40];
		size_t sl = 1;

		if (*p != '%') {
			fputc(*p, f);
			continue;
		}
		spec[0] = '%';
		for (p++; *p && strchr("-+# 0", *p) && sl < 8; p++)
			spec[sl++] = *p;
		/* up to 99999 wide or precise, where Go stops at 1e6 */
		for (size_t d = 0; *p >= '0' && *p <= '9'; p++)
			if (d++ < 5)
				spec[sl++] = *p;
		if (*p == '.') {
			spec[sl++] = *p++;
			for (size_t d = 0; *p >= '0' && *p <= '9'; p++)
				if (d++ < 5)
					spec[sl++] = *p;
		}
		if (!*p) {
			fputs("%!(NOVERB)", f);
			break;
		}
		if (*p == '%')
			fputc('%', f);
		else if (argi >= n)
			fprintf(f, "%%!%c(MISSING)", *p);
		else
			printf_one(x, f, spec, sl, *p, a[argi++]);
	}
	if (argi < n) {
		fputs("%!(EXTRA ", f);
		for (; argi < n; argi++) {
			char *t = gt_value_text(x, a[argi]);

			if (json_is_null(a[argi]) || a[argi] == x->novalue)
				fprintf(f, "<nil>%s", argi + 1 < n ? ", " : ")");
			else
				fprintf(f, "%s=%s%s", gt_go_type(x, a[argi]), t ? t : "",
					argi + 1 < n ? ", " : ")");
			free(t);
		}
	}
	fclose(f);
	return string_res(x, s, res);
}

static int f_json(struct ectx *x, json_t **a, int n, json_t **res)
{
	return string_res(x, a[0] == x->novalue ? strdup("null") :
			  json_dumps(a[0], JSON_COMPACT | JSON_ENCODE_ANY), res);
}

static int f_join(struct ectx *x, json_t **a, int n, json_t **res)
{
	const char *sep = "";
	char *s = NULL;
	size_t len;
	FILE *f;
	int rc = want_string(x, "join", a[1], &sep);

	if (!rc && !json_is_array(a[0]))
		rc = gt_xerr(x, "join: expected an array, got a %s%s", gt_type_name(x, a[0]), "");
	if (rc)
		return rc;
	f = open_memstream(&s, &len);
	if (!f)
		return cnm_errf(x->err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < json_array_size(a[0]) && !rc; i++) {
		const char *e = "";

		rc = want_string(x, "join", json_array_get(a[0], i), &e);
		if (!rc)
			fprintf(f, "%s%s", i ? sep : "", e);
	}
	fclose(f);
	if (rc) {
		free(s);
		return rc;
	}
	return string_res(x, s, res);
}

static int f_split(struct ectx *x, json_t **a, int n, json_t **res)
{
	const char *s = "", *sep = "";
	size_t sl;
	int rc = want_string(x, "split", a[0], &s);

	if (rc || (rc = want_string(x, "split", a[1], &sep)))
		return rc;
	*res = json_array();
	sl = strlen(sep);
	for (;;) {
		const char *e = sl ? strstr(s, sep) : (*s && s[1] ? s + 1 : NULL);

		if (!e) {
			if (sl || *s)
				json_array_append_new(*res, json_string(s));
			break;
		}
		json_array_append_new(*res, json_stringn(s, (size_t)(e - s)));
		s = e + sl;
	}
	return 0;
}

/* lower, upper and title: ASCII letters change, other bytes stay. */
static int recase(struct ectx *x, json_t *v, int how, json_t **res)
{
	const char *s = "";
	char *o;
	bool sep = true;
	int rc = want_string(x, how < 0 ? "lower" : how > 0 ? "upper" : "title", v, &s);

	if (rc)
		return rc;
	o = strdup(s);
	for (char *p = o; p && *p; p++) {
		bool word = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			    (*p >= '0' && *p <= '9') || *p == '_' || (unsigned char)*p >= 0x80;

		if (how < 0 && *p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
		else if ((how > 0 || (!how && sep)) && *p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
		sep = !word;
	}
	return string_res(x, o, res);
}

static int f_lower(struct ectx *x, json_t **a, int n, json_t **res) { return recase(x, a[0], -1, res); }
static int f_upper(struct ectx *x, json_t **a, int n, json_t **res) { return recase(x, a[0], 1, res); }
static int f_title(struct ectx *x, json_t **a, int n, json_t **res) { return recase(x, a[0], 0, res); }

static int f_pad(struct ectx *x, json_t **a, int n, json_t **res)
{
	const char *s = "";
	long long l = 0, r = 0;
	char *o;
	int rc = want_string(x, "pad", a[0], &s);

	if (rc || (rc = want_int(x, "pad", a[1], &l)) || (rc = want_int(x, "pad", a[2], &r)))
		return rc;
	if (l < 0 || r < 0 || l > 4096 || r > 4096)
		return gt_xerr(x, "pad: widths are 0 to 4096%s%s", "", "");
	if (asprintf(&o, "%*s%s%*s", (int)l, "", s, (int)r, "") < 0)
		o = NULL;
	return string_res(x, o, res);
}

static int f_truncate(struct ectx *x, json_t **a, int n, json_t **res)
{
	const char *s = "";
	long long l = 0;
	int rc = want_string(x, "truncate", a[0], &s);

	if (rc || (rc = want_int(x, "truncate", a[1], &l)))
		return rc;
	*res = json_stringn(s, l < 0 ? 0 : (size_t)l < strlen(s) ? (size_t)l : strlen(s));
	return *res ? 0 : cnm_errf(x->err, -ENOMEM, "out of memory");
}

/* Go's slice: item[i:j(:k)] of a string (bytes) or an array. */
static int f_slice(struct ectx *x, json_t **a, int n, json_t **res)
{
	json_t *v = a[0];
	bool str = json_is_string(v) && v != x->novalue;
	size_t len, idx[3];
	char num[48];

	if (json_is_null(v) || v == x->novalue)
		return gt_xerr(x, "error calling slice: slice of untyped nil%s%s", "", "");
	if (!str && !json_is_array(v))
		return gt_xerr(x, "error calling slice: can't slice item of type %s%s",
			       gt_go_type(x, v), "");
	if (str && n == 4)
		return gt_xerr(x, "error calling slice: cannot 3-index slice a string%s%s", "", "");
	len = str ? json_string_length(v) : json_array_size(v);
	idx[0] = 0;
	idx[1] = idx[2] = len;
	for (int i = 1; i < n; i++) {
		long long k;

		if (json_is_null(a[i]) || a[i] == x->novalue)
			return gt_xerr(x, "error calling slice: cannot index slice/array with nil%s%s",
				       "", "");
		if (!json_is_integer(a[i]))
			return gt_xerr(x, "error calling slice: cannot index slice/array with type %s%s",
				       gt_go_type(x, a[i]), "");
		k = (long long)json_integer_value(a[i]);
		snprintf(num, sizeof(num), "%lld", k);
		if (k < 0 || (unsigned long long)k > len)
			return gt_xerr(x, "error calling slice: index out of range: %s%s", num, "");
		idx[i - 1] = (size_t)k;
	}
	for (int i = 0; i < (n == 4 ? 2 : 1); i++) {
		if (idx[i] <= idx[i + 1])
			continue;
		snprintf(num, sizeof(num), "%zu > %zu", idx[i], idx[i + 1]);
		return gt_xerr(x, "error calling slice: invalid slice index: %s%s", num, "");
	}
	if (str) {
		*res = json_stringn(json_string_value(v) + idx[0], idx[1] - idx[0]);
	} else {
		*res = json_array();
		for (size_t i = idx[0]; *res && i < idx[1]; i++)
			json_array_append(*res, json_array_get(v, i));
	}
	return *res ? 0 : cnm_errf(x->err, -ENOMEM, "out of memory");
}

enum escape { ESC_HTML, ESC_JS, ESC_URL };

/*
 * Go's html, js and urlquery: the one string argument, or fmt.Sprint of
 * them all, escaped as template.HTMLEscapeString, JSEscapeString and
 * url.QueryEscape do (bytes from 0x80 up pass as they are).
 */
static int escape(struct ectx *x, json_t **a, int n, enum escape how, json_t **res)
{
	json_t *text = NULL;
	char *o = NULL;
	size_t len;
	FILE *f;
	int rc = 0;

	if (n == 1 && json_is_string(a[0]) && a[0] != x->novalue)
		text = json_incref(a[0]);
	else
		rc = sprint(x, a, n, false, &text);
	if (rc)
		return rc;
	f = open_memstream(&o, &len);
	if (!f) {
		json_decref(text);
		return cnm_errf(x->err, -ENOMEM, "out of memory");
	}
	for (const char *p = json_string_value(text); *p; p++) {
		unsigned char c = (unsigned char)*p;
		const char *e = NULL;

		if (how == ESC_HTML) {
			e = c == '"' ? "&#34;" : c == '\'' ? "&#39;" : c == '&' ? "&amp;" :
			    c == '<' ? "&lt;" : c == '>' ? "&gt;" : NULL;
		} else if (how == ESC_JS) {
			e = c == '\\' ? "\\\\" : c == '\'' ? "\\'" : c == '"' ? "\\\"" :
			    c == '<' ? "\\u003C" : c == '>' ? "\\u003E" : c == '&' ? "\\u0026" :
			    c == '=' ? "\\u003D" : NULL;
			if (!e && c < ' ') {
				fprintf(f, "\\u00%02X", c);
				continue;
			}
		} else if (!(isalnum(c) || strchr("-_.~", c))) {
			if (c == ' ')
				fputc('+', f);
			else
				fprintf(f, "%%%02X", c);
			continue;
		}
		if (e)
			fputs(e, f);
		else
			fputc(c, f);
	}
	fclose(f);
	json_decref(text);
	return string_res(x, o, res);
}

static int f_html(struct ectx *x, json_t **a, int n, json_t **res) { return escape(x, a, n, ESC_HTML, res); }
static int f_js(struct ectx *x, json_t **a, int n, json_t **res) { return escape(x, a, n, ESC_JS, res); }
static int f_urlquery(struct ectx *x, json_t **a, int n, json_t **res) { return escape(x, a, n, ESC_URL, res); }

static const struct {
	const char *name;
	int min, max;
	func_fn fn;
} funcs[] = {
	{ "and", 1, 15, f_and }, { "or", 1, 15, f_or }, { "not", 1, 1, f_not },
	{ "len", 1, 1, f_len }, { "index", 1, 15, f_index }, { "print", 0, 15, f_print },
	{ "printf", 1, 15, f_printf }, { "println", 0, 15, f_println },
	{ "eq", 2, 15, f_eq }, { "ne", 2, 2, f_ne }, { "lt", 2, 2, f_lt }, { "le", 2, 2, f_le },
	{ "gt", 2, 2, f_gt }, { "ge", 2, 2, f_ge }, { "json", 1, 1, f_json },
	{ "join", 2, 2, f_join }, { "split", 2, 2, f_split }, { "lower", 1, 1, f_lower },
	{ "upper", 1, 1, f_upper }, { "title", 1, 1, f_title }, { "pad", 3, 3, f_pad },
	{ "truncate", 2, 2, f_truncate }, { "slice", 1, 4, f_slice }, { "html", 0, 15, f_html },
	{ "js", 0, 15, f_js }, { "urlquery", 0, 15, f_urlquery },
};

int gt_call(struct ectx *x, const char *name, json_t **args, int n, json_t **res)
{
	char want[32];

	for (size_t i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++) {
		if (strcmp(funcs[i].name, name))
			continue;
		if (n >= funcs[i].min && n <= funcs[i].max)
			return funcs[i].fn(x, args, n, res);
		snprintf(want, sizeof(want), "%d, got %d", funcs[i].min, n);
		return gt_xerr(x, "wrong number of arguments for %s: want %s", name, want);
	}
	return gt_xerr(x, "function \"%s\" not defined%s", name, "");
}
