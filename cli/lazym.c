// SPDX-License-Identifier: MIT
/*
 * lazym.c - the C math library, loaded only if something calls it.
 *
 * DOC: Theory of operation
 * SQLite, linked statically, brings its SQL math functions (sin(), pow(),
 * ...) and with them a dependency on libm.  cnm's own SQL never calls one,
 * but the dynamic loader mapped libm and ran its ~100 IFUNC resolvers in
 * every command: 130 µs of the 0.9 ms it takes to reach main(), measured
 * from the shell that starts it (docs/decisions.md, "One static binary").
 *
 * So the cnm binary is linked without -lm and these definitions satisfy
 * SQLite's references: the first call of each opens libm.so.6 and forwards
 * to the real function, so a query that does use one still gets libm's
 * answer.  Only the binary has this file; libcnm.a users link libm
 * themselves.  A newer SQLite that needs another function fails to link,
 * which says to add it here.
 */
#include <dlfcn.h>
#include <math.h>
#include <stddef.h>

typedef double (*math1_fn)(double);
typedef double (*math2_fn)(double, double);

/* NULL when libm cannot be loaded: the functions then answer NaN */
static void *libm_sym(const char *name)
{
	static void *libm;

	if (!libm)
		libm = dlopen("libm.so.6", RTLD_NOW | RTLD_LOCAL);
	return libm ? dlsym(libm, name) : NULL;
}

#define MATH1(name)							\
	double name(double x)						\
	{								\
		static math1_fn fn;					\
		if (!fn)						\
			fn = (math1_fn)libm_sym(#name);			\
		return fn ? fn(x) : NAN;				\
	}
#define MATH2(name)							\
	double name(double x, double y)					\
	{								\
		static math2_fn fn;					\
		if (!fn)						\
			fn = (math2_fn)libm_sym(#name);			\
		return fn ? fn(x, y) : NAN;				\
	}

MATH1(acos)
MATH1(acosh)
MATH1(asin)
MATH1(asinh)
MATH1(atan)
MATH1(atanh)
MATH1(cos)
MATH1(cosh)
MATH1(exp)
MATH1(log)
MATH1(sin)
MATH1(sinh)
MATH1(sqrt)
MATH1(tan)
MATH1(tanh)
MATH1(trunc)
MATH2(atan2)
MATH2(fmod)
MATH2(pow)
