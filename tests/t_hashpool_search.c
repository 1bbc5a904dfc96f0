/* t_hashpool_search.c: a backend's search in the hash pool: one job per name, its answer handed to the backend before the re-runs, and only to them. */
#include <config.h>

#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "hashpool.h"
#include "tap.h"

#define NOW INT64_C(1700000000)

struct answer { char name[32]; int n; };

static int found_calls;
static struct answer last;
static enum gk_pw_verdict last_v;

static void *open_conn(const void *arg) { (void)arg; return &found_calls; }
static void close_conn(void *conn) { (void)conn; }

/* The thread's search: "down" is a directory out of reach; else an answer naming the user. */
static enum gk_pw_verdict
search(void *conn, const char *user, void *result)
{
	struct answer *a = result;

	(void)conn;
	if (strcmp(user, "down") == 0)
		return GK_PW_FAIL;
	snprintf(a->name, sizeof(a->name), "%s", user);
	a->n = 42;
	return GK_PW_MATCH;
}

/* In the worker's thread, inside gk_hashpool_collect. */
static void
found(void *owner, const char *user, const void *result, enum gk_pw_verdict v)
{
	(void)owner;
	(void)user;
	found_calls++;
	memcpy(&last, result, sizeof(last));
	last_v = v;
}

static struct gk_hashpool_binder binder = {
	.open = open_conn, .close = close_conn, .search = search, .found = found,
	.result_size = sizeof(struct answer)
};

/* Waits for the pool's jobs and collects them as lib/evloop does; how many ended. */
static size_t
collect(struct gk_hashpool *p)
{
	struct pollfd pf = { .fd = gk_hashpool_fd(p), .events = POLLIN };
	uint64_t jobs[4];
	size_t n = 0;
	int i;

	for (i = 0; i < 60 && n == 0; i++)
		if (poll(&pf, 1, 1000) > 0)
			n = gk_hashpool_collect(p, NOW, jobs, 4);
	return n;
}

int
main(void)
{
	struct gk_err err = { "" };
	struct gk_hashpool *p = gk_hashpool_new(1, &err);
	struct gk_hashpool_binder none = binder;
	enum gk_pw_verdict v = GK_PW_FAIL;
	uint64_t j1 = 0, j2 = 0;

	if (p == NULL)
		return diag("%s", err.msg), 1;
	none.search = NULL;
	is_int(gk_hashpool_search(p, &none, "alice", NOW, &v), GK_HASHPOOL_INLINE,
	    "a backend without a search: in line");
	is_int(gk_hashpool_search(NULL, &binder, "alice", NOW, &v), GK_HASHPOOL_INLINE,
	    "no pool: in line");

	is_int(gk_hashpool_search(p, &binder, "alice", NOW, &v), GK_HASHPOOL_PENDING,
	    "first request: the search is queued");
	ok(gk_hashpool_take_deferred(p, &j1) && j1 != 0, "... and the request parked on its job");
	is_int(gk_hashpool_search(p, &binder, "alice", NOW, &v), GK_HASHPOOL_PENDING,
	    "a second request for the same name waits too");
	ok(gk_hashpool_take_deferred(p, &j2) && j2 == j1, "... for the same job, not a second search");
	is_int(found_calls, 0, "nothing handed over before the job ended");
	is_int((int)collect(p), 1, "the job ended");
	ok(found_calls == 1 && last_v == GK_PW_MATCH && strcmp(last.name, "alice") == 0 &&
	    last.n == 42, "found() got the thread's answer, in collect, once");
	v = GK_PW_FAIL;
	is_int(gk_hashpool_search(p, &binder, "alice", NOW, &v), GK_HASHPOOL_DONE,
	    "the re-run: done");
	is_int(v, GK_PW_MATCH, "... with the search's verdict");
	gk_hashpool_resumed(p);
	is_int(gk_hashpool_search(p, &binder, "alice", NOW, &v), GK_HASHPOOL_PENDING,
	    "after the re-runs a new request searches again (the backend's cache decides, not the memo)");
	gk_hashpool_take_deferred(p, &j1);
	collect(p);
	gk_hashpool_resumed(p);

	found_calls = 0;
	is_int(gk_hashpool_search(p, &binder, "down", NOW, &v), GK_HASHPOOL_PENDING, "the directory down: queued");
	gk_hashpool_take_deferred(p, &j1);
	collect(p);
	ok(found_calls == 1 && last_v == GK_PW_FAIL, "found() is told it failed");
	is_int(gk_hashpool_search(p, &binder, "down", NOW, &v), GK_HASHPOOL_DONE, "the re-run: done");
	is_int(v, GK_PW_FAIL, "... as a failure (the backend denies, or its grace answers)");
	gk_hashpool_free(p);
	return done_testing();
}
