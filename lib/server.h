/* server.h: the FastCGI programs' one process runtime: descriptors, socket, privilege drop, sandbox, worker pool, signals. */
#ifndef GK_SERVER_H
#define GK_SERVER_H

#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "common.h"
#include "conf.h"
#include "log.h"
#include "sandbox.h"

/* The options every FastCGI program takes. */
struct gk_server_opts {
	const char *config;             /* -c FILE, or NULL: $GATEKEEP_CONFIG or the default */
	const char *listen;             /* --listen, or NULL: systemd fd 3 or fd 0 */
	const char *owner;              /* --socket-owner USER[:GROUP], or NULL */
	mode_t mode;                    /* --socket-mode, default 0660 */
	long workers;                   /* --workers (when workers_set) */
	bool workers_set;
	bool debug;                     /* -d: log to stderr at debug */
};

/*
 * Their getopt_long() entries, with --check-config ('C'), --help ('h') and --version ('V'),
 * which each program answers itself (it adds its own options and the NULL entry).
 */
#define GK_SERVER_LONGOPTS \
	{ "config", required_argument, NULL, 'c' }, \
	{ "listen", required_argument, NULL, 'l' }, \
	{ "socket-mode", required_argument, NULL, 'm' }, \
	{ "socket-owner", required_argument, NULL, 'o' }, \
	{ "workers", required_argument, NULL, 'w' }, \
	{ "debug", no_argument, NULL, 'd' }, \
	{ "check-config", no_argument, NULL, 'C' }, \
	{ "help", no_argument, NULL, 'h' }, \
	{ "version", no_argument, NULL, 'V' }

/* The defaults (socket mode 0660, nothing else set). */
void gk_server_opts_init(struct gk_server_opts *o);

/*
 * One option of GK_SERVER_LONGOPTS (getopt's ch and optarg) into o: 1 if it was one, 0
 * if ch is another option, -1 if its value is bad ("prog: --workers 0: 1..max" printed).
 */
int gk_server_option(struct gk_server_opts *o, const char *prog, long workers_max, int ch,
    const char *arg);

/*
 * What a program gives gk_server_run(): its options and its callbacks.  The program owns
 * all its state behind arg; the runtime owns the order of the steps (the same in every
 * program, as OpenBSD's slowcgi has one), the socket and the signal flags.
 */
struct gk_server_spec {
	const char *prog;               /* the log's and the messages' name */
	struct gk_server_opts opts;
	bool validate;                  /* the boot configuration must pass gk_config_validate() */
	bool loopback_only;             /* tcp: only 127/8, ::1 and "localhost" */
	long workers_max;               /* without --workers: one per CPU (or two), at most this */
	bool multiplexing;              /* a worker serves many connections: one per two CPUs */
	bool libfcgi;                   /* FCGX_Init() before the workers start */
	void *arg;
	/*
	 * Whether this configuration keeps files in state_dir (lockout table, metrics): then
	 * lib/statedir makes it ready for run_user before prepare.  May be NULL (never).
	 */
	bool (*wants_state_dir)(const struct gk_config *boot);
	/*
	 * As root (if started so), after the socket and before the privilege drop, with the
	 * boot configuration (run_user picked): what must be made before the drop.  May be NULL.
	 */
	int (*prepare)(void *arg, struct gk_config *boot, const struct gk_log *log,
	    struct gk_err *err);
	/*
	 * After the drop, as run_user: load what a request needs.  boot may be taken over
	 * (then zeroed: gk_config_free of a zeroed configuration does nothing).  GK_OK or fail.
	 */
	int (*start)(void *arg, struct gk_config *boot, struct gk_err *err);
	/*
	 * In each serving process before its first accept: install any filter of the program's
	 * own (stacked before lib/sandbox's, whose allow-list forbids seccomp(2) itself) and
	 * name the system calls it needs on top of lib/sandbox's list (*extra, NULL-ended, or
	 * NULL).  Called only when mode is not GK_SANDBOX_OFF; may be NULL.
	 */
	int (*sandbox)(void *arg, enum gk_sandbox_mode mode, const char *const **extra,
	    struct gk_err *err);
	/*
	 * One worker's loop on the listening socket fd (one of `workers` serving processes):
	 * serve while gk_server_running(), passing gk_server_wake() to lib/fcgiloop or
	 * lib/evloop as their cancel flag, and return gk_server_served(); negative (logged) if
	 * it cannot serve.
	 */
	int (*serve)(void *arg, int fd, unsigned workers);
	/* SIGHUP: load the new state and swap it in (GK_OK), or keep the old one.  May be NULL. */
	int (*reload)(void *arg, struct gk_err *err);
	/* The log to use now (after start; a reload may change it). */
	const struct gk_log *(*log)(void *arg);
	/* At the end, after start succeeded: free the state.  May be NULL. */
	void (*stop)(void *arg);
};

/*
 * Runs a FastCGI program, in this order: sanitises the inherited descriptors (lib/listener;
 * _exit(1) silently if 0-2 cannot be made to exist), reads GATEKEEP_SECCOMP, loads the boot
 * configuration and opens the log, ignores SIGPIPE, gets the socket (as root: /run,
 * --socket-owner), picks run_user, makes state_dir ready (lib/statedir), calls prepare, drops privileges and sets no_new_privs,
 * calls start, FCGX_Init() if asked, then serves until SIGTERM or SIGINT: one process when
 * a web server started it on fd 0 without --workers (it manages processes), else a pool of
 * workers (lib/prefork), each entering the seccomp sandbox before serving.  Removes the
 * socket it made.  Returns the exit status (0, or 1 with the reason logged or printed).
 */
int gk_server_run(const struct gk_server_spec *spec);

/* In a worker: false once SIGTERM/SIGINT (stop) or SIGHUP (reload) arrived. */
bool gk_server_running(void);

/* The flag SIGTERM, SIGINT and SIGHUP set, for the request loops' cancel argument. */
const volatile sig_atomic_t *gk_server_wake(void);

/* What serve returns when it stopped looping: GK_PREFORK_STOP, or GK_PREFORK_RELOAD (flags cleared). */
int gk_server_served(void);

#endif
