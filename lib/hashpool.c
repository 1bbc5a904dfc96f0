/* hashpool.c: a few threads verifying passwords for the event core's worker (see hashpool.h). */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include <sodium.h>

#include "hashpool.h"
#include "metrics.h"

#define KEY_LEN   crypto_generichash_BYTES       /* 32 */
#define MEMO_SIZE 128

struct job {
	struct job *next;
	uint64_t id;
	enum gk_hashpool_kind kind;
	bool disabled;
	const struct gk_hashpool_binder *binder;        /* GK_HASHPOOL_BIND* */
	char user[GK_USER_MAX + 1];
	char password[GK_PASSWORD_MAX + 1];
	char stored[GK_HASHPOOL_STORED_MAX];
	unsigned char key[KEY_LEN];
	enum gk_pw_verdict v;
	void *result;                   /* GK_HASHPOOL_SEARCH: binder->result_size bytes */
};

struct memo {
	unsigned char key[KEY_LEN];
	enum gk_pw_verdict v;
	int64_t until;
	bool rerun_only;                /* a search's: forgotten by gk_hashpool_resumed */
};

struct gk_hashpool {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct job *todo, *todo_tail;   /* queued, oldest first */
	struct job *done;               /* ended, any order */
	bool stop;
	int efd;
	pthread_t *th;
	unsigned nth;
	/* the worker's thread only */
	unsigned char mkey[crypto_generichash_KEYBYTES];
	struct memo memo[MEMO_SIZE];
	unsigned memo_next;
	unsigned inflight;
	struct { uint64_t id; unsigned char key[KEY_LEN]; } infl[GK_HASHPOOL_QUEUE_MAX];
	uint64_t next_id;
	bool deferred;
	uint64_t deferred_id;
	long memo_ttl;                  /* gk_hashpool_set_memo_ttl */
};

static struct gk_hashpool *current;

void
gk_hashpool_set_current(struct gk_hashpool *p)
{
	current = p;
}

struct gk_hashpool *
gk_hashpool_current(void)
{
	return current;
}

/* A thread's own connection for the backend's binds: opened on its first bind job. */
struct bind_conn {
	const struct gk_hashpool_binder *b;
	void *conn;
};

static void
bind_conn_close(struct bind_conn *bc)
{
	if (bc->b != NULL && bc->conn != NULL)
		bc->b->close(bc->conn);
	bc->b = NULL;
	bc->conn = NULL;
}

static void
timed_dummy(struct gk_pw_ctx *ctx, const char *password)
{
	int64_t t0 = gk_mono_ns();

	gk_pw_verify_dummy(ctx, password);
	gk_metrics_password(NULL, gk_mono_ns() - t0);
}

/* As lib/auth in line with a backend that verifies: the bind, then the dummy hash for a failure. */
static void
run_bind(struct gk_pw_ctx *ctx, struct bind_conn *bc, struct job *j)
{
	if (bc->b != j->binder) {
		bind_conn_close(bc);
		bc->b = j->binder;
		bc->conn = j->binder->open(j->binder->arg);
	}
	if (j->kind == GK_HASHPOOL_BIND_DUMMY) {
		if (bc->conn != NULL)
			(void)bc->b->bind(bc->conn, j->user, NULL, j->password);
		timed_dummy(ctx, j->password);
		j->v = GK_PW_MISMATCH;
		return;
	}
	j->v = bc->conn != NULL ? bc->b->bind(bc->conn, j->user, j->stored, j->password) :
	    GK_PW_FAIL;
	if (j->v == GK_PW_MISMATCH || j->disabled)
		timed_dummy(ctx, j->password);
}

static void
run_job(struct gk_pw_ctx *ctx, struct bind_conn *bc, struct job *j)
{
	int64_t t0 = gk_mono_ns();

	if (j->kind == GK_HASHPOOL_BIND || j->kind == GK_HASHPOOL_BIND_DUMMY) {
		run_bind(ctx, bc, j);
		return;
	}
	if (j->kind == GK_HASHPOOL_SEARCH) {
		if (bc->b != j->binder) {
			bind_conn_close(bc);
			bc->b = j->binder;
			bc->conn = j->binder->open(j->binder->arg);
		}
		j->v = bc->conn != NULL ? bc->b->search(bc->conn, j->user, j->result) : GK_PW_FAIL;
		return;
	}
	if (j->kind == GK_HASHPOOL_DUMMY) {
		j->v = gk_pw_verify_dummy(ctx, j->password);
		gk_metrics_password(NULL, gk_mono_ns() - t0);
		return;
	}
	j->v = gk_pw_verify(ctx, j->password, j->stored);
	gk_metrics_password(j->stored, gk_mono_ns() - t0);   /* relaxed atomics: any thread */
	/* as lib/auth in line: a failure costs at least the dummy (never less, maybe more) */
	if ((j->v == GK_PW_MISMATCH || (j->disabled && j->v != GK_PW_FAIL)) &&
	    !gk_pw_costs_like_dummy(ctx, j->stored))
		gk_pw_verify_dummy(ctx, j->password);
}

static void *
worker(void *arg)
{
	struct gk_hashpool *p = arg;
	struct gk_err err = { "" };
	struct gk_pw_ctx *ctx = gk_pw_ctx_new(&err);
	uint64_t one = 1;
	struct bind_conn bc = { NULL, NULL };
	struct job *j;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (p->todo == NULL && !p->stop)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->stop)
			break;
		j = p->todo;
		p->todo = j->next;
		if (p->todo == NULL)
			p->todo_tail = NULL;
		pthread_mutex_unlock(&p->mu);
		if (ctx != NULL)
			run_job(ctx, &bc, j);
		else
			j->v = GK_PW_FAIL;
		gk_wipe(j->password, sizeof(j->password));
		pthread_mutex_lock(&p->mu);
		j->next = p->done;
		p->done = j;
		/* a full counter (never) would only delay the wake-up to the next tick */
		(void)!write(p->efd, &one, sizeof(one));
	}
	pthread_mutex_unlock(&p->mu);
	bind_conn_close(&bc);
	gk_pw_ctx_free(ctx);
	return NULL;
}

struct gk_hashpool *
gk_hashpool_new(unsigned threads, struct gk_err *err)
{
	struct gk_hashpool *p;
	unsigned i;

	if (sodium_init() < 0) {
		gk_err_set(err, "hash pool: libsodium cannot start");
		return NULL;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		gk_err_set(err, "hash pool: out of memory");
		return NULL;
	}
	if (threads == 0)
		threads = GK_HASHPOOL_THREADS;
	randombytes_buf(p->mkey, sizeof(p->mkey));
	p->memo_ttl = GK_HASHPOOL_MEMO_TTL;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	p->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	p->th = calloc(threads, sizeof(*p->th));
	if (p->efd < 0 || p->th == NULL) {
		gk_err_set(err, "hash pool: %s", p->efd < 0 ? strerror(errno) : "out of memory");
		gk_hashpool_free(p);
		return NULL;
	}
	for (i = 0; i < threads; i++) {
		int rc = pthread_create(&p->th[i], NULL, worker, p);

		if (rc != 0) {
			gk_err_set(err, "hash pool: cannot start a thread: %s", strerror(rc));
			gk_hashpool_free(p);
			return NULL;
		}
		p->nth++;
	}
	return p;
}

static void
free_job(struct job *j)
{
	if (j->result != NULL) {
		gk_wipe(j->result, j->binder->result_size);
		free(j->result);
	}
	gk_wipe(j, sizeof(*j));
	free(j);
}

static void
free_list(struct job *j)
{
	while (j != NULL) {
		struct job *next = j->next;

		free_job(j);
		j = next;
	}
}

void
gk_hashpool_free(struct gk_hashpool *p)
{
	unsigned i;

	if (p == NULL)
		return;
	if (current == p)
		current = NULL;
	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < p->nth; i++)
		pthread_join(p->th[i], NULL);
	free_list(p->todo);
	free_list(p->done);
	if (p->efd >= 0)
		close(p->efd);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p->th);
	gk_wipe(p, sizeof(*p));
	free(p);
}

int
gk_hashpool_fd(const struct gk_hashpool *p)
{
	return p->efd;
}

static void
hash_key(const struct gk_hashpool *p, enum gk_hashpool_kind kind, const char *user,
    const char *password, const char *stored, bool disabled, unsigned char key[KEY_LEN])
{
	crypto_generichash_state st;
	unsigned char k = (unsigned char)kind, d = disabled ? 1 : 0;

	crypto_generichash_init(&st, p->mkey, sizeof(p->mkey), KEY_LEN);
	crypto_generichash_update(&st, &k, 1);
	crypto_generichash_update(&st, &d, 1);
	/* each string with its NUL: no two tuples give the same bytes */
	crypto_generichash_update(&st, (const unsigned char *)user, strlen(user) + 1);
	crypto_generichash_update(&st, (const unsigned char *)password, strlen(password) + 1);
	crypto_generichash_update(&st, (const unsigned char *)(stored ? stored : ""),
	    strlen(stored ? stored : "") + 1);
	crypto_generichash_final(&st, key, KEY_LEN);
	gk_wipe(&st, sizeof(st));
}

static enum gk_hashpool_state
ask(struct gk_hashpool *p, const struct gk_hashpool_binder *binder, enum gk_hashpool_kind kind,
    const char *user, const char *password, const char *stored, bool disabled, int64_t now,
    enum gk_pw_verdict *v)
{
	unsigned char key[KEY_LEN];
	struct job *j;
	size_t i;

	if (p == NULL || user == NULL || password == NULL)
		return GK_HASHPOOL_INLINE;
	if (strlen(password) > GK_PASSWORD_MAX || strlen(user) > GK_USER_MAX ||
	    (stored != NULL && strlen(stored) >= (kind == GK_HASHPOOL_BIND ?
	    GK_HASHPOOL_STORED_MAX : GK_HASH_MAX)))
		return GK_HASHPOOL_INLINE;
	hash_key(p, kind, user, password, stored, disabled, key);
	for (i = 0; i < MEMO_SIZE; i++) {
		if (p->memo[i].until >= now && sodium_memcmp(p->memo[i].key, key, KEY_LEN) == 0) {
			*v = p->memo[i].v;
			return GK_HASHPOOL_DONE;
		}
	}
	/* one job per run of a request: a second password check waits for the re-run */
	if (p->deferred)
		return GK_HASHPOOL_PENDING;
	/* the same question already asked (a browser's or a client's parallel requests): wait
	 * for that answer instead of hashing again */
	for (i = 0; i < GK_HASHPOOL_QUEUE_MAX; i++) {
		if (p->infl[i].id != 0 && sodium_memcmp(p->infl[i].key, key, KEY_LEN) == 0) {
			p->deferred = true;
			p->deferred_id = p->infl[i].id;
			return GK_HASHPOOL_PENDING;
		}
	}
	if (p->inflight >= GK_HASHPOOL_QUEUE_MAX || (j = calloc(1, sizeof(*j))) == NULL)
		return GK_HASHPOOL_INLINE;
	if (kind == GK_HASHPOOL_SEARCH && (j->result = calloc(1, binder->result_size)) == NULL) {
		free(j);
		return GK_HASHPOOL_INLINE;
	}
	j->id = ++p->next_id;
	j->kind = kind;
	j->disabled = disabled;
	j->binder = binder;
	memcpy(j->user, user, strlen(user) + 1);
	memcpy(j->password, password, strlen(password) + 1);
	if (stored != NULL)
		memcpy(j->stored, stored, strlen(stored) + 1);
	memcpy(j->key, key, KEY_LEN);
	for (i = 0; i < GK_HASHPOOL_QUEUE_MAX; i++) {
		if (p->infl[i].id == 0) {
			p->infl[i].id = j->id;
			memcpy(p->infl[i].key, key, KEY_LEN);
			break;
		}
	}
	pthread_mutex_lock(&p->mu);
	if (p->todo_tail != NULL)
		p->todo_tail->next = j;
	else
		p->todo = j;
	p->todo_tail = j;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
	p->inflight++;
	p->deferred = true;
	p->deferred_id = j->id;
	return GK_HASHPOOL_PENDING;
}

enum gk_hashpool_state
gk_hashpool_verify(struct gk_hashpool *p, enum gk_hashpool_kind kind, const char *user,
    const char *password, const char *stored, bool disabled, int64_t now,
    enum gk_pw_verdict *v)
{
	if (kind != GK_HASHPOOL_VERIFY && kind != GK_HASHPOOL_DUMMY)
		return GK_HASHPOOL_INLINE;
	return ask(p, NULL, kind, user, password, stored, disabled, now, v);
}

enum gk_hashpool_state
gk_hashpool_bind(struct gk_hashpool *p, const struct gk_hashpool_binder *binder,
    const char *user, const char *password, const char *dn, bool disabled, int64_t now,
    enum gk_pw_verdict *v)
{
	if (binder == NULL)
		return GK_HASHPOOL_INLINE;
	return ask(p, binder, dn != NULL ? GK_HASHPOOL_BIND : GK_HASHPOOL_BIND_DUMMY, user,
	    password, dn, disabled, now, v);
}

enum gk_hashpool_state
gk_hashpool_search(struct gk_hashpool *p, const struct gk_hashpool_binder *binder,
    const char *user, int64_t now, enum gk_pw_verdict *v)
{
	if (binder == NULL || binder->search == NULL || binder->found == NULL ||
	    binder->result_size == 0)
		return GK_HASHPOOL_INLINE;
	return ask(p, binder, GK_HASHPOOL_SEARCH, user, "", NULL, false, now, v);
}

bool
gk_hashpool_pending(const struct gk_hashpool *p)
{
	return p != NULL && p->deferred;
}

bool
gk_hashpool_take_deferred(struct gk_hashpool *p, uint64_t *job)
{
	bool d;

	if (p == NULL)
		return false;
	d = p->deferred;
	*job = p->deferred_id;
	p->deferred = false;
	p->deferred_id = 0;
	return d;
}

void
gk_hashpool_set_memo_ttl(struct gk_hashpool *p, long ttl)
{
	if (p != NULL)
		p->memo_ttl = ttl < 0 ? 0 : ttl < GK_HASHPOOL_MEMO_TTL ? ttl : GK_HASHPOOL_MEMO_TTL;
}

void
gk_hashpool_resumed(struct gk_hashpool *p)
{
	size_t i;

	if (p != NULL && p->memo_ttl == 0)
		gk_wipe(p->memo, sizeof(p->memo));
	for (i = 0; p != NULL && i < MEMO_SIZE; i++)
		if (p->memo[i].rerun_only)
			gk_wipe(&p->memo[i], sizeof(p->memo[i]));
}

size_t
gk_hashpool_collect(struct gk_hashpool *p, int64_t now, uint64_t *jobs, size_t max)
{
	struct job *list, *j;
	uint64_t cnt;
	size_t n = 0, i;

	(void)!read(p->efd, &cnt, sizeof(cnt));
	pthread_mutex_lock(&p->mu);
	list = p->done;
	p->done = NULL;
	/* what does not fit in jobs[] goes back for the next call */
	while (list != NULL && n < max) {
		j = list;
		list = j->next;
		jobs[n++] = j->id;
		/* a search's answer goes to the backend now, before its requests are re-run */
		if (j->kind == GK_HASHPOOL_SEARCH)
			j->binder->found(j->binder->owner, j->user, j->result, j->v);
		memcpy(p->memo[p->memo_next].key, j->key, KEY_LEN);
		p->memo[p->memo_next].v = j->v;
		p->memo[p->memo_next].rerun_only = j->kind == GK_HASHPOOL_SEARCH;
		/* ttl 0: only for the waiting requests' re-runs (gk_hashpool_resumed forgets it) */
		p->memo[p->memo_next].until = now + (p->memo_ttl > 0 &&
		    j->kind != GK_HASHPOOL_SEARCH ? p->memo_ttl : 1);
		p->memo_next = (p->memo_next + 1) % MEMO_SIZE;
		p->inflight--;
		for (i = 0; i < GK_HASHPOOL_QUEUE_MAX; i++) {
			if (p->infl[i].id == j->id) {
				p->infl[i].id = 0;
				break;
			}
		}
		free_job(j);
	}
	p->done = list;
	pthread_mutex_unlock(&p->mu);
	if (list != NULL) {
		cnt = 1;
		(void)!write(p->efd, &cnt, sizeof(cnt));
	}
	return n;
}
