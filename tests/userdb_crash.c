/* userdb_crash.c: driver for tests/userdb_crash.sh: a writer to kill -9, readers that verify, a verifier. */
#include <config.h>

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "userdb.h"

/*
 * Every record is a pure function of (user index, generation), so a reader can tell a
 * valid version from anything else, and the whole database after transaction K is a
 * pure function of K: transaction k sets users k%N and (k*7+3)%N to generation k.
 */
static void
expected(struct gk_user *u, unsigned i, unsigned gen)
{
	char name[16];

	snprintf(name, sizeof(name), "u%05u", i);
	gk_user_init(u, name, 1700000000);
	snprintf(u->hash, sizeof(u->hash), "$y$j9T$crashtest$%010u", gen);
	strcpy(u->groups, gen % 3 == 0 ? "admins,staff" : gen % 3 == 1 ? "staff" : "");
	snprintf(u->email, sizeof(u->email), "%s.%u@example.org", name, gen);
	snprintf(u->display, sizeof(u->display), "rev %u", gen);
	u->perm = (enum gk_perm)(gen % 3);
	u->level = (uint16_t)(gen % 1000);
	u->generation = gen;
	u->updated = 1700000000 + (int64_t)gen;
	u->pw_changed = gen;
}

/* True if u is exactly the record of user i at its own generation. */
static bool
consistent(const struct gk_user *u, unsigned i)
{
	struct gk_user e;

	expected(&e, i, u->generation);
	return strcmp(u->name, e.name) == 0 && strcmp(u->hash, e.hash) == 0 &&
	    strcmp(u->groups, e.groups) == 0 && strcmp(u->email, e.email) == 0 &&
	    strcmp(u->display, e.display) == 0 && u->perm == e.perm && u->level == e.level &&
	    u->flags == e.flags && u->created == e.created && u->updated == e.updated &&
	    u->pw_changed == e.pw_changed;
}

static void
simulate(unsigned *gens, unsigned n, unsigned k_end)
{
	unsigned k;

	memset(gens, 0, n * sizeof(*gens));
	for (k = 1; k <= k_end; k++) {
		gens[k % n] = k;
		gens[(k * 7 + 3) % n] = k;
	}
}

static int
cmd_init(const char *db, unsigned n)
{
	struct gk_userdb_txn *t;
	struct gk_user u;
	struct gk_err err;
	unsigned i;

	if (gk_userdb_create(db, &err) != GK_OK ||
	    gk_userdb_begin(db, false, 5000, &t, &err) != GK_OK) {
		fprintf(stderr, "init: %s\n", err.msg);
		return 1;
	}
	for (i = 0; i < n; i++) {
		expected(&u, i, 0);
		if (gk_userdb_txn_put(t, &u, &err) != GK_OK) {
			fprintf(stderr, "init: %s\n", err.msg);
			gk_userdb_abort(t);
			return 1;
		}
	}
	if (gk_userdb_commit(t, &err) != GK_OK) {
		fprintf(stderr, "init: %s\n", err.msg);
		return 1;
	}
	return 0;
}

static int
max_gen(const struct gk_user *u, void *arg)
{
	unsigned *m = arg;

	if (u->generation > *m)
		*m = u->generation;
	return 0;
}

/* Loops forever committing transaction after transaction; meant to be killed with -9. */
static int
cmd_writer(const char *db, unsigned n, const char *log)
{
	struct gk_userdb *r;
	struct gk_userdb_txn *t;
	struct gk_user u;
	struct gk_err err;
	unsigned k = 0, x;
	char xname[16];
	int fd;

	if (gk_userdb_open(db, &r, &err) != GK_OK || gk_userdb_foreach(r, max_gen, &k, &err) != 0) {
		fprintf(stderr, "writer: %s\n", err.msg);
		return 1;
	}
	gk_userdb_close(r);
	if ((fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600)) < 0) {
		perror(log);
		return 1;
	}
	/* The state found on disk is committed, whoever wrote it (maybe a killed writer). */
	dprintf(fd, "C %u\n", k);
	for (k++;; k++) {
		if (gk_userdb_begin(db, false, -1, &t, &err) != GK_OK)
			goto fail;
		expected(&u, k % n, k);
		if (gk_userdb_txn_put(t, &u, &err) != GK_OK)
			goto fail_txn;
		expected(&u, (k * 7 + 3) % n, k);
		if (gk_userdb_txn_put(t, &u, &err) != GK_OK)
			goto fail_txn;
		if (k % 5 == 0) {
			/* Exercise delete: remove a user and put it back unchanged. */
			x = (k * 3 + 1) % n;
			snprintf(xname, sizeof(xname), "u%05u", x);
			if (gk_userdb_txn_get(t, xname, &u, &err) != GK_OK ||
			    gk_userdb_txn_delete(t, xname, &err) != GK_OK ||
			    gk_userdb_txn_put(t, &u, &err) != GK_OK)
				goto fail_txn;
		}
		dprintf(fd, "B %u\n", k);
		if (gk_userdb_commit(t, &err) != GK_OK)
			goto fail;
		dprintf(fd, "C %u\n", k);
	}

fail_txn:
	gk_userdb_abort(t);
fail:
	fprintf(stderr, "writer: transaction %u: %s\n", k, err.msg);
	return 1;
}

/* Looks every user up, again and again, until stopfile exists; any invalid answer fails. */
static int
cmd_reader(const char *db, unsigned n, const char *stopfile)
{
	struct gk_userdb *r = NULL;
	struct gk_user u;
	struct gk_err err;
	unsigned *seen, i, top = 0;
	unsigned long lookups = 0, rounds = 0;
	char name[16];
	int rc;

	if ((seen = calloc(n, sizeof(*seen))) == NULL)
		return 1;
	while (access(stopfile, F_OK) != 0) {
		/* Every tenth round opens afresh: open must also race safely with rename. */
		if (r == NULL || rounds % 10 == 0) {
			gk_userdb_close(r);
			if ((rc = gk_userdb_open(db, &r, &err)) != GK_OK) {
				fprintf(stderr, "reader: FAIL open: %d %s\n", rc, err.msg);
				return 1;
			}
		}
		for (i = 0; i < n; i++) {
			snprintf(name, sizeof(name), "u%05u", i);
			rc = gk_userdb_lookup(r, name, &u, &err);
			lookups++;
			if (rc != GK_OK) {
				fprintf(stderr, "reader: FAIL %s: %d %s\n", name, rc, err.msg);
				return 1;
			}
			if (!consistent(&u, i)) {
				fprintf(stderr, "reader: FAIL %s: not a valid version\n", name);
				return 1;
			}
			if (u.generation < seen[i]) {
				fprintf(stderr, "reader: FAIL %s: went back from %u to %u\n", name,
				    seen[i], u.generation);
				return 1;
			}
			seen[i] = u.generation;
			if (u.generation > top)
				top = u.generation;
		}
		rounds++;
	}
	gk_userdb_close(r);
	free(seen);
	printf("reader: lookups=%lu rounds=%lu maxgen=%u\n", lookups, rounds, top);
	return 0;
}

/* The last "B k" / "C k" of the writer's log. */
static void
read_log(const char *log, unsigned *last_b, unsigned *last_c, char *last_kind)
{
	FILE *f = fopen(log, "r");
	char kind;
	unsigned k;

	*last_b = *last_c = 0;
	*last_kind = 'C';
	while (f != NULL && fscanf(f, " %c %u", &kind, &k) == 2) {
		if (kind == 'B')
			*last_b = k;
		else
			*last_c = k;
		*last_kind = kind;
	}
	if (f != NULL)
		fclose(f);
}

/* After a kill: the database is exactly the state after the last or the in-flight commit. */
static int
cmd_verify(const char *db, unsigned n, const char *log)
{
	struct gk_userdb *r;
	struct gk_user u;
	struct gk_err err;
	unsigned *gens, i, kdb = 0, last_b, last_c;
	size_t users = 0;
	char name[16], kind;
	int rc = 1;

	if (gk_userdb_open(db, &r, &err) != GK_OK || gk_userdb_check(r, &users, &err) != GK_OK ||
	    gk_userdb_foreach(r, max_gen, &kdb, &err) != 0) {
		fprintf(stderr, "verify: FAIL %s\n", err.msg);
		return 1;
	}
	if ((gens = calloc(n, sizeof(*gens))) == NULL)
		goto out;
	if (users != n) {
		fprintf(stderr, "verify: FAIL %zu users, want %u\n", users, n);
		goto out;
	}
	read_log(log, &last_b, &last_c, &kind);
	if (!(kdb == last_c || (kind == 'B' && kdb == last_b))) {
		fprintf(stderr, "verify: FAIL database at txn %u, log: last commit %u, last begin %u\n",
		    kdb, last_c, last_b);
		goto out;
	}
	simulate(gens, n, kdb);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "u%05u", i);
		if (gk_userdb_lookup(r, name, &u, &err) != GK_OK || !consistent(&u, i) ||
		    u.generation != gens[i]) {
			fprintf(stderr, "verify: FAIL %s: generation %u, want %u (%s)\n", name,
			    u.generation, gens[i], err.msg);
			goto out;
		}
	}
	printf("verify: ok at txn %u (%s)\n", kdb, kdb == last_c ? "last commit" : "in-flight commit");
	rc = 0;
out:
	free(gens);
	gk_userdb_close(r);
	return rc;
}

/* For damaged copies: 0 = every user intact, 2 = clean error, 3 = wrong data accepted. */
static int
cmd_scan(const char *db, unsigned n)
{
	struct gk_userdb *r;
	struct gk_user u;
	struct gk_err err;
	unsigned i;
	char name[16];
	int rc, worst = 0;

	if ((rc = gk_userdb_open(db, &r, &err)) != GK_OK) {
		printf("scan: open: %d %s\n", rc, err.msg);
		return rc == GK_EIO || rc == GK_ECORRUPT ? 2 : 4;
	}
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "u%05u", i);
		rc = gk_userdb_lookup(r, name, &u, &err);
		if (rc == GK_OK && !consistent(&u, i)) {
			printf("scan: %s: wrong data accepted\n", name);
			worst = 3;
		} else if (rc != GK_OK) {
			if (rc != GK_EIO && rc != GK_ECORRUPT && rc != GK_NOTFOUND)
				worst = 4;
			else if (worst == 0)
				worst = 2;
		}
	}
	if ((rc = gk_userdb_check(r, NULL, &err)) != GK_OK) {
		printf("scan: check: %d %s\n", rc, err.msg);
		if (worst == 0)
			worst = 2;
	}
	gk_userdb_close(r);
	return worst;
}

/* Takes the writer lock once (which sweeps stale temp files) and reports what is left. */
static int
cmd_sweep(const char *db)
{
	struct gk_userdb_txn *t;
	struct gk_err err;

	if (gk_userdb_begin(db, false, 5000, &t, &err) != GK_OK) {
		fprintf(stderr, "sweep: %s\n", err.msg);
		return 1;
	}
	gk_userdb_abort(t);
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: userdb_crash init DB N | writer DB N LOG | reader DB N STOPFILE |\n"
	    "       verify DB N LOG | scan DB N | sweep DB\n");
	exit(64);
}

int
main(int argc, char **argv)
{
	unsigned n = 0;

	if (argc < 3)
		usage();
	if (argc >= 4 && (n = (unsigned)strtoul(argv[3], NULL, 10)) == 0)
		usage();
	if (strcmp(argv[1], "init") == 0 && argc == 4)
		return cmd_init(argv[2], n);
	if (strcmp(argv[1], "writer") == 0 && argc == 5)
		return cmd_writer(argv[2], n, argv[4]);
	if (strcmp(argv[1], "reader") == 0 && argc == 5)
		return cmd_reader(argv[2], n, argv[4]);
	if (strcmp(argv[1], "verify") == 0 && argc == 5)
		return cmd_verify(argv[2], n, argv[4]);
	if (strcmp(argv[1], "scan") == 0 && argc == 4)
		return cmd_scan(argv[2], n);
	if (strcmp(argv[1], "sweep") == 0 && argc == 3)
		return cmd_sweep(argv[2]);
	usage();
	return 64;
}
