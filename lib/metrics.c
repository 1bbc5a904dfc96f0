/* metrics.c: counters and histograms shared by every pre-forked worker, in the Prometheus text format. */
#include <config.h>

#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include "metrics.h"

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

/* Upper bounds in seconds; the +Inf bucket is implicit. */
static const double decision_bounds[] = {
	0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5
};
#define N_DBOUNDS (sizeof(decision_bounds) / sizeof(decision_bounds[0]))
static const double password_bounds[] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5
};
#define N_PBOUNDS (sizeof(password_bounds) / sizeof(password_bounds[0]))

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

/* The shared region: only atomics, laid out once before fork. */
struct shm {
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
};

static struct shm *shm;                 /* NULL: metrics are off in this process */
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
	atomic_store(&shm->start_time, (int64_t)time(NULL));
	return GK_OK;
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

struct out {
	char *buf;
	size_t size, len;
	bool full;
};

static void __attribute__((format(printf, 2, 3)))
put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->size - o->len) {
		o->full = true;
		return;
	}
	o->len += (size_t)n;
}

static void
family(struct out *o, const char *name, const char *type, const char *help)
{
	put(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One histogram's series from per-bucket counts read once: _count always equals +Inf. */
static void
histogram(struct out *o, const char *name, const char *label, counter *bucket,
    const double *bounds, size_t n, counter *sum_ns)
{
	uint64_t cum = 0, sum = get(sum_ns);
	const char *sep = label[0] != '\0' ? "," : "";
	size_t i;

	for (i = 0; i <= n; i++) {
		cum += get(&bucket[i]);
		if (i < n)
			put(o, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, label, sep, bounds[i],
			    (unsigned long long)cum);
		else
			put(o, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, label, sep,
			    (unsigned long long)cum);
	}
	if (label[0] != '\0') {
		put(o, "%s_sum{%s} %.9f\n", name, label, (double)sum / 1e9);
		put(o, "%s_count{%s} %llu\n", name, label, (unsigned long long)cum);
	} else {
		put(o, "%s_sum %.9f\n", name, (double)sum / 1e9);
		put(o, "%s_count %llu\n", name, (unsigned long long)cum);
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
	struct out o = { buf, bufsz, 0, bufsz == 0 };
	char feat[64], label[64];
	size_t i, j, k, active = 0;

	if (shm == NULL || bufsz == 0)
		return 0;
	features(feat, sizeof(feat));
	family(&o, "gatekeep_build_info", "gauge", "Version and optional features of this build.");
	put(&o, "gatekeep_build_info{version=\"%s\",features=\"%s\"} 1\n", PACKAGE_VERSION, feat);
	family(&o, "gatekeep_start_time_seconds", "gauge",
	    "When the supervisor started, in seconds since the epoch.");
	put(&o, "gatekeep_start_time_seconds %lld\n", (long long)atomic_load(&shm->start_time));

	family(&o, "gatekeep_decisions_total", "counter",
	    "Decisions by outcome, method and deny reason (series appear once counted).");
	for (i = 0; i < N_OUTCOMES; i++)
		for (j = 0; j < N_METHODS; j++)
			for (k = 0; k < N_REASONS; k++) {
				uint64_t v = get(&shm->decisions[i][j][k]);

				/* allow by the configured methods: always there, so rate() starts at 0 */
				if (v == 0 && !(i == 0 && k == 0 && j >= 1 && j <= 6))
					continue;
				put(&o, "gatekeep_decisions_total{outcome=\"%s\",method=\"%s\","
				    "reason=\"%s\"} %llu\n", outcomes[i], methods[j], reasons[k],
				    (unsigned long long)v);
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
			n += get(&h->bucket[j]);
		if (n == 0)
			continue;
		snprintf(label, sizeof(label), "method=\"%s\"", hashes[i]);
		histogram(&o, "gatekeep_password_verify_duration_seconds", label, h->bucket,
		    password_bounds, N_PBOUNDS, &h->sum_ns);
	}
	family(&o, "gatekeep_basic_cache_total", "counter",
	    "Basic credential cache lookups by result.");
	put(&o, "gatekeep_basic_cache_total{result=\"hit\"} %llu\n",
	    (unsigned long long)get(&shm->cache[1]));
	put(&o, "gatekeep_basic_cache_total{result=\"miss\"} %llu\n",
	    (unsigned long long)get(&shm->cache[0]));
	family(&o, "gatekeep_lockout_failures_total", "counter",
	    "Failed Basic or Apache-pair passwords (bad password, unknown user, bad name).");
	{
		static const char *const fails[] = { "bad-password", "unknown-user", "bad-user-name" };
		uint64_t n = 0;

		for (i = 0; i < 3; i++)
			for (j = 5; j <= 6; j++)   /* basic, apache */
				for (k = 0; k < N_OUTCOMES; k++)
					n += get(&shm->decisions[k][j]
					    [index_of(reasons, N_REASONS, fails[i], 0)]);
		put(&o, "gatekeep_lockout_failures_total %llu\n", (unsigned long long)n);
	}
	family(&o, "gatekeep_lockout_bans_total", "counter",
	    "Bans and account locks issued by the lockout table.");
	put(&o, "gatekeep_lockout_bans_total %llu\n", (unsigned long long)get(&shm->bans));
	for (i = 0; i < BAN_RING; i++)
		active += atomic_load_explicit(&shm->ban_until[i], memory_order_relaxed) > now;
	family(&o, "gatekeep_lockout_bans_active", "gauge",
	    "Bans issued since start that have not run out (an admin's unban is not seen here).");
	put(&o, "gatekeep_lockout_bans_active %zu\n", active);
	family(&o, "gatekeep_fastcgi_refused_total", "counter",
	    "FastCGI connections refused by the guard before any decision, by reason.");
	for (i = 0; i < N_GUARD; i++)
		put(&o, "gatekeep_fastcgi_refused_total{reason=\"%s\"} %llu\n", guard_reasons[i],
		    (unsigned long long)get(&shm->guard[i]));
	family(&o, "gatekeep_worker_starts_total", "counter",
	    "Worker processes started by the supervisor (the first ones included).");
	put(&o, "gatekeep_worker_starts_total %llu\n", (unsigned long long)get(&shm->worker_starts));
	family(&o, "gatekeep_worker_exits_total", "counter",
	    "Worker processes ended, by cause (stopped: as told; signal: killed; failed: exit status).");
	for (i = 0; i < N_EXITS; i++)
		put(&o, "gatekeep_worker_exits_total{cause=\"%s\"} %llu\n", exit_causes[i],
		    (unsigned long long)get(&shm->worker_exits[i]));
	family(&o, "gatekeep_workers", "gauge", "Worker processes running now.");
	put(&o, "gatekeep_workers %llu\n", (unsigned long long)atomic_load(&shm->workers_alive));
	family(&o, "gatekeep_workers_wanted", "gauge", "Worker processes configured.");
	put(&o, "gatekeep_workers_wanted %llu\n",
	    (unsigned long long)atomic_load(&shm->workers_wanted));
	if (o.full) {
		buf[0] = '\0';
		return 0;
	}
	return o.len;
}
