/* hashpool.h: password hashes (or a directory's binds) of a credential-cache miss run in a few threads, so that the event core's worker keeps answering its other connections meanwhile. */
#ifndef GK_HASHPOOL_H
#define GK_HASHPOOL_H

#include "common.h"
#include "password.h"

/*
 * Why: a yescrypt verification takes ~50 ms; inside the event core's handler it would hold
 * every other connection of the worker for that long. With a pool, lib/auth asks it first:
 *
 *   first run of the request:  gk_hashpool_verify() -> GK_HASHPOOL_PENDING: the job is queued,
 *       gk_auth_password() returns GK_AUTH_PENDING without counting, the decision is thrown
 *       away (not logged, not answered) and lib/evloop parks the connection;
 *   the job ends in a thread (its own gk_pw_ctx; crypt_rn is thread-safe): the verdict goes
 *       to the completion queue, an eventfd in the worker's epoll set wakes the loop;
 *   lib/evloop (gk_hashpool_collect) stores the verdict in a short-lived memo and runs the
 *       parked request again from the start: gk_hashpool_verify() now answers
 *       GK_HASHPOOL_DONE with the verdict, and gk_auth_password() goes on exactly as after
 *       its own hash (lockout reservation first, so a ban set meanwhile still wins).
 *
 * The memo is keyed by a keyed BLAKE2b of (kind, user, password, stored hash, disabled), so
 * a verdict is only ever used for the very same question; entries live GK_HASHPOOL_MEMO_TTL
 * seconds, or less (gk_hashpool_set_memo_ttl): the memo answers a repeated user/password
 * pair without hashing, so it is a credential cache too and obeys basic_cache_ttl. Only the worker's thread calls these functions (the threads see jobs only).
 * Without a pool (gatekeep-login, the libfcgi core, tests) everything hashes in line.
 *
 * A backend that checks passwords itself (user_backend = ldap: a bind as the user's DN)
 * hands its check to the pool the same way (gk_hashpool_bind): a slow or stalled directory
 * then holds one pool thread for up to ldap_timeout, never the worker. The job is the whole
 * of what lib/auth does in line: the bind (an empty password: a mismatch without one; the
 * directory out of reach: GK_PW_FAIL, or a mismatch under ldap_down_grace), then the dummy
 * hash for a wrong password or a disabled user; for an unknown user (dn NULL) the bind as a
 * DN nobody has, then the dummy hash. The memo's key holds the DN in place of the stored
 * hash. Each thread binds on its own connection (the binder's open, on its first bind job;
 * a libldap handle is never shared by two threads), which the binder retries once when it
 * broke, and which is closed (the binder's close) when the pool stops. The search that
 * finds the DN, when the backend's cache (ldap_cache_ttl) does not answer, runs in the
 * pool too (gk_hashpool_search): the lookup parks the request as a hash does, the thread
 * searches on its own connection into a result buffer, and gk_hashpool_collect hands that
 * buffer to the binder's found() in the worker's thread before the request is re-run.
 * Failures cost what they cost in line: the job spends the dummy hash after a mismatch
 * against a hash that is cheaper than the dummy, and for unknown users.
 */

#define GK_HASHPOOL_THREADS   2         /* per worker */
#define GK_HASHPOOL_QUEUE_MAX 64        /* jobs queued or running; beyond: hash in line */
#define GK_HASHPOOL_MEMO_TTL  5         /* seconds a verdict waits for its request */
#define GK_HASHPOOL_STORED_MAX 1025     /* a stored hash or a DN, with its NUL */

struct gk_hashpool;

enum gk_hashpool_kind {
	GK_HASHPOOL_VERIFY = 0, GK_HASHPOOL_DUMMY,      /* crypt hashes (gk_hashpool_verify) */
	GK_HASHPOOL_BIND, GK_HASHPOOL_BIND_DUMMY,       /* the backend's binds (gk_hashpool_bind) */
	GK_HASHPOOL_SEARCH                              /* the backend's search (gk_hashpool_search) */
};

/*
 * A backend's own password check, run in the pool's threads (lib/ldapusers). open(arg): a
 * thread's connection state (NULL: every bind of that thread GK_PW_FAIL); bind: the verdict
 * for user's password bound as dn (dn NULL: the unknown user's bind, whose answer is
 * ignored); close: ends what open made. The three are called from pool threads only; arg
 * must be read-only and outlive the pool.
 * For gk_hashpool_search (optional: search NULL means never): search(conn, user, result)
 * runs in a pool thread and fills result (result_size bytes, zeroed first); its verdict
 * says how it went (GK_PW_MATCH: result is the answer; GK_PW_FAIL: the directory was out
 * of reach; GK_PW_MISMATCH: any other failure, logged by search). found(owner, user,
 * result, verdict) then runs in the worker's thread, in gk_hashpool_collect, before the
 * requests that waited are re-run; owner is the worker's own state, never seen by threads.
 */
struct gk_hashpool_binder {
	void *(*open)(const void *arg);
	enum gk_pw_verdict (*bind)(void *conn, const char *user, const char *dn,
	    const char *password);
	void (*close)(void *conn);
	const void *arg;
	enum gk_pw_verdict (*search)(void *conn, const char *user, void *result);
	void (*found)(void *owner, const char *user, const void *result, enum gk_pw_verdict v);
	void *owner;
	size_t result_size;
};
enum gk_hashpool_state {
	GK_HASHPOOL_INLINE = 0,         /* no pool, queue full, or error: hash in line */
	GK_HASHPOOL_PENDING,            /* queued: answer later */
	GK_HASHPOOL_DONE                /* *v is the verdict */
};

/* Starts the threads and the eventfd. NULL (err set) if they cannot be had. */
struct gk_hashpool *gk_hashpool_new(unsigned threads, struct gk_err *err);
/* Stops the threads (after their current job) and frees everything. NULL is fine. */
void gk_hashpool_free(struct gk_hashpool *p);

/* The pool of this process (set by lib/evloop in its worker), or NULL. */
void gk_hashpool_set_current(struct gk_hashpool *p);
struct gk_hashpool *gk_hashpool_current(void);

/*
 * lib/auth's question: the verdict for (kind, user, password, stored, disabled) if one is
 * memoised (DONE, *v set), else queue the job, or wait for the one already queued for
 * the same question (PENDING, remembered for gk_hashpool_take_deferred: several requests
 * may wait for one job), or say INLINE. stored: NULL for GK_HASHPOOL_DUMMY.
 */
enum gk_hashpool_state gk_hashpool_verify(struct gk_hashpool *p, enum gk_hashpool_kind kind,
    const char *user, const char *password, const char *stored, bool disabled, int64_t now,
    enum gk_pw_verdict *v);

/* The same for a backend's bind as dn (NULL: an unknown user's); binder NULL: INLINE. */
enum gk_hashpool_state gk_hashpool_bind(struct gk_hashpool *p,
    const struct gk_hashpool_binder *binder, const char *user, const char *password,
    const char *dn, bool disabled, int64_t now, enum gk_pw_verdict *v);

/*
 * The same for a backend's search for user (binder->search): DONE (*v the search's verdict,
 * found() has run) only during the re-runs of the requests that waited for it (never for
 * later requests: the backend's own cache decides how long an answer lasts); else PENDING
 * or INLINE (no pool, no search, queue full: search in line).
 */
enum gk_hashpool_state gk_hashpool_search(struct gk_hashpool *p,
    const struct gk_hashpool_binder *binder, const char *user, int64_t now,
    enum gk_pw_verdict *v);

/*
 * How long a verdict also answers new requests asking the same question: min(ttl,
 * GK_HASHPOOL_MEMO_TTL) seconds (the default: GK_HASHPOOL_MEMO_TTL). ttl 0 (basic_cache_ttl
 * = 0, "no caching"): only the requests that waited for the hash get it, during the
 * re-runs that follow gk_hashpool_collect, and gk_hashpool_resumed then forgets it.
 */
void gk_hashpool_set_memo_ttl(struct gk_hashpool *p, long ttl);
/* The re-runs of the requests collect named are done: forgets the searches' verdicts, and with memo ttl 0 every verdict. */
void gk_hashpool_resumed(struct gk_hashpool *p);

/* Whether the request being decided queued a job (its decision is not final: not logged). */
bool gk_hashpool_pending(const struct gk_hashpool *p);

/* Whether the request just decided queued a job (and which); clears the flag. */
bool gk_hashpool_take_deferred(struct gk_hashpool *p, uint64_t *job);

/* The eventfd that is readable when jobs have ended. */
int gk_hashpool_fd(const struct gk_hashpool *p);

/*
 * Drains the ended jobs into the memo; writes up to max of their ids to jobs and returns
 * how many (call again while it returns max).
 */
size_t gk_hashpool_collect(struct gk_hashpool *p, int64_t now, uint64_t *jobs, size_t max);

#endif
