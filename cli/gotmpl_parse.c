// SPDX-License-Identifier: MIT
/*
 * gotmpl_parse.c - Go template text to a tree (see gotmpl.h).
 *
 * DOC: Theory of operation
 * The text is read once, left to right.  Between actions it is copied into
 * TN_TEXT nodes; `{{- ` and ` -}}` trim the white space on their side, as
 * Go does (the space beside the dash is required, so `{{-3}}` is minus
 * three).  An action is cut into tokens (each knows whether white space came
 * before it: `$x.A` is one operand, `$x .A` two), then parsed by recursive
 * descent: control words open a nested list that ends at its `end` (or
 * `else`), anything else is a pipeline.  Errors name the column and what was
 * found, and no tree is returned.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "gotmpl.h"
#include "util.h"

enum tok_kind { T_END, T_LPAREN, T_RPAREN, T_PIPE, T_DECLARE, T_ASSIGN, T_COMMA, T_STRING,
		T_NUMBER, T_FIELD, T_DOT, T_VAR, T_IDENT };

struct tok {
	enum tok_kind kind;
	bool sp;		/* white space before it */
	char *s;		/* STRING: its value; FIELD, VAR, IDENT: the name; NUMBER: text */
	size_t col;
};

struct parser {
	const char *src;
	size_t pos;
	bool trim_next;		/* the last action ended with ` -}}` */
	struct tok *toks;
	int ntok, itok;
	size_t act_start;	/* the current action's `{{` */
	struct cnm_err *err;
};

/* What ended a list: the end of the text, `{{end}}` or `{{else ...}}`. */
enum stop { STOP_EOF, STOP_END, STOP_ELSE };

static int perr(struct parser *p, size_t col, const char *what)
{
	return cnm_errf(p->err, -EINVAL, "template: column %zu: %s", col + 1, what);
}

static void toks_free(struct parser *p)
{
	for (int i = 0; i < p->ntok; i++)
		free(p->toks[i].s);
	free(p->toks);
	p->toks = NULL;
	p->ntok = p->itok = 0;
}

static int tok_push(struct parser *p, enum tok_kind k, bool sp, const char *s, size_t n, size_t col)
{
	struct tok *nt = realloc(p->toks, (size_t)(p->ntok + 1) * sizeof(*nt));

	if (!nt)
		return cnm_errf(p->err, -ENOMEM, "out of memory");
	p->toks = nt;
	nt[p->ntok] = (struct tok){ .kind = k, .sp = sp, .col = col, .s = s ? strndup(s, n) : NULL };
	if (s && !nt[p->ntok].s)
		return cnm_errf(p->err, -ENOMEM, "out of memory");
	p->ntok++;
	return 0;
}

static bool is_word(int c)
{
	return isalnum(c) || c == '_';
}

/* A "..." literal's value, with Go's common escapes. */
static int lex_string(struct parser *p, size_t *i, bool sp)
{
	const char *s = p->src;
	size_t start = *i, j = *i + 1, n = 0;
	char *v = malloc(strlen(s + start) + 1);
	int rc;

	if (!v)
		return cnm_errf(p->err, -ENOMEM, "out of memory");
	for (; s[j] && s[j] != '"' && s[j] != '\n'; j++) {
		if (s[j] != '\\') {
			v[n++] = s[j];
			continue;
		}
		switch (s[++j]) {
		case 'n': v[n++] = '\n'; break;
		case 't': v[n++] = '\t'; break;
		case 'r': v[n++] = '\r'; break;
		case '\\': v[n++] = '\\'; break;
		case '"': v[n++] = '"'; break;
		default:
			free(v);
			return perr(p, j, "unknown escape in a quoted string");
		}
	}
	if (s[j] != '"') {
		free(v);
		return perr(p, start, "unterminated quoted string");
	}
	rc = tok_push(p, T_STRING, sp, v, n, start);
	free(v);
	*i = j + 1;
	return rc;
}

/* A 'c' constant: Go reads it as the integer, its code point. */
static int lex_char(struct parser *p, size_t *i, bool sp)
{
	static const char esc[] = "abfnrtv\\'\"", val[] = "\a\b\f\n\r\t\v\\'\"";
	const unsigned char *c = (const unsigned char *)p->src + *i + 1;
	size_t len = 1, start = *i;
	long cp = -1;
	char num[16];

	if (c[0] == '\\' && c[1] && strchr(esc, c[1])) {
		cp = (unsigned char)val[strchr(esc, c[1]) - esc];
		len = 2;
	} else if (c[0] >= 0xc2 && c[0] < 0xf5) {	/* UTF-8: 2 to 4 bytes */
		len = c[0] >= 0xf0 ? 4 : c[0] >= 0xe0 ? 3 : 2;
		cp = c[0] & (0x7f >> len);
		for (size_t k = 1; k < len && cp >= 0; k++)
			cp = (c[k] & 0xc0) == 0x80 ? cp << 6 | (c[k] & 0x3f) : -1;
	} else if (c[0] >= 0x20 && c[0] < 0x7f && c[0] != '\'' && c[0] != '\\') {
		cp = c[0];
	}
	if (cp < 0 || c[len] != '\'')
		return perr(p, start, "malformed character constant");
	snprintf(num, sizeof(num), "%ld", cp);
	*i += len + 2;
	return tok_push(p, T_NUMBER, sp, num, strlen(num), start);
}

/*
 * Cut the action that starts after `{{` at p->pos into tokens, up to its
 * `}}`; leaves p->pos after it and sets p->trim_next for ` -}}`.
 */
static int lex_action(struct parser *p)
{
	const char *s = p->src;
	size_t i = p->pos;
	int rc;

	for (;;) {
		bool sp = false;
		size_t st;

		while (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
			i++;
			sp = true;
		}
		st = i;
		if (!s[i])
			return perr(p, p->act_start, "unclosed action");
		if (sp && s[i] == '-' && s[i + 1] == '}' && s[i + 2] == '}') {
			p->trim_next = true;
			p->pos = i + 3;
			return tok_push(p, T_END, sp, NULL, 0, i);
		}
		if (s[i] == '}' && s[i + 1] == '}') {
			p->trim_next = false;
			p->pos = i + 2;
			return tok_push(p, T_END, sp, NULL, 0, i);
		}
		if (s[i] == '"') {
			rc = lex_string(p, &i, sp);
		} else if (s[i] == '\'') {
			rc = lex_char(p, &i, sp);
		} else if (s[i] == '`') {
			const char *e = strchr(s + i + 1, '`');

			if (!e)
				return perr(p, i, "unterminated raw quoted string");
			rc = tok_push(p, T_STRING, sp, s + i + 1, (size_t)(e - s) - i - 1, i);
			i = (size_t)(e - s) + 1;
		} else if (s[i] == ':' && s[i + 1] == '=') {
			rc = tok_push(p, T_DECLARE, sp, NULL, 0, i);
			i += 2;
		} else if (strchr("()|=,", s[i])) {
			static const enum tok_kind k[] = { T_LPAREN, T_RPAREN, T_PIPE, T_ASSIGN, T_COMMA };

			rc = tok_push(p, k[strchr("()|=,", s[i]) - "()|=,"], sp, NULL, 0, i);
			i++;
		} else if (s[i] == '.' && (isalpha((unsigned char)s[i + 1]) || s[i + 1] == '_')) {
			for (i++; is_word((unsigned char)s[i]); i++)
				;
			rc = tok_push(p, T_FIELD, sp, s + st + 1, i - st - 1, st);
		} else if (s[i] == '.' && !isdigit((unsigned char)s[i + 1])) {
			rc = tok_push(p, T_DOT, sp, NULL, 0, i);
			i++;
		} else if (s[i] == '$') {
			for (i++; is_word((unsigned char)s[i]); i++)
				;
			rc = tok_push(p, T_VAR, sp, s + st, i - st, st);
		} else if (isdigit((unsigned char)s[i]) || ((s[i] == '-' || s[i] == '+' || s[i] == '.') &&
							   isdigit((unsigned char)s[i + 1]))) {
			for (i++; isalnum((unsigned char)s[i]) || s[i] == '.' ||
				  ((s[i] == '-' || s[i] == '+') && (s[i - 1] == 'e' || s[i - 1] == 'E'));
			     i++)
				;
			rc = tok_push(p, T_NUMBER, sp, s + st, i - st, st);
		} else if (isalpha((unsigned char)s[i]) || s[i] == '_') {
			for (i++; is_word((unsigned char)s[i]); i++)
				;
			rc = tok_push(p, T_IDENT, sp, s + st, i - st, st);
		} else {
			return perr(p, i, "unexpected character in an action");
		}
		if (rc)
			return rc;
	}
}

static struct tok *peek(struct parser *p)
{
	return &p->toks[p->itok];
}

static struct tok *next(struct parser *p)
{
	struct tok *t = &p->toks[p->itok];

	if (t->kind != T_END)
		p->itok++;
	return t;
}

static bool is_ident(const struct tok *t, const char *name)
{
	return t->kind == T_IDENT && !strcmp(t->s, name);
}

static void pipe_free(struct tpipe *pp);

static void arg_clear(struct targ *a)
{
	free(a->s);
	pipe_free(a->pipe);
	for (int i = 0; i < a->nfield; i++)
		free(a->field[i]);
	free(a->field);
}

static void pipe_free(struct tpipe *pp)
{
	if (!pp)
		return;
	for (int c = 0; c < pp->ncmd; c++) {
		for (int a = 0; a < pp->cmd[c].narg; a++)
			arg_clear(&pp->cmd[c].arg[a]);
		free(pp->cmd[c].arg);
	}
	free(pp->cmd);
	free(pp->decl[0]);
	free(pp->decl[1]);
	free(pp);
}

static void nodes_free(struct tnode *n)
{
	while (n) {
		struct tnode *nx = n->next;

		free(n->text);
		pipe_free(n->pipe);
		nodes_free(n->list);
		nodes_free(n->elselist);
		free(n);
		n = nx;
	}
}

static int parse_pipe(struct parser *p, bool in_range, bool in_paren, struct tpipe **out);

/* Fields read after a term, with no space between: `$x.A.B`, `(...).A`. */
static int parse_chain(struct parser *p, struct targ *a)
{
	while (peek(p)->kind == T_FIELD && !peek(p)->sp) {
		char **nf = realloc(a->field, (size_t)(a->nfield + 1) * sizeof(*nf));

		if (!nf)
			return cnm_errf(p->err, -ENOMEM, "out of memory");
		a->field = nf;
		a->field[a->nfield++] = next(p)->s;
		p->toks[p->itok - 1].s = NULL;
	}
	return 0;
}

static int parse_number(struct parser *p, const struct tok *t, struct targ *a)
{
	char *end;

	errno = 0;
	a->ival = strtoll(t->s, &end, 0);
	if (!*end && !errno) {
		a->is_int = true;
		a->num = (double)a->ival;
		return 0;
	}
	a->num = strtod(t->s, &end);
	if (*end || errno)
		return perr(p, t->col, "bad number");
	return 0;
}

static int parse_operand(struct parser *p, struct targ *a)
{
	struct tok *t = next(p);
	int rc = 0;

	memset(a, 0, sizeof(*a));
	switch (t->kind) {
	case T_DOT: a->kind = TA_DOT; break;
	case T_FIELD:
		a->kind = TA_FIELD;
		a->field = malloc(sizeof(*a->field));
		if (!a->field)
			return cnm_errf(p->err, -ENOMEM, "out of memory");
		a->field[a->nfield++] = t->s;
		t->s = NULL;
		break;
	case T_VAR: a->kind = TA_VAR; a->s = t->s; t->s = NULL; break;
	case T_STRING: a->kind = TA_STRING; a->s = t->s; t->s = NULL; break;
	case T_NUMBER:
		a->kind = TA_NUMBER;
		rc = parse_number(p, t, a);
		break;
	case T_IDENT:
		if (!strcmp(t->s, "true") || !strcmp(t->s, "false")) {
			a->kind = TA_BOOL;
			a->b = t->s[0] == 't';
		} else if (!strcmp(t->s, "nil")) {
			a->kind = TA_NIL;
		} else {
			a->kind = TA_IDENT;
			a->s = t->s;
			t->s = NULL;
		}
		break;
	case T_LPAREN:
		a->kind = TA_PIPE;
		rc = parse_pipe(p, false, true, &a->pipe);
		if (!rc && next(p)->kind != T_RPAREN)
			rc = perr(p, t->col, "unclosed left paren");
		break;
	default:
		return perr(p, t->col, "unexpected token in an operand");
	}
	return rc ? rc : parse_chain(p, a);
}

static int parse_cmd(struct parser *p, struct tcmd *c)
{
	memset(c, 0, sizeof(*c));
	for (;;) {
		enum tok_kind k = peek(p)->kind;
		struct targ *na;
		int rc;

		if (k == T_END || k == T_PIPE || k == T_RPAREN)
			break;
		if (c->narg && !peek(p)->sp && k != T_LPAREN)
			return perr(p, peek(p)->col, "missing space between operands");
		na = realloc(c->arg, (size_t)(c->narg + 1) * sizeof(*na));
		if (!na)
			return cnm_errf(p->err, -ENOMEM, "out of memory");
		c->arg = na;
		rc = parse_operand(p, &c->arg[c->narg]);
		c->narg++;
		if (rc)
			return rc;
	}
	if (!c->narg)
		return perr(p, peek(p)->col, "missing command");
	return 0;
}

/* `$x :=`, `$x =`, and in range `$i, $e :=`; the names move into @pp. */
static int parse_decl(struct parser *p, bool in_range, struct tpipe *pp)
{
	int save = p->itok, n = 1;

	if (peek(p)->kind != T_VAR)
		return 0;
	next(p);
	if (in_range && peek(p)->kind == T_COMMA) {
		next(p);
		if (peek(p)->kind != T_VAR)
			return perr(p, peek(p)->col, "range can only declare variables");
		next(p);
		n = 2;
	}
	if (peek(p)->kind == T_DECLARE || (peek(p)->kind == T_ASSIGN && n == 1)) {
		pp->assign = next(p)->kind == T_ASSIGN;
		pp->ndecl = n;
		pp->decl[0] = p->toks[save].s;
		p->toks[save].s = NULL;
		if (n == 2) {
			pp->decl[1] = p->toks[save + 2].s;
			p->toks[save + 2].s = NULL;
		}
		return 0;
	}
	if (n == 2)
		return perr(p, p->toks[save].col, "expected := after two variables");
	p->itok = save;
	return 0;
}

static int parse_pipe(struct parser *p, bool in_range, bool in_paren, struct tpipe **out)
{
	struct tpipe *pp = calloc(1, sizeof(*pp));
	int rc;

	if (!pp)
		return cnm_errf(p->err, -ENOMEM, "out of memory");
	rc = parse_decl(p, in_range, pp);
	while (!rc) {
		struct tcmd *nc = realloc(pp->cmd, (size_t)(pp->ncmd + 1) * sizeof(*nc));

		if (!nc) {
			rc = cnm_errf(p->err, -ENOMEM, "out of memory");
			break;
		}
		pp->cmd = nc;
		rc = parse_cmd(p, &pp->cmd[pp->ncmd]);
		pp->ncmd++;
		if (rc || peek(p)->kind != T_PIPE)
			break;
		next(p);
	}
	if (!rc && !in_paren && peek(p)->kind != T_END)
		rc = perr(p, peek(p)->col, peek(p)->kind == T_RPAREN ? "unexpected right paren" :
								       "unexpected token after the pipeline");
	if (rc) {
		pipe_free(pp);
		return rc;
	}
	*out = pp;
	return 0;
}

static int parse_list(struct parser *p, struct tnode **out, enum stop *stop, struct tnode **elseif);

static struct tnode *node_new(struct parser *p, enum tn_kind k)
{
	struct tnode *n = calloc(1, sizeof(*n));

	if (!n) {
		cnm_errf(p->err, -ENOMEM, "out of memory");
		return NULL;
	}
	n->kind = k;
	n->len = p->pos - p->act_start;
	n->text = strndup(p->src + p->act_start, n->len);
	return n;
}

/*
 * The body of if/range/with after its pipeline: the list, and an else list
 * that is either a list ending in `end`, or (`else if`) one more if node.
 */
static int parse_control(struct parser *p, struct tnode *n)
{
	struct tnode *elseif = NULL;
	enum stop stop;
	int rc;

	rc = parse_list(p, &n->list, &stop, &elseif);
	if (rc) {
		nodes_free(elseif);
		return rc;
	}
	if (stop == STOP_EOF)
		return perr(p, p->pos, "unexpected end of the template: missing {{end}}");
	if (stop == STOP_END)
		return 0;
	if (elseif) {
		n->elselist = elseif;
		return parse_control(p, elseif);
	}
	rc = parse_list(p, &n->elselist, &stop, &elseif);
	nodes_free(elseif);	/* only after an {{else}} that is wrong here */
	if (!rc && stop != STOP_END)
		rc = perr(p, p->pos, stop == STOP_EOF ? "missing {{end}} after {{else}}" :
							 "a second {{else}}");
	return rc;
}

/* An action after its `{{`: a node to add, nothing (comment), or a stop. */
static int parse_action(struct parser *p, struct tnode **out, enum stop *stop,
			struct tnode **elseif)
{
	struct tok *t;
	int rc;

	*out = NULL;
	rc = lex_action(p);
	if (rc)
		return rc;
	t = peek(p);
	if (t->kind == T_END)
		return perr(p, t->col, "missing value for command");
	if (is_ident(t, "end") || is_ident(t, "else")) {
		bool is_else = is_ident(next(p), "else");

		if (is_else && is_ident(peek(p), "if")) {
			next(p);
			*elseif = node_new(p, TN_IF);
			if (!*elseif)
				return -ENOMEM;
			rc = parse_pipe(p, false, false, &(*elseif)->pipe);
		} else if (peek(p)->kind != T_END) {
			rc = perr(p, peek(p)->col, "unexpected token after end or else");
		}
		*stop = is_else ? STOP_ELSE : STOP_END;
		return rc;
	}
	if (is_ident(t, "if") || is_ident(t, "range") || is_ident(t, "with")) {
		enum tn_kind k = is_ident(t, "if") ? TN_IF : is_ident(t, "range") ? TN_RANGE : TN_WITH;
		struct tnode *n = node_new(p, k);

		next(p);
		if (!n)
			return -ENOMEM;
		*out = n;
		rc = parse_pipe(p, k == TN_RANGE, false, &n->pipe);
		toks_free(p);
		return rc ? rc : parse_control(p, n);
	}
	if (is_ident(t, "define") || is_ident(t, "template") || is_ident(t, "block") ||
	    is_ident(t, "break") || is_ident(t, "continue"))
		return perr(p, t->col, "define, template, block, break and continue are not supported");
	*out = node_new(p, TN_ACTION);
	if (!*out)
		return -ENOMEM;
	return parse_pipe(p, false, false, &(*out)->pipe);
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * Skip a comment action (slash-star to star-slash, then the closing
 * delimiter) at p->pos, which is after `{{` and any trim marker.
 */
static int skip_comment(struct parser *p)
{
	const char *e = strstr(p->src + p->pos + 2, "*/");
	size_t i;

	if (!e)
		return perr(p, p->act_start, "unclosed comment");
	i = (size_t)(e - p->src) + 2;
	p->trim_next = false;
	if (p->src[i] == ' ' && p->src[i + 1] == '-' && p->src[i + 2] == '}' && p->src[i + 3] == '}') {
		p->trim_next = true;
		i += 2;
	}
	if (p->src[i] != '}' || p->src[i + 1] != '}')
		return perr(p, i, "comment ends without closing delimiter");
	p->pos = i + 2;
	return 0;
}

static int parse_list(struct parser *p, struct tnode **out, enum stop *stop, struct tnode **elseif)
{
	struct tnode **tail = out;
	int rc = 0;

	*out = NULL;
	*stop = STOP_EOF;
	while (p->src[p->pos]) {
		const char *open = strstr(p->src + p->pos, "{{");
		size_t start = p->pos, end = open ? (size_t)(open - p->src) : strlen(p->src);
		size_t tend = end;
		bool ltrim = open && open[2] == '-' && is_space(open[3]);

		if (p->trim_next)
			while (start < end && is_space(p->src[start]))
				start++;
		if (ltrim)
			while (tend > start && is_space(p->src[tend - 1]))
				tend--;
		if (tend > start) {
			struct tnode *n = calloc(1, sizeof(*n));

			if (!n || !(n->text = strndup(p->src + start, tend - start))) {
				free(n);
				return cnm_errf(p->err, -ENOMEM, "out of memory");
			}
			n->len = tend - start;
			*tail = n;
			tail = &n->next;
		}
		p->trim_next = false;
		if (!open) {
			p->pos = end;
			break;
		}
		p->act_start = end;
		p->pos = end + (ltrim ? 4 : 2);
		if (p->src[p->pos] == '/' && p->src[p->pos + 1] == '*') {
			rc = skip_comment(p);
			if (rc)
				break;
			continue;
		}
		rc = parse_action(p, tail, stop, elseif);
		toks_free(p);
		if (*tail)
			tail = &(*tail)->next;
		if (rc || *stop != STOP_EOF)
			break;
	}
	return rc;
}

/**
 * gotmpl_parse() - parse a Go template.
 * @src: the template text
 * @out: the tree, for gotmpl_exec() and gotmpl_free()
 * @err: filled on failure: where the text is wrong and how
 *
 * Return: 0, -EINVAL for a template that is not valid, -ENOMEM.
 */
int gotmpl_parse(const char *src, struct gotmpl **out, struct cnm_err *err)
{
	struct parser p = { .src = src, .err = err };
	struct gotmpl *t = calloc(1, sizeof(*t));
	struct tnode *elseif = NULL;
	enum stop stop;
	int rc;

	if (!t)
		return cnm_errf(err, -ENOMEM, "out of memory");
	rc = parse_list(&p, &t->root, &stop, &elseif);
	toks_free(&p);
	if (!rc && stop != STOP_EOF)
		rc = perr(&p, p.act_start, stop == STOP_END ? "unexpected {{end}}" :
							     "unexpected {{else}}");
	if (rc) {
		nodes_free(elseif);
		gotmpl_free(t);
		return rc;
	}
	*out = t;
	return 0;
}

/** gotmpl_free() - free a tree from gotmpl_parse(); NULL is fine. */
void gotmpl_free(struct gotmpl *t)
{
	if (!t)
		return;
	nodes_free(t->root);
	free(t);
}
