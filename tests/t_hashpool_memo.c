/* t_hashpool_memo.c: the hash pool's memo obeys basic_cache_ttl (0 = no caching). */
#include <config.h>

#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "hashpool.h"
#include "tap.h"

#define NOW INT64_C(1700000000)

/* Asks the pool about (user, password) at now. */
static enum gk_hashpool_state
ask(struct gk_hashpool *p, const char *password, int64_t now)
{
	enum gk_pw_verdict v;

	return gk_hashpool_verify(p, GK_HASHPOOL_DUMMY, "carol", password, NULL, false, now, &v);
}

/* Queues the question, waits for the hash, collects it (as lib/evloop does): true when it ended. */
static bool
hash_once(struct gk_hashpool *p, const char *password, int64_t now)
{
	struct pollfd pf = { .fd = gk_hashpool_fd(p), .events = POLLIN };
	uint64_t job, jobs[4];
	size_t n = 0;
	int i;

	if (ask(p, password, now) != GK_HASHPOOL_PENDING || !gk_hashpool_take_deferred(p, &job))
		return false;
	for (i = 0; i < 60 && n == 0; i++)
		if (poll(&pf, 1, 1000) > 0)
			n = gk_hashpool_collect(p, now, jobs, 4);
	return n == 1 && jobs[0] == job;
}

/* The memo with ttl: the re-run gets the verdict; then a new request asking again at later. */
static enum gk_hashpool_state
repeat_after(long ttl, int64_t later)
{
	struct gk_err err = { "" };
	struct gk_hashpool *p = gk_hashpool_new(1, &err);
	enum gk_hashpool_state r;
	uint64_t job;

	if (p == NULL)
		return diag("%s", err.msg), GK_HASHPOOL_INLINE;
	gk_hashpool_set_memo_ttl(p, ttl);
	ok(hash_once(p, "pw", NOW), "ttl %ld: the hash ran in the pool", ttl);
	is_int(ask(p, "pw", NOW), GK_HASHPOOL_DONE, "  the waiting request's re-run gets the verdict");
	gk_hashpool_resumed(p);
	r = ask(p, "pw", later);
	gk_hashpool_take_deferred(p, &job);
	gk_hashpool_free(p);
	return r;
}

int
main(void)
{
	is_int(repeat_after(0, NOW), GK_HASHPOOL_PENDING,
	    "basic_cache_ttl = 0: the same pair again is hashed again, not memoised");
	is_int(repeat_after(300, NOW + 4), GK_HASHPOOL_DONE, "ttl 300: memoised for the 5 s cap");
	is_int(repeat_after(300, NOW + 6), GK_HASHPOOL_PENDING, "  not beyond it");
	is_int(repeat_after(2, NOW + 2), GK_HASHPOOL_DONE, "ttl 2: memoised 2 s");
	is_int(repeat_after(2, NOW + 3), GK_HASHPOOL_PENDING, "  not 3");
	return done_testing();
}
