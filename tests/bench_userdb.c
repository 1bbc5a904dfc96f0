/* bench_userdb.c: lookups per second and the cost of one write at 10^3..10^6 users (make bench). */
#include <config.h>

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "userdb.h"

#define HASH "$y$j9T$F5Jx5fExrKuPp53xLKQ..1$X3DX6M94c7o.9agCG9G317fhZg9SqC.5i5rd.RhAtQ7"
#define BATCH 100000          /* users per transaction while building */
#define NIDX 65536            /* pre-drawn random user indices, reused in a cycle */
#define WRITES 3

static void
usage(void)
{
	fprintf(stderr, "usage: bench_userdb [--users N[,N...]] [--dir DIR] [--seconds S]\n"
	    "  --users    database sizes (default 1000,100000,1000000)\n"
	    "  --dir      keep the databases in DIR and reuse them (default: a temp dir, removed)\n"
	    "  --seconds  time spent measuring lookups per size (default 1)\n");
	exit(64);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
die(const char *what, const struct gk_err *err)
{
	fprintf(stderr, "bench_userdb: %s: %s\n", what, err->msg);
	exit(1);
}

static void
mkuser(struct gk_user *u, unsigned long i)
{
	char name[32];

	snprintf(name, sizeof(name), "user%07lu", i);
	gk_user_init(u, name, 1700000000);
	strcpy(u->hash, HASH);
	strcpy(u->groups, i % 10 == 0 ? "admins,staff" : "staff");
	snprintf(u->email, sizeof(u->email), "%s@example.org", name);
	snprintf(u->display, sizeof(u->display), "User %lu", i);
}

/* Reuses path if it holds exactly n users; otherwise (re)builds it. Returns build seconds. */
static double
ensure_db(const char *path, unsigned long n)
{
	struct gk_userdb *r;
	struct gk_userdb_txn *t;
	struct gk_user u;
	struct gk_err err;
	size_t have = 0;
	unsigned long i;
	double t0;

	if (gk_userdb_open(path, &r, &err) == GK_OK) {
		int rc = gk_userdb_count(r, &have, &err);

		gk_userdb_close(r);
		if (rc == GK_OK && have == n)
			return 0;
	}
	unlink(path);
	t0 = now();
	if (gk_userdb_create(path, &err) != GK_OK)
		die("create", &err);
	for (i = 0; i < n;) {
		if (gk_userdb_begin(path, false, 10000, &t, &err) != GK_OK)
			die("begin", &err);
		do {
			mkuser(&u, i);
			if (gk_userdb_txn_put(t, &u, &err) != GK_OK)
				die("put", &err);
		} while (++i < n && i % BATCH != 0);
		if (gk_userdb_commit(t, &err) != GK_OK)
			die("commit", &err);
	}
	return now() - t0;
}

static void
bench(const char *dir, unsigned long n, double seconds)
{
	char path[4096];
	struct gk_userdb *r;
	struct gk_userdb_txn *t;
	struct gk_user u;
	struct gk_err err;
	struct stat st;
	unsigned long *idx, lookups = 0, misses = 0;
	char name[32];
	double build, t0, t1, open_ms, write_ms = 0;
	size_t i;
	int k, rc;

	snprintf(path, sizeof(path), "%s/bench-%lu.db", dir, n);
	build = ensure_db(path, n);
	stat(path, &st);

	if ((idx = malloc(NIDX * sizeof(*idx))) == NULL)
		exit(1);
	for (i = 0; i < NIDX; i++)
		idx[i] = randombytes_uniform((uint32_t)n);

	t0 = now();
	if (gk_userdb_open(path, &r, &err) != GK_OK)
		die("open", &err);
	open_ms = (now() - t0) * 1e3;

	/* Random hits, as an authorizer sees them: one stat + one fetch + decode each. */
	t0 = now();
	do {
		for (i = 0; i < 10000; i++) {
			snprintf(name, sizeof(name), "user%07lu", idx[(lookups + i) % NIDX]);
			if ((rc = gk_userdb_lookup(r, name, &u, &err)) != GK_OK) {
				misses++;
				if (rc != GK_NOTFOUND)
					die("lookup", &err);
			}
		}
		lookups += 10000;
		t1 = now();
	} while (t1 - t0 < seconds);
	if (misses != 0)
		fprintf(stderr, "bench_userdb: %lu unexpected misses\n", misses);

	for (k = 0; k < WRITES; k++) {
		double w0 = now();

		if (gk_userdb_begin(path, false, 10000, &t, &err) != GK_OK)
			die("begin", &err);
		mkuser(&u, idx[k]);
		u.generation = (uint32_t)k + 2;
		if (gk_userdb_txn_put(t, &u, &err) != GK_OK)
			die("put", &err);
		if (gk_userdb_commit(t, &err) != GK_OK)
			die("commit", &err);
		write_ms += (now() - w0) * 1e3;
	}
	/* The reader must see the last write (one reopen). */
	snprintf(name, sizeof(name), "user%07lu", idx[WRITES - 1]);
	if (gk_userdb_lookup(r, name, &u, &err) != GK_OK || u.generation != WRITES + 1)
		fprintf(stderr, "bench_userdb: reader did not see the write\n");
	gk_userdb_close(r);
	free(idx);

	printf("%9lu %9.1f %9.1f %9.2f %12.0f %9.2f %10.1f\n", n, (double)st.st_size / 1048576.0,
	    build, open_ms, (double)lookups / (t1 - t0), (t1 - t0) * 1e6 / (double)lookups,
	    write_ms / WRITES);
	fflush(stdout);
}

static void
remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char p[4096];

	while (d != NULL && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		unlink(p);
	}
	if (d != NULL)
		closedir(d);
	rmdir(dir);
}

int
main(int argc, char **argv)
{
	const char *users = "1000,100000,1000000", *dir = NULL;
	char tmpdir[64], *list, *tok, *end;
	double seconds = 1;
	unsigned long n;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--users") == 0 && i + 1 < argc)
			users = argv[++i];
		else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
			seconds = strtod(argv[++i], NULL);
		else
			usage();
	}
	if (sodium_init() < 0)
		return 1;
	if (dir == NULL) {
		snprintf(tmpdir, sizeof(tmpdir), "/tmp/bench_userdb.XXXXXX");
		if (mkdtemp(tmpdir) == NULL) {
			perror("mkdtemp");
			return 1;
		}
	} else if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		perror(dir);
		return 1;
	}
	printf("# gatekeep user database (GDBM, copy-and-rename writes), dir %s\n",
	    dir != NULL ? dir : tmpdir);
	printf("# build_s = 0 means the database was reused; write_ms = begin+put+commit "
	    "(copy, fsync, rename, fsync dir), mean of %d\n", WRITES);
	printf("%9s %9s %9s %9s %12s %9s %10s\n", "users", "db_MB", "build_s", "open_ms",
	    "lookups/s", "us/lookup", "write_ms");
	if ((list = strdup(users)) == NULL)
		return 1;
	for (tok = strtok(list, ","); tok != NULL; tok = strtok(NULL, ",")) {
		errno = 0;
		n = strtoul(tok, &end, 10);
		if (errno != 0 || *end != '\0' || n == 0 || n > 100000000UL) {
			fprintf(stderr, "bench_userdb: bad size \"%s\"\n", tok);
			usage();
		}
		bench(dir != NULL ? dir : tmpdir, n, seconds);
	}
	free(list);
	if (dir == NULL)
		remove_dir(tmpdir);
	return 0;
}
