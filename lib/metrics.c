/* metrics.c: counters and histograms shared by every pre-forked worker, in the Prometheus text format. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "metrics.h"
#include "textbuf.h"

/* --- fixed label sets ------------------------------------------------------ */

static const char *const outcomes[] = { "allow", "unauthorized", "redirect", "forbidden", "error" };
#define N_OUTCOMES (sizeof(outcomes) / sizeof(outcomes[0]))

static const char *const methods[] = {
	"none", "rule", "bypass", "proxy", "session", "basic", "apache", "token", "other"
};
#define N_METHODS (sizeof(methods) / sizeof(methods[0]))

/* Every deny reason the decision line names (fcgi/authz_decide.c, lib/auth.c, lib/frontend.c). */
static const char *const reasons[] = {
	"none", "account-locked", "authorization-mismatch", "bad-cookie-header",
	"bad-forwarded-headers", "bad-GATEKEEP_REQUIRE", "bad-host", "bad-method", "bad-origin",
	"bad-password", "bad-path", "bad-rule", "bad-user-name", "banned", "basic-not-enabled",
	"database", "database-write", "disabled", "duplicate-authorization", "duplicate-credentials",
	"duplicate-GATEKEEP_REQUIRE", "duplicate-params", "forbidden", "forwarded-host-mismatch",
	"forwarded-method-mismatch", "forwarded-uri-mismatch", "lockout-error",
	"malformed-credentials", "missing-forwarded-headers", "missing-GATEKEEP_METHOD",
	"missing-request-uri", "name-case-clash", "no-bypass-user", "no-credentials",
	"oversized-params", "password-check", "proxy-groups-invalid", "proxy-header-duplicate",
	"proxy-header-invalid",
	"rule-deny", "secret", "session-duplicate", "session-invalid", "session-malformed",
	"session-revoked", "throttled", "unknown-method", "unknown-role", "unknown-user", "unsafe-answer",
	"bad-token", "token-expired", "token-revoked", "token-scope",     /* app tokens */
	"other"
};
#define N_REASONS (sizeof(reasons) / sizeof(reasons[0]))

/* Password hash methods, by the stored hash's prefix ("dummy": unknown users and bad names). */
static const struct { const char *prefix, *name; } hash_prefixes[] = {
	{ "$y$", "yescrypt" }, { "$gy$", "gost-yescrypt" }, { "$7$", "scrypt" },
	{ "$2a$", "bcrypt" }, { "$2b$", "bcrypt" }, { "$2y$", "bcrypt" },
	{ "$argon2", "argon2" }, { "$6$", "sha512crypt" }, { "$5$", "sha256crypt" },
	{ "$1$", "md5crypt" }, { "$apr1$", "apr1" }, { "{SHA}", "sha1" },
};
static const char *const hashes[] = {
	"yescrypt", "gost-yescrypt", "scrypt", "bcrypt", "argon2", "sha512crypt", "sha256crypt",
	"md5crypt", "apr1", "sha1", "dummy", "other"
};
#define N_HASHES (sizeof(hashes) / sizeof(hashes[0]))

static const char *const guard_reasons[] = {
	"fastcgi-timeout", "bad-fastcgi-record", "request-too-large", "other"
};
#define N_GUARD (sizeof(guard_reasons) / sizeof(guard_reasons[0]))

static const char *const exit_causes[] = { "stopped", "signal", "failed" };
#define N_EXITS (sizeof(exit_causes) / sizeof(exit_causes[0]))

static const char *const signout_scopes[] = { "session", "everywhere" };
#define N_SCOPES (sizeof(signout_scopes) / sizeof(signout_scopes[0]))

/* Upper bounds in seconds; the +Inf bucket is implicit. */
static const double decision_bounds[] = {
	0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5
};
#define N_DBOUNDS (sizeof(decision_bounds) / sizeof(decision_bounds[0]))
static const double password_bounds[] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5
};
#define N_PBOUNDS (sizeof(password_bounds) / sizeof(password_bounds[0]))

/* gatekeep-login's sign-ins: how, and why one was refused ("none": signed in). */
static const char *const login_methods[] = { "form", "oidc", "other" };
#define N_LMETHODS (sizeof(login_methods) / sizeof(login_methods[0]))
static const char *const login_reasons[] = {
	"none", "bad-password", "unknown-user", "bad-user-name", "disabled", "banned",
	"account-locked", "throttled", "lockout-error", "bad-form", "csrf", "bad-origin",
	"rd-too-long", "bad-flow-cookie", "flow-expired", "bad-code", "auth-url", "wrong-issuer",
	"wrong-audience", "wrong-nonce", "id-token-malformed", "id-token-alg",
	"id-token-signature", "id-token-claims", "id-token-expired", "no-email",
	"email-unverified", "user-not-authorized", "bad-username", "bad-identity",
	"identity-mismatch", "local-user-exists", "name-case-clash", "provider-unreachable",
	"bad-discovery", "token-request", "token-response", "userinfo", "database", "internal",
	"other"
};
#define N_LREASONS (sizeof(login_reasons) / sizeof(login_reasons[0]))

#define BAN_RING 1024   /* recent ban ends, for the active-bans gauge */

typedef _Atomic uint64_t counter;

struct histogram_d {
	counter bucket[N_DBOUNDS + 1];  /* per bucket (not cumulative); last is +Inf */
	counter sum_ns;
};

struct histogram_p {
	counter bucket[N_PBOUNDS + 1];
	counter sum_ns;
};

/* A file's first bytes: which program's build laid it out, so another layout is never misread. */
#define SHM_MAGIC UINT64_C(0x31534352544d4b47)      /* "GKMTRCS1" */
#define SHM_LAYOUT ((uint64_t)sizeof(struct shm) | (uint64_t)N_REASONS << 32 | \
	(uint64_t)N_LREASONS << 40 | (uint64_t)N_METHODS << 48)

/* The shared region: only atomics (and the header, written once under flock). */
struct shm {
	uint64_t magic, layout;
	counter decisions[N_OUTCOMES][N_METHODS][N_REASONS];
	struct histogram_d decision_seconds;
	struct histogram_p password_seconds[N_HASHES];
	counter cache[2];               /* miss, hit */
	counter bans;
	_Atomic int64_t ban_until[BAN_RING];
	counter ban_next;
	counter guard[N_GUARD];
	counter worker_starts;
	counter worker_exits[N_EXITS];
	_Atomic uint64_t workers_alive, workers_wanted;
	_Atomic int64_t start_time;
	counter logins[N_LMETHODS][N_LREASONS];
	counter tokens;
	counter signouts[N_SCOPES];     /* one session, everywhere */
};

static struct shm *shm;                 /* NULL: metrics are off in this process */
static const struct shm *peer;          /* during a render: the other program's file, or NULL */
static char peer_path[4096];            /* gk_metrics_peer's file ("" none) */
static int64_t decision_t0;             /* this worker's decision in progress (one at a time) */

static void
add(counter *c, uint64_t n)
{
	atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

static uint64_t
get(counter *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

/* A counter of this process's region plus the same counter of the peer's file (render only). */
static uint64_t
val(counter *c)
{
	uint64_t v = get(c);

	if (peer != NULL)
		v += get((counter *)((char *)peer + ((char *)c - (char *)shm)));
	return v;
}

int
gk_metrics_open(struct gk_err *err)
{
	void *p;

	if (shm != NULL)
		return GK_OK;
	p = mmap(NULL, sizeof(struct shm), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
	    -1, 0);
	if (p == MAP_FAILED)
		return gk_err_set(err, "metrics: cannot map %zu bytes of shared memory",
		    sizeof(struct shm));
	/* mmap zero-fills: every atomic starts at 0, which is its valid initial state. */
	shm = p;
	shm->magic = SHM_MAGIC;
	shm->layout = SHM_LAYOUT;
	atomic_store(&shm->start_time, (int64_t)time(NULL));
	return GK_OK;
}

/* The file's checks, as for the lockout table: anyone else able to write it could fake counts. */
static int
file_ok(int fd, const char *path, struct stat *st, struct gk_err *err)
{
	if (fstat(fd, st) != 0)
		return gk_err_set(err, "metrics: %s: %s", path, strerror(errno));
	if (!S_ISREG(st->st_mode))
		return gk_err_set(err, "metrics: %s is not a regular file", path);
	if (st->st_uid != geteuid() || (st->st_mode & 022) != 0)
		return gk_err_set(err, "metrics: %s must be owned by uid %ld and not group/other "
		    "writable", path, (long)geteuid());
	return GK_OK;
}

/* A fresh zeroed file of this layout put in place of one laid out by another build. */
static int
replace_file(const char *path, struct gk_err *err)
{
	char tmp[4096 + 32];
	struct shm h;
	int fd, rc = GK_ERR;

	if (snprintf(tmp, sizeof(tmp), "%s.new-%ld", path, (long)getpid()) >= (int)sizeof(tmp))
		return gk_err_set(err, "metrics: %s: path too long", path);
	fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return gk_err_set(err, "metrics: cannot create %s: %s", tmp, strerror(errno));
	memset(&h, 0, sizeof(h));
	h.magic = SHM_MAGIC;
	h.layout = SHM_LAYOUT;
	if (pwrite(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h) || rename(tmp, path) != 0)
		gk_err_set(err, "metrics: cannot write %s: %s", path, strerror(errno));
	else
		rc = GK_OK;
	if (rc != GK_OK)
		unlink(tmp);
	close(fd);
	return rc;
}

int
gk_metrics_open_file(const char *path, struct gk_err *err)
{
	struct stat st, now;
	struct shm h;
	void *p;
	int fd, tries, rc;

	if (shm != NULL)
		return GK_OK;
	for (tries = 0; tries < 5; tries++) {
		fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0)
			return gk_err_set(err, "metrics: cannot open %s: %s", path, strerror(errno));
		/* Start-up only (never on the request path): one process lays a new file out. */
		if (file_ok(fd, path, &st, err) != GK_OK || flock(fd, LOCK_EX) != 0) {
			if (err->msg[0] == '\0')
				gk_err_set(err, "metrics: cannot lock %s: %s", path, strerror(errno));
			close(fd);
			return GK_ERR;
		}
		/* Replaced by another process while we waited for the lock: open the new one. */
		if (stat(path, &now) != 0 || now.st_ino != st.st_ino || now.st_dev != st.st_dev ||
		    fstat(fd, &st) != 0) {
			close(fd);
			continue;
		}
		memset(&h, 0, sizeof(h));
		if (st.st_size == 0) {
			h.magic = SHM_MAGIC;
			h.layout = SHM_LAYOUT;
			if (pwrite(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h)) {
				gk_err_set(err, "metrics: cannot write %s: %s", path, strerror(errno));
				close(fd);
				return GK_ERR;
			}
		} else if (st.st_size != (off_t)sizeof(h) ||
		    pread(fd, &h, 2 * sizeof(uint64_t), 0) != 2 * sizeof(uint64_t) ||
		    h.magic != SHM_MAGIC || h.layout != SHM_LAYOUT) {
			/* Another build's layout (an upgrade): start from zero, never misread it. */
			rc = replace_file(path, err);
			close(fd);
			if (rc != GK_OK)
				return GK_ERR;
			continue;
		}
		p = mmap(NULL, sizeof(struct shm), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		/* Unlock by hand: the mapping keeps the open file (and so a flock) alive. */
		flock(fd, LOCK_UN);
		close(fd);
		if (p == MAP_FAILED)
			return gk_err_set(err, "metrics: cannot map %s: %s", path, strerror(errno));
		shm = p;
		atomic_store(&shm->start_time, (int64_t)time(NULL));
		return GK_OK;
	}
	return gk_err_set(err, "metrics: %s keeps being replaced", path);
}

void
gk_metrics_peer(const char *path)
{
	if (gk_strcpy(peer_path, sizeof(peer_path), path != NULL ? path : "") != GK_OK)
		peer_path[0] = '\0';
}

/* The peer's file, read-only, for one render: NULL when absent or not to be trusted. */
static const struct shm *
peer_map(void)
{
	struct stat st;
	struct gk_err err = { "" };
	const struct shm *p;
	void *m;
	int fd;

	if (peer_path[0] == '\0' ||
	    (fd = open(peer_path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return NULL;
	if (file_ok(fd, peer_path, &st, &err) != GK_OK || st.st_size != (off_t)sizeof(struct shm)) {
		close(fd);
		return NULL;
	}
	m = mmap(NULL, sizeof(struct shm), PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return NULL;
	p = m;
	if (p->magic != SHM_MAGIC || p->layout != SHM_LAYOUT) {
		munmap(m, sizeof(struct shm));
		return NULL;
	}
	return p;
}

bool
gk_metrics_enabled(void)
{
	return shm != NULL;
}

void
gk_metrics_close(void)
{
	if (shm != NULL)
		munmap(shm, sizeof(*shm));
	shm = NULL;
}

void
gk_metrics_fill(uint64_t v, int64_t until)
{
	counter *c = &shm->decisions[0][0][0];
	size_t i;

	if (shm == NULL)
		return;
	/* Everything after the header is 64-bit atomics; the gauges are overwritten below. */
	for (i = 0; i < (sizeof(*shm) - offsetof(struct shm, decisions)) / sizeof(*c); i++)
		atomic_store_explicit(&c[i], v, memory_order_relaxed);
	for (i = 0; i < BAN_RING; i++)
		atomic_store_explicit(&shm->ban_until[i], until, memory_order_relaxed);
	atomic_store(&shm->start_time, (int64_t)time(NULL));
}

static size_t
index_of(const char *const *names, size_t n, const char *s, size_t if_null)
{
	size_t i;

	if (s == NULL)
		return if_null;
	for (i = 0; i < n - 1; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return n - 1;   /* the last name is always "other" */
}

static size_t
bucket_of(const double *bounds, size_t n, int64_t ns)
{
	double s = (double)ns / 1e9;
	size_t i;

	for (i = 0; i < n; i++)
		if (s <= bounds[i])
			return i;
	return n;
}

void
gk_metrics_decision_start(void)
{
	if (shm != NULL)
		decision_t0 = gk_mono_ns();
}

void
gk_metrics_decision(int status, bool redirect, const char *method, const char *reason)
{
	size_t o, m, r;
	int64_t ns;

	if (shm == NULL)
		return;
	if (status >= 200 && status < 300)
		o = 0;
	else if ((status >= 300 && status < 400) || (status == 401 && redirect))
		o = 2;
	else if (status == 401)
		o = 1;
	else if (status == 403)
		o = 3;
	else
		o = 4;
	m = index_of(methods, N_METHODS, method, 0);
	r = o == 0 ? 0 : index_of(reasons, N_REASONS, reason, N_REASONS - 1);
	add(&shm->decisions[o][m][r], 1);
	if (decision_t0 != 0) {
		ns = gk_mono_ns() - decision_t0;
		if (ns < 0)
			ns = 0;
		add(&shm->decision_seconds.bucket[bucket_of(decision_bounds, N_DBOUNDS, ns)], 1);
		add(&shm->decision_seconds.sum_ns, (uint64_t)ns);
		decision_t0 = 0;
	}
}

void
gk_metrics_password(const char *stored, int64_t elapsed_ns)
{
	size_t h = N_HASHES - 1, i;

	if (shm == NULL)
		return;
	if (stored == NULL) {
		h = N_HASHES - 2;
	} else {
		for (i = 0; i < sizeof(hash_prefixes) / sizeof(hash_prefixes[0]); i++)
			if (strncmp(stored, hash_prefixes[i].prefix,
			    strlen(hash_prefixes[i].prefix)) == 0) {
				h = index_of(hashes, N_HASHES, hash_prefixes[i].name, 0);
				break;
			}
	}
	if (elapsed_ns < 0)
		elapsed_ns = 0;
	add(&shm->password_seconds[h].bucket[bucket_of(password_bounds, N_PBOUNDS, elapsed_ns)], 1);
	add(&shm->password_seconds[h].sum_ns, (uint64_t)elapsed_ns);
}

void
gk_metrics_basic_cache(bool hit)
{
	if (shm != NULL)
		add(&shm->cache[hit], 1);
}

void
gk_metrics_lockout_ban(int64_t until)
{
	uint64_t i;

	if (shm == NULL)
		return;
	add(&shm->bans, 1);
	i = atomic_fetch_add_explicit(&shm->ban_next, 1, memory_order_relaxed);
	atomic_store_explicit(&shm->ban_until[i % BAN_RING], until, memory_order_relaxed);
}

void
gk_metrics_guard_refusal(const char *reason)
{
	if (shm != NULL)
		add(&shm->guard[index_of(guard_reasons, N_GUARD, reason, N_GUARD - 1)], 1);
}

void
gk_metrics_login(const char *method, const char *reason)
{
	if (shm != NULL)
		add(&shm->logins[index_of(login_methods, N_LMETHODS, method, N_LMETHODS - 1)]
		    [index_of(login_reasons, N_LREASONS, reason, 0)], 1);
}

void
gk_metrics_token_issued(void)
{
	if (shm != NULL)
		add(&shm->tokens, 1);
}

void
gk_metrics_signout(bool everywhere)
{
	if (shm != NULL)
		add(&shm->signouts[everywhere], 1);
}

void
gk_metrics_worker_started(void)
{
	if (shm != NULL)
		add(&shm->worker_starts, 1);
}

void
gk_metrics_worker_exited(int status, bool stopping)
{
	size_t cause;

	if (shm == NULL)
		return;
	if ((WIFEXITED(status) && WEXITSTATUS(status) == 0) ||
	    (stopping && WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM))
		cause = 0;
	else if (WIFSIGNALED(status))
		cause = 1;
	else
		cause = 2;
	add(&shm->worker_exits[cause], 1);
}

void
gk_metrics_workers(size_t alive, size_t wanted)
{
	if (shm == NULL)
		return;
	atomic_store(&shm->workers_alive, alive);
	atomic_store(&shm->workers_wanted, wanted);
}

void
gk_metrics_workers_get(size_t *alive, size_t *wanted)
{
	*alive = shm == NULL ? 0 : (size_t)atomic_load(&shm->workers_alive);
	*wanted = shm == NULL ? 0 : (size_t)atomic_load(&shm->workers_wanted);
}

/* --- the exposition -------------------------------------------------------- */

static void
family(struct gk_textbuf *o, const char *name, const char *type, const char *help)
{
	gk_textbuf_printf(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A family of one series without labels. */
static void
single(struct gk_textbuf *o, const char *name, const char *type, const char *help,
    unsigned long long value)
{
	family(o, name, type, help);
	gk_textbuf_printf(o, "%s %llu\n", name, value);
}

/* A counter family with one label: a series name{label="values[i]"} counts[i] for each i < n. */
static void
counters_by(struct gk_textbuf *o, const char *name, const char *help, const char *label,
    const char *const *values, counter *counts, size_t n)
{
	size_t i;

	family(o, name, "counter", help);
	for (i = 0; i < n; i++)
		gk_textbuf_printf(o, "%s{%s=\"%s\"} %llu\n", name, label, values[i],
		    (unsigned long long)val(&counts[i]));
}

/* One histogram's series from per-bucket counts read once: _count always equals +Inf. */
static void
histogram(struct gk_textbuf *o, const char *name, const char *label, counter *bucket,
    const double *bounds, size_t n, counter *sum_ns)
{
	uint64_t cum = 0, sum = val(sum_ns);
	const char *sep = label[0] != '\0' ? "," : "";
	size_t i;

	for (i = 0; i <= n; i++) {
		cum += val(&bucket[i]);
		if (i < n)
			gk_textbuf_printf(o, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, label, sep,
			    bounds[i], (unsigned long long)cum);
		else
			gk_textbuf_printf(o, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, label, sep,
			    (unsigned long long)cum);
	}
	if (label[0] != '\0') {
		gk_textbuf_printf(o, "%s_sum{%s} %.9f\n", name, label, (double)sum / 1e9);
		gk_textbuf_printf(o, "%s_count{%s} %llu\n", name, label, (unsigned long long)cum);
	} else {
		gk_textbuf_printf(o, "%s_sum %.9f\n", name, (double)sum / 1e9);
		gk_textbuf_printf(o, "%s_count %llu\n", name, (unsigned long long)cum);
	}
}

static void
features(char *out, size_t outsz)
{
	out[0] = '\0';
#ifdef HAVE_SECCOMP
	strncat(out, "seccomp,", outsz - strlen(out) - 1);
#endif
#ifdef HAVE_APR_UTIL
	strncat(out, "apr-util,", outsz - strlen(out) - 1);
#endif
	if (out[0] != '\0')
		out[strlen(out) - 1] = '\0';
}

size_t
gk_metrics_render(char *buf, size_t bufsz, int64_t now)
{
	struct gk_textbuf o = { .buf = buf, .size = bufsz, .failed = bufsz == 0 };
	char feat[64], label[64];
	size_t i, j, k, active = 0;

	if (shm == NULL || bufsz == 0)
		return 0;
	peer = peer_map();
	features(feat, sizeof(feat));
	family(&o, "gatekeep_build_info", "gauge", "Version and optional features of this build.");
	gk_textbuf_printf(&o, "gatekeep_build_info{version=\"%s\",features=\"%s\"} 1\n",
	    PACKAGE_VERSION, feat);
	family(&o, "gatekeep_start_time_seconds", "gauge",
	    "When the supervisor started, in seconds since the epoch.");
	gk_textbuf_printf(&o, "gatekeep_start_time_seconds %lld\n",
	    (long long)atomic_load(&shm->start_time));

	family(&o, "gatekeep_decisions_total", "counter",
	    "Decisions by outcome, method and deny reason (series appear once counted).");
	for (i = 0; i < N_OUTCOMES; i++)
		for (j = 0; j < N_METHODS; j++)
			for (k = 0; k < N_REASONS; k++) {
				uint64_t v = val(&shm->decisions[i][j][k]);

				/* allow by the configured methods: always there, so rate() starts at 0 */
				if (v == 0 && !(i == 0 && k == 0 && j >= 1 && j <= 6))
					continue;
				gk_textbuf_printf(&o, "gatekeep_decisions_total{outcome=\"%s\","
				    "method=\"%s\",reason=\"%s\"} %llu\n", outcomes[i], methods[j],
				    reasons[k], (unsigned long long)v);
			}
	family(&o, "gatekeep_decision_duration_seconds", "histogram",
	    "Time from a request's parameters to its decision.");
	histogram(&o, "gatekeep_decision_duration_seconds", "", shm->decision_seconds.bucket,
	    decision_bounds, N_DBOUNDS, &shm->decision_seconds.sum_ns);
	family(&o, "gatekeep_password_verify_duration_seconds", "histogram",
	    "Password verification time by the stored hash's method (dummy: unknown users).");
	for (i = 0; i < N_HASHES; i++) {
		struct histogram_p *h = &shm->password_seconds[i];
		uint64_t n = 0;

		for (j = 0; j <= N_PBOUNDS; j++)
			n += val(&h->bucket[j]);
		if (n == 0)
			continue;
		snprintf(label, sizeof(label), "method=\"%s\"", hashes[i]);
		histogram(&o, "gatekeep_password_verify_duration_seconds", label, h->bucket,
		    password_bounds, N_PBOUNDS, &h->sum_ns);
	}
	family(&o, "gatekeep_basic_cache_total", "counter",
	    "Basic credential cache lookups by result.");
	gk_textbuf_printf(&o, "gatekeep_basic_cache_total{result=\"hit\"} %llu\n",
	    (unsigned long long)val(&shm->cache[1]));
	gk_textbuf_printf(&o, "gatekeep_basic_cache_total{result=\"miss\"} %llu\n",
	    (unsigned long long)val(&shm->cache[0]));
	{
		static const char *const fails[] = { "bad-password", "unknown-user", "bad-user-name" };
		uint64_t n = 0;

		for (i = 0; i < 3; i++)
			for (j = 5; j <= 6; j++)   /* basic, apache */
				for (k = 0; k < N_OUTCOMES; k++)
					n += val(&shm->decisions[k][j]
					    [index_of(reasons, N_REASONS, fails[i], 0)]);
		single(&o, "gatekeep_lockout_failures_total", "counter",
		    "Failed Basic or Apache-pair passwords (bad password, unknown user, bad name).",
		    n);
	}
	single(&o, "gatekeep_lockout_bans_total", "counter",
	    "Bans and account locks issued by the lockout table.", val(&shm->bans));
	for (i = 0; i < BAN_RING; i++) {
		active += atomic_load_explicit(&shm->ban_until[i], memory_order_relaxed) > now;
		if (peer != NULL)
			active += atomic_load_explicit(&peer->ban_until[i], memory_order_relaxed) > now;
	}
	single(&o, "gatekeep_lockout_bans_active", "gauge",
	    "Bans issued since start that have not run out (an admin's unban is not seen here).",
	    active);
	counters_by(&o, "gatekeep_fastcgi_refused_total",
	    "FastCGI connections refused by the guard before any decision, by reason.", "reason",
	    guard_reasons, shm->guard, N_GUARD);
	single(&o, "gatekeep_worker_starts_total", "counter",
	    "Worker processes started by the supervisor (the first ones included).",
	    val(&shm->worker_starts));
	counters_by(&o, "gatekeep_worker_exits_total",
	    "Worker processes ended, by cause (stopped: as told; signal: killed; failed: exit status).",
	    "cause", exit_causes, shm->worker_exits, N_EXITS);
	single(&o, "gatekeep_workers", "gauge", "Worker processes running now.",
	    atomic_load(&shm->workers_alive));
	single(&o, "gatekeep_workers_wanted", "gauge", "Worker processes configured.",
	    atomic_load(&shm->workers_wanted));
	family(&o, "gatekeep_logins_total", "counter",
	    "gatekeep-login sign-ins by method, outcome and reason (series appear once counted).");
	for (i = 0; i < N_LMETHODS; i++)
		for (k = 0; k < N_LREASONS; k++) {
			uint64_t v = val(&shm->logins[i][k]);

			if (v == 0 && !(k == 0 && i < 2))
				continue;
			gk_textbuf_printf(&o, "gatekeep_logins_total{method=\"%s\",outcome=\"%s\","
			    "reason=\"%s\"} %llu\n", login_methods[i], k == 0 ? "success" : "denied",
			    login_reasons[k], (unsigned long long)v);
		}
	single(&o, "gatekeep_session_tokens_issued_total", "counter",
	    "Session cookies issued by gatekeep-login.", val(&shm->tokens));
	counters_by(&o, "gatekeep_signouts_total",
	    "Sign-outs at gatekeep-login: of one session, or everywhere (every session revoked).",
	    "scope", signout_scopes, shm->signouts, N_SCOPES);
	if (peer != NULL)
		munmap((void *)peer, sizeof(struct shm));
	peer = NULL;
	if (o.failed) {
		buf[0] = '\0';
		return 0;
	}
	return o.len;
}
