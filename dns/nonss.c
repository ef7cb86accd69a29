// SPDX-License-Identifier: MIT
/*
 * nonss.c - the services and protocols databases, empty, for the static
 * cnm-dns.
 *
 * DOC: Theory of operation
 * ldns's text conversions of WKS records look service and protocol names
 * up with getservbyname() and friends.  cnm-dns never converts records to
 * or from text, but the references come along with the objects it does
 * use, and in a static link glibc's versions need its NSS modules at run
 * time (the linker warns about each).  These answer "not found", which
 * ldns handles; in the static cnm-dns they stand in for glibc's.
 */
#include <netdb.h>
#include <stddef.h>

struct servent *getservbyname(const char *name, const char *proto)
{
	(void)name;
	(void)proto;
	return NULL;
}

struct servent *getservbyport(int port, const char *proto)
{
	(void)port;
	(void)proto;
	return NULL;
}

void endservent(void)
{
}

struct protoent *getprotobyname(const char *name)
{
	(void)name;
	return NULL;
}

struct protoent *getprotobynumber(int proto)
{
	(void)proto;
	return NULL;
}

void endprotoent(void)
{
}
