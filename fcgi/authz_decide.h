/* authz_decide.h: the gatekeep-authz decision chain over one request's FastCGI params. */
#ifndef GK_AUTHZ_DECIDE_H
#define GK_AUTHZ_DECIDE_H

#include "common.h"
#include "auth.h"
#include "policy.h"	/* and through it lib/conf.h */
#include "credcache.h"
#include "lockout.h"
#include "log.h"
#include "password.h"
#include "record.h"
#include "request.h"
#include "secret.h"
#include "ticket.h"
#include "userbackend.h"
#include "userdb.h"

#define GK_AUTHZ_PARAMS_MAX 512          /* FastCGI params per request */
#define GK_AUTHZ_TARGET_MAX 2048         /* original URL kept for the login redirect */

/* Per-worker state; lives across requests, holds nothing about a request (`readings` aside). */
struct gk_authz {
	const struct gk_config *cfg;
	const struct gk_log *log;
	struct gk_secret secret;        /* follows secret_file (gk_secret_refresh) */
	int64_t (*now)(void);           /* injectable clock */
	/*
	 * The password and session checks and what they own (gk_auth_open): the user
	 * backend, the hash context, the credential cache (NULL when basic_cache_ttl = 0),
	 * the shared failure table (NULL unless Basic counts failures or the store is Redis).
	 */
	struct gk_auth auth;
	/* The last (user, e-mail) pair refused as taken, to skip rescanning for a while. */
	char email_memo_user[GK_USER_MAX + 1];
	char email_memo[GK_EMAIL_MAX + 1];
	int64_t email_memo_until;
	struct gk_requirement any;      /* "any", parsed once: the default requirement */
	/*
	 * The readings of one request's path (lib/pathread, 48 KB): allocated once, so that a
	 * decision's stack frame stays a few pages (every page of a larger frame is probed, a
	 * cost on every request).  Written and read only inside one gk_authz_decide().
	 */
	struct gk_path_readings *readings;
};

enum gk_outcome {
	GK_OUT_ALLOW = 0,
	GK_OUT_NOCRED,          /* 401 / login redirect */
	GK_OUT_BADCRED,         /* answered exactly like NOCRED */
	GK_OUT_FORBIDDEN,       /* 403 */
	GK_OUT_ERROR            /* 500 */
};

/*
 * Everything the answer needs.  gk_authz_decide() resets the fields above `attempted` and
 * makes every buffer below it the empty string; gk_authz_decision_wipe() wipes what the
 * request wrote.  (Not all 13 KB on every request: that was a fifth of a cached decision.)
 */
struct gk_decision {
	enum gk_outcome outcome;
	enum gk_role role;
	bool have_user;                 /* user holds a user (its hash already wiped) */
	bool offer_basic;               /* send WWW-Authenticate: Basic */
	bool redirect;                  /* browser: login redirect wanted */
	bool caddy;                     /* frontend = caddy */
	bool location_written;          /* location was written (it may hold a query's token) */
	bool ticket_written;            /* ticket was written (a bearer credential) */
	bool user_written;              /* a lookup wrote user (authz_user_slot): wiped whole */
	uint32_t amr;                   /* session: GK_AMR_* of its token (second factor) */
	const char *method;             /* "basic", "session", "proxy", "bypass", "apache" or NULL */
	const char *reason;             /* deny reason for the log */
	const char *from;               /* REMOTE_ADDR */
	/* --- buffers: "" after the reset, wiped as far as written --- */
	char attempted[GK_USER_MAX + 1];        /* user name claimed by failed credentials */
	char path[GK_PATH_MAX + 1];     /* normalised path, or raw path on error (for logs) */
	char location[GK_AUTHZ_TARGET_MAX * 3 + 512];   /* login_url?rd=... or "" */
	char ticket[GK_TICKET_HEADER_MAX];      /* zero-hop ticket Set-Cookie line or "" (lib/ticket.h) */
	struct gk_user user;            /* when have_user (hash wiped) */
};

/*
 * Per worker. With Basic enabled it also opens the lockout table (creating
 * the state directory, mode 0700, if it is missing): failing here is a start-up
 * error, never a silent lock-out of every Basic user.
 */
int gk_authz_init(struct gk_authz *a, const struct gk_config *cfg, const struct gk_log *log,
    struct gk_err *err);
void gk_authz_free(struct gk_authz *a);

/*
 * Start-up check of the lockout for the supervisor, once, before forking:
 * a broken set-up then stops the program at start instead of failing in
 * every worker. Call it BEFORE the privilege drop: as root with run_user set
 * it creates a missing state directory (0700) owned by run_user/run_group
 * and refuses an existing one that run_user does not own (the workers create
 * the table, which must be theirs); otherwise it creates the directory and
 * opens (creating) the table as gk_authz_init does.
 */
int gk_authz_prepare(const struct gk_config *cfg, const struct gk_log *log, struct gk_err *err);

/*
 * The lockout directory: state_dir, or "state" beside the database when
 * state_dir is empty or at its built-in default (/var/lib/gatekeep/state,
 * which is "state" beside the default database anyway). GK_ETOOLONG if it
 * does not fit.
 */
int gk_authz_state_dir(const struct gk_config *cfg, char *out, size_t outsz);

/* Runs the chain for one request (role from the FastCGI begin record). */
void gk_authz_decide(struct gk_authz *a, enum gk_role role, char *const *envp,
    struct gk_decision *d);

/*
 * After the answer and the log line: wipes what the request wrote into d (the user's record,
 * the claimed name, the path, and the location and the ticket when written: the location may
 * carry a query's token, the ticket is a bearer credential); d is then as after a reset.
 */
void gk_authz_decision_wipe(struct gk_decision *d);

/* The one decision line for the request (after answering: the answer may turn into a 500). */
void gk_authz_log(const struct gk_authz *a, const struct gk_decision *d);

#endif
