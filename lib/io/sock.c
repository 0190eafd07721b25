/* Sockets and the read/write helpers: addresses, listen, accept,
 * non-blocking connect, and loops that survive EINTR, EAGAIN and short
 * transfers (MirageOS MSA03: `written += n`, never `written = n`). */
#define _GNU_SOURCE  /* accept4 */
#include "io.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

int io_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -1;
	int fd_fl = fcntl(fd, F_GETFD);
	if (fd_fl < 0 || fcntl(fd, F_SETFD, fd_fl | FD_CLOEXEC) < 0)
		return -1;
	return 0;
}

/* ---- addresses ---------------------------------------------------------------- */

static int parse_port(const char *s, unsigned *port)
{
	if (!*s || strlen(s) > 5)
		return -1;
	unsigned p = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		p = p * 10 + (unsigned)(*s - '0');
	}
	if (p > 65535)
		return -1;
	*port = p;
	return 0;
}

int io_addr_parse(const char *s, unsigned default_port, struct sockaddr_storage *ss,
		  socklen_t *len, char *err, size_t errlen)
{
	char host[INET6_ADDRSTRLEN + 8];
	const char *port_s = NULL;
	unsigned port = default_port;
	memset(ss, 0, sizeof *ss);
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close || (size_t)(close - s - 1) >= sizeof host || (close[1] && close[1] != ':'))
			goto bad;
		memcpy(host, s + 1, (size_t)(close - s - 1));
		host[close - s - 1] = '\0';
		if (close[1] == ':')
			port_s = close + 2;
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
			goto bad;
		a->sin6_family = AF_INET6;
		*len = sizeof *a;
	} else {
		const char *colon = strrchr(s, ':');
		if (colon && strchr(s, ':') != colon)
			goto bad;  /* a bare IPv6 address: must be in brackets */
		size_t hl = colon ? (size_t)(colon - s) : strlen(s);
		if (hl >= sizeof host)
			goto bad;
		memcpy(host, s, hl);
		host[hl] = '\0';
		if (colon)
			port_s = colon + 1;
		if (!colon && parse_port(s, &port) == 0) {
			host[0] = '\0';  /* "25": a port alone */
		}
		if (!host[0] || !strcmp(host, "*")) {
			struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
			a->sin6_family = AF_INET6;
			a->sin6_addr = in6addr_any;
			*len = sizeof *a;
		} else {
			struct sockaddr_in *a = (struct sockaddr_in *)ss;
			if (!strcmp(host, "localhost"))
				strcpy(host, "127.0.0.1");
			if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
				goto bad;
			a->sin_family = AF_INET;
			*len = sizeof *a;
		}
	}
	if (port_s && parse_port(port_s, &port) < 0)
		goto bad;
	if (!port_s && !port)
		goto bad;
	if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
	else
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
	return 0;
bad:
	snprintf(err, errlen, "%s: not ADDR:PORT (a numeric address, IPv6 in brackets)", s);
	return -1;
}

char *io_addr_format(const struct sockaddr *sa, char *buf, size_t len)
{
	char h[INET6_ADDRSTRLEN];
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)sa;
		inet_ntop(AF_INET6, &a->sin6_addr, h, sizeof h);
		snprintf(buf, len, "[%s]:%u", h, ntohs(a->sin6_port));
	} else if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)sa;
		inet_ntop(AF_INET, &a->sin_addr, h, sizeof h);
		snprintf(buf, len, "%s:%u", h, ntohs(a->sin_port));
	} else {
		snprintf(buf, len, "unknown");
	}
	return buf;
}

unsigned io_local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return 0;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

/* ---- listen, accept, connect ---------------------------------------------------- */

int io_listen(const char *addr, int backlog, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t len;
	if (io_addr_parse(addr, 0, &ss, &len, err, errlen) < 0)
		return -1;
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "%s: socket: %s", addr, strerror(errno));
		return -1;
	}
	int one = 1, v6only = 0;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (ss.ss_family == AF_INET6) {
		/* the any address takes IPv4 too; a specific one only itself */
		v6only = !IN6_IS_ADDR_UNSPECIFIED(&((struct sockaddr_in6 *)&ss)->sin6_addr);
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
	}
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, backlog > 0 ? backlog : SOMAXCONN) < 0) {
		snprintf(err, errlen, "%s: %s", addr, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int io_accept(int lfd, struct sockaddr_storage *peer, socklen_t *peerlen)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	int fd;
	do
		fd = accept4(lfd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
	while (fd < 0 && (errno == EINTR || errno == ECONNABORTED));
	if (fd < 0) {
		if (errno == EWOULDBLOCK)
			errno = EAGAIN;
		return -1;
	}
	if (peer)
		memcpy(peer, &ss, len);
	if (peerlen)
		*peerlen = len;
	return fd;
}

int io_connect(const struct sockaddr *sa, socklen_t len)
{
	int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, sa, len) < 0 && errno != EINPROGRESS && errno != EINTR) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

int io_connect_done(int fd)
{
	int e = 0;
	socklen_t len = sizeof e;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0)
		return errno;
	return e;
}

/* ---- read and write ---------------------------------------------------------------- */

ssize_t io_read(int fd, void *buf, size_t n)
{
	for (;;) {
		ssize_t r = read(fd, buf, n);
		if (r >= 0)
			return r;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return IO_AGAIN;
		return -1;
	}
}

ssize_t io_write(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	size_t done = 0;
	int sock = 1;
	while (done < n) {
		ssize_t r = sock ? send(fd, p + done, n - done, MSG_NOSIGNAL) : write(fd, p + done, n - done);
		if (r < 0 && sock && errno == ENOTSOCK) {
			sock = 0;
			continue;
		}
		if (r > 0) {
			done += (size_t)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (r == 0)
			break;
		return done ? (ssize_t)done : -1;
	}
	return (ssize_t)done;
}

/* ---- the output queue ------------------------------------------------------------- */

int io_buf_add(struct io_buf *b, const void *p, size_t n)
{
	if (!n)
		return 0;
	if (b->off && b->off == b->len)
		b->off = b->len = 0;
	if (b->len + n > b->cap) {
		if (b->off) {  /* slide down first */
			memmove(b->data, b->data + b->off, b->len - b->off);
			b->len -= b->off;
			b->off = 0;
		}
		if (b->len + n > b->cap) {
			if (n > SIZE_MAX / 2 - b->len)
				return -1;
			size_t cap = b->cap ? b->cap : 4096;
			while (cap < b->len + n)
				cap *= 2;
			char *d = realloc(b->data, cap);
			if (!d)
				return -1;
			b->data = d;
			b->cap = cap;
		}
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

size_t io_buf_pending(const struct io_buf *b) { return b->len - b->off; }

void io_buf_drop(struct io_buf *b, size_t n)
{
	b->off += n < b->len - b->off ? n : b->len - b->off;
	if (b->off == b->len)
		b->off = b->len = 0;
}

int io_buf_flush(struct io_buf *b, int fd)
{
	if (b->off == b->len)
		return 0;
	ssize_t w = io_write(fd, b->data + b->off, b->len - b->off);
	if (w < 0)
		return -1;
	io_buf_drop(b, (size_t)w);
	return b->off == b->len ? 0 : 1;
}

void io_buf_free(struct io_buf *b)
{
	free(b->data);
	*b = (struct io_buf){0};
}
