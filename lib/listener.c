/* listener.c: the FastCGI programs' listening socket (--listen unix:/tcp:, systemd, fd 0) and inherited descriptors. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "listener.h"

static bool
is_listening(int fd)
{
	int v = 0;
	socklen_t len = sizeof(v);

	return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) == 0 && v == 1;
}

static int
resolve_owner(const char *spec, uid_t *uid, gid_t *gid)
{
	char user[256];
	const char *colon = strchr(spec, ':');
	struct passwd *pw;
	struct group *gr;
	size_t n = colon ? (size_t)(colon - spec) : strlen(spec);

	*uid = (uid_t)-1;
	*gid = (gid_t)-1;
	if (gk_memcpy_str(user, sizeof(user), spec, n) != GK_OK)
		return -1;
	if (user[0] != '\0') {
		if ((pw = getpwnam(user)) == NULL)
			return -1;
		*uid = pw->pw_uid;
		*gid = pw->pw_gid;
	}
	if (colon != NULL && colon[1] != '\0') {
		if ((gr = getgrnam(colon + 1)) == NULL)
			return -1;
		*gid = gr->gr_gid;
	}
	return 0;
}

static int
listen_unix(const char *path, const struct gk_listen_opts *o, struct gk_own_socket *own,
    int *out, struct gk_err *err)
{
	struct sockaddr_un sa;
	struct stat st;
	mode_t old;
	int fd, rc;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (path[0] != '/' || gk_strcpy(sa.sun_path, sizeof(sa.sun_path), path) != GK_OK)
		return gk_err_set(err, "%s: socket path must be absolute and at most %zu bytes",
		    path, sizeof(sa.sun_path) - 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return gk_err_set(err, "socket: %s", strerror(errno));
	if (lstat(path, &st) == 0) {
		/* Replace only a stale socket: never another file, never a live server's socket. */
		if (!S_ISSOCK(st.st_mode)) {
			gk_err_set(err, "%s exists and is not a socket", path);
			goto fail;
		}
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			gk_err_set(err, "%s: another server is listening there", path);
			goto fail;
		}
		close(fd);
		if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 || unlink(path) != 0) {
			gk_err_set(err, "%s: cannot replace stale socket: %s", path, strerror(errno));
			goto fail;
		}
	}
	old = umask(0177);      /* no window in which others may connect */
	rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc != 0 || listen(fd, SOMAXCONN) != 0) {
		gk_err_set(err, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (stat(path, &st) == 0) {
		gk_strcpy(own->path, sizeof(own->path), path);
		own->dev = st.st_dev;
		own->ino = st.st_ino;
		own->made = true;
	}
	if (o->owner != NULL) {
		uid_t uid;
		gid_t gid;

		/* (getpwnam() need not set errno for "no such user": no stale one in the message.) */
		errno = 0;
		if (resolve_owner(o->owner, &uid, &gid) != 0 || chown(path, uid, gid) != 0) {
			gk_err_set(err, "%s: cannot set owner %s: %s", path, o->owner,
			    errno ? strerror(errno) : "unknown user or group");
			goto fail;
		}
	}
	if (chmod(path, o->mode) != 0) {
		gk_err_set(err, "chmod %s: %s", path, strerror(errno));
		goto fail;
	}
	*out = fd;
	return GK_OK;
fail:
	if (fd >= 0)
		close(fd);
	return GK_ERR;
}

static bool
is_loopback(const struct sockaddr *sa)
{
	static const struct in6_addr lo6 = IN6ADDR_LOOPBACK_INIT;

	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
	if (sa->sa_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)sa)->sin6_addr, &lo6, sizeof(lo6)) == 0;
	return false;
}

/*
 * tcp:IPV4:PORT or tcp:[IPV6]:PORT, numeric.  With loopback_only (gatekeep-login): also
 * tcp:localhost:PORT, and nothing but loopback, because anyone who can connect to the
 * FastCGI socket can claim any REMOTE_ADDR (and so dodge the lockout).
 */
static int
listen_tcp(const char *spec, bool loopback_only, int *out, struct gk_err *err)
{
	char host[256];
	const char *port;
	struct addrinfo hints, *ai = NULL;
	int fd = -1, one = 1;

	if (spec[0] == '[') {
		const char *rb = strchr(spec, ']');

		if (rb == NULL || rb[1] != ':' ||
		    gk_memcpy_str(host, sizeof(host), spec + 1, (size_t)(rb - spec - 1)) != GK_OK)
			goto bad;
		port = rb + 2;
	} else {
		const char *colon = strrchr(spec, ':');

		if (colon == NULL ||
		    gk_memcpy_str(host, sizeof(host), spec, (size_t)(colon - spec)) != GK_OK)
			goto bad;
		port = colon + 1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if (loopback_only && strcmp(host, "localhost") == 0)
		gk_strcpy(host, sizeof(host), "127.0.0.1");     /* never ask a resolver */
	if (host[0] == '\0' || port[0] == '\0' || getaddrinfo(host, port, &hints, &ai) != 0)
		goto bad;
	if (loopback_only && !is_loopback(ai->ai_addr)) {
		freeaddrinfo(ai);
		return gk_err_set(err, "tcp:%s: not a loopback address (the FastCGI socket is "
		    "not authenticated: use unix:PATH or tcp:127.0.0.1:PORT)", spec);
	}
	if ((fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, SOMAXCONN) != 0) {
		gk_err_set(err, "tcp:%s: %s", spec, strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return GK_ERR;
	}
	freeaddrinfo(ai);
	*out = fd;
	return GK_OK;
bad:
	if (loopback_only)
		return gk_err_set(err, "tcp:%s: expected tcp:127.x.y.z:PORT, tcp:[::1]:PORT or "
		    "tcp:localhost:PORT", spec);
	return gk_err_set(err, "tcp:%s: expected tcp:IPV4:PORT or tcp:[IPV6]:PORT (numeric)", spec);
}

int
gk_listener_get(const struct gk_listen_opts *o, struct gk_own_socket *own, int *fd,
    bool *server_managed, struct gk_err *err)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");

	*fd = -1;
	*server_managed = false;
	if (o->listen != NULL) {
		if (strncmp(o->listen, "unix:", 5) == 0)
			return listen_unix(o->listen + 5, o, own, fd, err);
		if (strncmp(o->listen, "tcp:", 4) == 0)
			return listen_tcp(o->listen + 4, o->loopback_only, fd, err);
		return gk_err_set(err, "%s %s: expected unix:PATH or %s",
		    o->option != NULL ? o->option : "--listen", o->listen,
		    o->loopback_only ? "tcp:127.0.0.1:PORT" : "tcp:HOST:PORT");
	}
	if (pid != NULL && fds != NULL && strtol(pid, NULL, 10) == (long)getpid()) {
		unsetenv("LISTEN_PID");
		unsetenv("LISTEN_FDS");
		unsetenv("LISTEN_FDNAMES");
		if (strcmp(fds, "1") != 0 || !is_listening(3))
			return gk_err_set(err, "systemd must pass exactly one listening socket");
		*fd = 3;
		return GK_OK;
	}
	if (is_listening(0)) {
		*server_managed = true;
		*fd = 0;
		return GK_OK;
	}
	return gk_err_set(err, "no listening socket: use --listen, systemd socket activation, "
	    "or let the web server (mod_fcgid, lighttpd bin-path, spawn-fcgi) start %s", o->prog);
}

void
gk_listener_remove(const struct gk_own_socket *own)
{
	struct stat st;

	if (own->made && lstat(own->path, &st) == 0 && st.st_dev == own->dev &&
	    st.st_ino == own->ino)
		unlink(own->path);
}

int
gk_listener_sanitize_fds(struct gk_err *err)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	unsigned first = 3;
	int fd;

	for (fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF &&
		    open("/dev/null", O_RDWR | O_NOCTTY) != fd)
			return gk_err_set(err, "cannot open /dev/null as descriptor %d", fd);
	if (pid != NULL && fds != NULL && strtol(pid, NULL, 10) == (long)getpid())
		first = 3 + (unsigned)strtol(fds, NULL, 10);
	if (first < 3 || first > 64)
		first = 3;      /* nonsense: gk_listener_get() refuses it anyway */
	close_range(first, ~0U, 0);
	return GK_OK;
}

/* The peer's address for the log: IP for TCP, NULL ("-") for a UNIX socket. */
const char *
gk_listener_peer_name(int fd, char *buf, size_t bufsz)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len = sizeof(ss);

	if (getpeername(fd, (struct sockaddr *)&ss, &len) != 0)
		return NULL;
	if (ss.ss_family == AF_INET)
		return inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, buf, (socklen_t)bufsz);
	if (ss.ss_family == AF_INET6)
		return inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, buf,
		    (socklen_t)bufsz);
	return NULL;
}
