/* SPDX-License-Identifier: MIT */
/*
 * nlattr.h - netlink messages and attributes: building, walking, parsing.
 *
 * DOC: Theory of operation
 * What cnm needs of a netlink library is small: put a header, an extra
 * header and attributes (nested too) into a buffer, walk the messages of
 * an answer and the attributes of a message, and run a callback over the
 * data messages of an answer until its ACK or DONE.  These are those
 * helpers, inline, with the names and the semantics of libmnl's
 * (nla_put_strz() is nla_put_strz() here, nlmsg_run() is
 * nlmsg_run()), which cnm used before: libmnl has no static archive in
 * Debian, and a cnm linked statically reaches main() ~170 µs sooner than
 * one that loads shared libraries (docs/decisions.md, "One static binary").
 * Sockets are plain file descriptors (nlsock_*() below).
 *
 * Every function trusts the buffer it builds into to be large enough, as
 * libmnl's do: the callers size their buffers for their largest message.
 * The walking functions check every length against the bytes received.
 */
#ifndef CNM_NLATTR_H
#define CNM_NLATTR_H

#include <errno.h>
#include <linux/netlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

/* callback results, as libmnl's MNL_CB_* */
#define NL_CB_ERROR (-1)
#define NL_CB_STOP 0
#define NL_CB_OK 1

typedef int (*nl_cb_t)(const struct nlmsghdr *nlh, void *data);

#define NLMSG_HDRLEN_ALIGNED NLMSG_ALIGN(sizeof(struct nlmsghdr))

/* ---- messages ---------------------------------------------------------- */

static inline struct nlmsghdr *nlmsg_put_header(void *buf)
{
	struct nlmsghdr *nlh = buf;

	memset(nlh, 0, NLMSG_HDRLEN_ALIGNED);
	nlh->nlmsg_len = NLMSG_HDRLEN_ALIGNED;
	return nlh;
}

static inline void *nlmsg_get_payload_tail(const struct nlmsghdr *nlh)
{
	return (char *)nlh + NLMSG_ALIGN(nlh->nlmsg_len);
}

/* the family header (ifinfomsg, nfgenmsg, ...), zeroed */
static inline void *nlmsg_put_extra_header(struct nlmsghdr *nlh, size_t size)
{
	char *p = nlmsg_get_payload_tail(nlh);

	nlh->nlmsg_len += NLMSG_ALIGN(size);
	memset(p, 0, size);
	return p;
}

static inline void *nlmsg_get_payload(const struct nlmsghdr *nlh)
{
	return (char *)nlh + NLMSG_HDRLEN_ALIGNED;
}

static inline void *nlmsg_get_payload_offset(const struct nlmsghdr *nlh, size_t offset)
{
	return (char *)nlh + NLMSG_HDRLEN_ALIGNED + NLMSG_ALIGN(offset);
}

/* Is there a whole message at @nlh, with @len bytes left? */
static inline bool nlmsg_ok(const struct nlmsghdr *nlh, int len)
{
	return len >= (int)sizeof(struct nlmsghdr) && nlh->nlmsg_len >= sizeof(struct nlmsghdr) &&
	       (int)nlh->nlmsg_len <= len;
}

static inline struct nlmsghdr *nlmsg_next(const struct nlmsghdr *nlh, int *len)
{
	*len -= (int)NLMSG_ALIGN(nlh->nlmsg_len);
	return (struct nlmsghdr *)((char *)nlh + NLMSG_ALIGN(nlh->nlmsg_len));
}

/* ---- attributes -------------------------------------------------------- */

static inline uint16_t nla_get_type(const struct nlattr *a)
{
	return a->nla_type & NLA_TYPE_MASK;
}

static inline void *nla_get_payload(const struct nlattr *a)
{
	return (char *)a + NLA_HDRLEN;
}

static inline uint16_t nla_get_payload_len(const struct nlattr *a)
{
	return (uint16_t)(a->nla_len - NLA_HDRLEN);
}

static inline uint8_t nla_get_u8(const struct nlattr *a)
{
	return *(const uint8_t *)nla_get_payload(a);
}

static inline uint16_t nla_get_u16(const struct nlattr *a)
{
	uint16_t v;

	memcpy(&v, nla_get_payload(a), sizeof(v));
	return v;
}

static inline uint32_t nla_get_u32(const struct nlattr *a)
{
	uint32_t v;

	memcpy(&v, nla_get_payload(a), sizeof(v));
	return v;
}

static inline const char *nla_get_str(const struct nlattr *a)
{
	return nla_get_payload(a);
}

/* Is there a whole attribute at @a, with @len bytes left? */
static inline bool nla_ok(const struct nlattr *a, int len)
{
	return len >= (int)sizeof(struct nlattr) && a->nla_len >= sizeof(struct nlattr) &&
	       (int)a->nla_len <= len;
}

static inline struct nlattr *nla_next(const struct nlattr *a)
{
	return (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len));
}

/* Can @a be read as a @len-byte value? */
static inline bool nla_fits(const struct nlattr *a, size_t len)
{
	return nla_get_payload_len(a) >= len;
}

#define nla_for_each(attr, nlh, offset)							\
	for ((attr) = nlmsg_get_payload_offset((nlh), (offset));			\
	     nla_ok((attr), (int)((char *)nlmsg_get_payload_tail(nlh) - (char *)(attr)));	\
	     (attr) = nla_next(attr))

#define nla_for_each_nested(attr, nest)							\
	for ((attr) = nla_get_payload(nest);						\
	     nla_ok((attr), (int)((char *)nla_get_payload(nest) + nla_get_payload_len(nest) -	\
				  (char *)(attr)));						\
	     (attr) = nla_next(attr))

typedef int (*nla_cb_t)(const struct nlattr *attr, void *data);

/* @cb for each attribute of @nlh after its @offset-byte family header */
static inline int nla_parse(const struct nlmsghdr *nlh, size_t offset, nla_cb_t cb, void *data)
{
	const struct nlattr *a;
	int rc;

	nla_for_each(a, nlh, offset)
		if ((rc = cb(a, data)) <= NL_CB_STOP)
			return rc;
	return NL_CB_OK;
}

static inline int nla_parse_nested(const struct nlattr *nest, nla_cb_t cb, void *data)
{
	const struct nlattr *a;
	int rc;

	nla_for_each_nested(a, nest)
		if ((rc = cb(a, data)) <= NL_CB_STOP)
			return rc;
	return NL_CB_OK;
}

static inline void nla_put(struct nlmsghdr *nlh, uint16_t type, size_t len, const void *data)
{
	struct nlattr *a = nlmsg_get_payload_tail(nlh);
	size_t pad = NLA_ALIGN(len) - len;

	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	memcpy(nla_get_payload(a), data, len);
	if (pad)
		memset((char *)nla_get_payload(a) + len, 0, pad);
	nlh->nlmsg_len += NLA_ALIGN(a->nla_len);
}

static inline void nla_put_u8(struct nlmsghdr *nlh, uint16_t type, uint8_t v)
{
	nla_put(nlh, type, sizeof(v), &v);
}

static inline void nla_put_u16(struct nlmsghdr *nlh, uint16_t type, uint16_t v)
{
	nla_put(nlh, type, sizeof(v), &v);
}

static inline void nla_put_u32(struct nlmsghdr *nlh, uint16_t type, uint32_t v)
{
	nla_put(nlh, type, sizeof(v), &v);
}

/* a string with its terminating NUL */
static inline void nla_put_strz(struct nlmsghdr *nlh, uint16_t type, const char *s)
{
	nla_put(nlh, type, strlen(s) + 1, s);
}

static inline struct nlattr *nla_nest_start(struct nlmsghdr *nlh, uint16_t type)
{
	struct nlattr *start = nlmsg_get_payload_tail(nlh);

	start->nla_type = NLA_F_NESTED | type;
	nlh->nlmsg_len += NLA_ALIGN(sizeof(struct nlattr));
	return start;
}

static inline void nla_nest_end(struct nlmsghdr *nlh, struct nlattr *start)
{
	start->nla_len = (uint16_t)((char *)nlmsg_get_payload_tail(nlh) - (char *)start);
}

/* ---- answers ----------------------------------------------------------- */

/*
 * nlmsg_run() - @cb for each data message of an answer, as nlmsg_run().
 * Messages of another sequence or port are refused (errno EPROTO, ESRCH).
 * Return: NL_CB_OK (1) when more messages are to come, NL_CB_STOP (0) at
 * the ACK or DONE, or what @cb stopped with; NL_CB_ERROR (-1) with errno
 * set on an error answer (errno = its code) or a dump the kernel flagged as
 * interrupted (EINTR).
 */
static inline int nlmsg_run(const void *buf, size_t numbytes, uint32_t seq, uint32_t portid,
			    nl_cb_t cb, void *data)
{
	const struct nlmsghdr *nlh = buf;
	int len = (int)numbytes, rc = NL_CB_OK;

	for (; nlmsg_ok(nlh, len); nlh = nlmsg_next(nlh, &len)) {
		if (portid && nlh->nlmsg_pid && nlh->nlmsg_pid != portid) {
			errno = ESRCH;
			return NL_CB_ERROR;
		}
		if (seq && nlh->nlmsg_seq && nlh->nlmsg_seq != seq) {
			errno = EPROTO;
			return NL_CB_ERROR;
		}
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR) {
			errno = EINTR;
			return NL_CB_ERROR;
		}
		if (nlh->nlmsg_type >= NLMSG_MIN_TYPE) {
			if (cb && (rc = cb(nlh, data)) <= NL_CB_STOP)
				return rc;
			continue;
		}
		if (nlh->nlmsg_type == NLMSG_DONE)
			return NL_CB_STOP;
		if (nlh->nlmsg_type == NLMSG_OVERRUN) {
			errno = ENOSPC;
			return NL_CB_ERROR;
		}
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = nlmsg_get_payload(nlh);

			if (nlh->nlmsg_len < NLMSG_HDRLEN_ALIGNED + sizeof(*e)) {
				errno = EBADMSG;
				return NL_CB_ERROR;
			}
			if (e->error) {
				errno = -e->error;
				return NL_CB_ERROR;
			}
			return NL_CB_STOP;
		}
	}
	return rc;
}

/* ---- sockets ----------------------------------------------------------- */

/*
 * nlsock_open() - a netlink socket of @bus, bound to a port the kernel
 * chooses (returned in @portid) and to the multicast @groups (a mask).
 * Return: the descriptor, or -1 with errno.
 */
static inline int nlsock_open(int bus, uint32_t groups, uint32_t *portid)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = groups };
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, bus);

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &sl) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	*portid = sa.nl_pid;
	return fd;
}

/* to the kernel */
static inline ssize_t nlsock_send(int fd, const void *buf, size_t len)
{
	static const struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

	return sendto(fd, buf, len, 0, (const struct sockaddr *)&kernel, sizeof(kernel));
}

/*
 * nlsock_recv() - one datagram from the kernel.  Return: its length, or -1
 * with errno (ENOSPC when it did not fit, ENOMSG when it came from a process).
 */
static inline ssize_t nlsock_recv(int fd, void *buf, size_t len)
{
	struct sockaddr_nl sa;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr mh = { .msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov,
			     .msg_iovlen = 1 };
	ssize_t n = recvmsg(fd, &mh, 0);

	if (n < 0)
		return -1;
	if (mh.msg_flags & MSG_TRUNC) {
		errno = ENOSPC;
		return -1;
	}
	if (mh.msg_namelen != sizeof(sa) || sa.nl_pid != 0) {
		errno = ENOMSG;
		return -1;
	}
	return n;
}

#endif
