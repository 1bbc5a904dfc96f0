/* listener.h: the FastCGI programs' listening socket (--listen unix:/tcp:, systemd, fd 0) and inherited descriptors. */
#ifndef GK_LISTENER_H
#define GK_LISTENER_H

#include <stdbool.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include "common.h"

/* What the program was told about its socket. */
struct gk_listen_opts {
	const char *prog;       /* program name, for the "no listening socket" hint */
	const char *listen;     /* unix:PATH, tcp:HOST:PORT, or NULL: systemd fd 3 or fd 0 */
	const char *owner;      /* USER[:GROUP] for a unix socket, or NULL */
	mode_t mode;            /* of a unix socket */
	bool loopback_only;     /* tcp: only 127/8, ::1 and "localhost" (never resolved) */
	const char *option;     /* the option that gave listen, for messages; NULL: "--listen" */
};

/* A unix socket we created ourselves (removed again on a clean exit). */
struct gk_own_socket {
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	dev_t dev;
	ino_t ino;
	bool made;
};

/*
 * The listening socket, in this order: --listen (unix: replaces only a stale socket, never
 * another file, binds under umask 0177, then owner and mode; tcp: numeric), systemd socket
 * activation (exactly one listening fd 3, LISTEN_* then unset), or a listening fd 0 from a
 * process manager (*server_managed = true).  Fills *fd and, for a unix socket we made, *own
 * (zero it first).  GK_ERR with the message (no program prefix) in err otherwise.
 */
int gk_listener_get(const struct gk_listen_opts *o, struct gk_own_socket *own, int *fd,
    bool *server_managed, struct gk_err *err);

/* Removes the socket gk_listener_get() made, unless someone replaced it meanwhile. */
void gk_listener_remove(const struct gk_own_socket *own);

/*
 * First thing in main(): 0-2 must exist (else the first file we open would become "standard
 * output"; missing ones are opened on /dev/null), and nothing else inherited may reach the
 * sandboxed workers (a stray pipe or file of the caller is a capability) -- except systemd's
 * listening sockets when they are for us.  GK_ERR if 0-2 cannot be made to exist: the
 * caller should _exit(1) without printing (stderr may be the missing one).
 */
int gk_listener_sanitize_fds(struct gk_err *err);

/* The connected peer's address for the log, in buf: its IP for TCP, NULL for a UNIX socket. */
const char *gk_listener_peer_name(int fd, char *buf, size_t bufsz);

#endif
