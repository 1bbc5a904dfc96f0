/* statestore.c: the shared state store (Redis/Valkey through hiredis): connection, keys, generations. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hiredis/hiredis.h>
#include <sodium.h>

#include "conf.h"
#include "statestore.h"

#define BACKOFF_MIN_MS   250
#define BACKOFF_MAX_MS   8000
#define GEN_CACHE        64
#define SCRIPTS_MAX      4
#define HKEY_LEN         32
#define SECRET_FILE_MAX  1024

struct gen_entry {
	char key[GK_STORE_KEY_MAX];
	uint32_t gen;
	int64_t at_ns;
};

struct gk_statestore {
	struct gk_statestore_conf conf;
	/* the URL, parsed */
	bool unix_socket;
	char host[256];
	char path[GK_PATH_MAX];
	int port;
	long db;
	char name[GK_STORE_URL_MAX + 8];
	/* secrets read at open */
	char password[SECRET_FILE_MAX];
	size_t password_len;
	bool have_hkey_file;
	unsigned char hkey[HKEY_LEN];
	bool have_hkey;
	/* the connection of this process */
	redisContext *c;
	pid_t pid;
	int64_t retry_at_ns;            /* no attempt before this (back-off) */
	long backoff_ms;
	char last_error[256];
	struct { const char *script; char sha[41]; } scripts[SCRIPTS_MAX];
	struct gen_entry gens[GEN_CACHE];
};

void
gk_statestore_conf_from(struct gk_statestore_conf *conf, const struct gk_config *cfg)
{
	memset(conf, 0, sizeof(*conf));
	conf->enabled = cfg->state_backend == GK_STATE_BACKEND_REDIS;
	gk_strcpy(conf->url, sizeof(conf->url), cfg->redis_url != NULL ? cfg->redis_url : "");
	gk_strcpy(conf->password_file, sizeof(conf->password_file),
	    cfg->redis_password_file != NULL ? cfg->redis_password_file : "");
	gk_strcpy(conf->key_file, sizeof(conf->key_file),
	    cfg->redis_key_file != NULL ? cfg->redis_key_file : "");
	gk_strcpy(conf->prefix, sizeof(conf->prefix),
	    cfg->redis_prefix != NULL ? cfg->redis_prefix : "gatekeep:");
	conf->timeout_ms = cfg->redis_timeout_ms;
	conf->generation_cache_ms = cfg->state_generation_cache_ms;
	conf->down = cfg->state_store_down == GK_STORE_DOWN_LOCAL ? GK_STORE_DOWN_LOCAL :
	    GK_STORE_DOWN_DENY;
}

static bool
digits(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* redis://HOST[:PORT][/DB] (HOST: a name, an IPv4 address or [IPv6]) or unix:/PATH[?db=N]. */
static int
url_parse(struct gk_statestore *st, const char *url, struct gk_err *err)
{
	char buf[GK_STORE_URL_MAX], *p, *q, *db = NULL, *port = NULL;
	long v;

	if (gk_strcpy(buf, sizeof(buf), url) != GK_OK)
		return gk_err_set(err, "redis_url: too long");
	st->port = 6379;
	st->db = 0;
	if (strncmp(buf, "unix:", 5) == 0) {
		p = buf + 5;
		if ((q = strchr(p, '?')) != NULL) {
			*q++ = '\0';
			if (strncmp(q, "db=", 3) != 0)
				return gk_err_set(err, "redis_url: only ?db=N may follow a socket path");
			db = q + 3;
		}
		if (p[0] != '/' || gk_strcpy(st->path, sizeof(st->path), p) != GK_OK)
			return gk_err_set(err, "redis_url: unix: needs an absolute socket path");
		st->unix_socket = true;
	} else if (strncmp(buf, "redis://", 8) == 0) {
		p = buf + 8;
		if (strchr(p, '@') != NULL)
			return gk_err_set(err, "redis_url: no user or password in the URL "
			    "(redis_password_file holds the password)");
		if ((q = strchr(p, '/')) != NULL) {
			*q++ = '\0';
			db = q;
		}
		if (*p == '[') {
			if ((q = strchr(p, ']')) == NULL)
				return gk_err_set(err, "redis_url: unclosed [ in the host");
			*q++ = '\0';
			p++;
			if (*q == ':')
				port = q + 1;
			else if (*q != '\0')
				return gk_err_set(err, "redis_url: junk after ]");
		} else if ((q = strchr(p, ':')) != NULL) {
			*q = '\0';
			port = q + 1;
		}
		if (*p == '\0' || strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789.-:") != strlen(p) || gk_strcpy(st->host, sizeof(st->host), p) != GK_OK)
			return gk_err_set(err, "redis_url: bad host (redis://HOST[:PORT][/DB], "
			    "no user or password: use redis_password_file)");
		if (port != NULL) {
			if (!digits(port, 1, 65535, &v))
				return gk_err_set(err, "redis_url: bad port");
			st->port = (int)v;
		}
	} else {
		return gk_err_set(err, "redis_url: expected redis://HOST[:PORT][/DB] or unix:/PATH "
		    "(rediss:// is not supported: hiredis 0.14 has no TLS)");
	}
	if (db != NULL && *db != '\0') {
		if (!digits(db, 0, 65535, &v))
			return gk_err_set(err, "redis_url: bad database number");
		st->db = v;
	}
	snprintf(st->name, sizeof(st->name), "redis %s", url);
	return GK_OK;
}

int
gk_statestore_url_check(const char *url, struct gk_err *err)
{
	struct gk_statestore *st = calloc(1, sizeof(*st));
	int rc;

	if (st == NULL)
		return gk_err_set(err, "out of memory");
	if (url[0] == '\0')
		rc = (gk_err_set(err, "state_backend = redis needs redis_url (redis://HOST[:PORT][/DB] "
		    "or unix:/PATH)"), GK_EINVAL);
	else
		rc = url_parse(st, url, err) == GK_OK ? GK_OK : GK_EINVAL;
	free(st);
	return rc;
}

/* A secret file: regular, no access for "other", not group-writable; one line, LF stripped. */
static int
secret_read(const char *what, const char *path, char *out, size_t outsz, size_t *len,
    struct gk_err *err)
{
	struct stat sb;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return gk_err_set(err, "%s %s: %s", what, path, strerror(errno));
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || (sb.st_mode & 027) != 0) {
		close(fd);
		return gk_err_set(err, "%s %s: must be a regular file without access for others "
		    "(mode 0600 or 0640)", what, path);
	}
	n = read(fd, out, outsz);
	close(fd);
	if (n < 0 || (size_t)n >= outsz)
		return gk_err_set(err, "%s %s: unreadable or longer than %zu bytes", what, path,
		    outsz - 1);
	if (n > 0 && out[n - 1] == '\n')
		n--;
	out[n] = '\0';
	if (n == 0 || memchr(out, '\n', (size_t)n) != NULL || memchr(out, '\0', (size_t)n) != NULL)
		return gk_err_set(err, "%s %s: expected one non-empty line", what, path);
	*len = (size_t)n;
	return GK_OK;
}

/* The key of the name hashes, from a secret of any length. */
static void
hkey_derive(unsigned char hkey[HKEY_LEN], const void *secret, size_t len)
{
	static const unsigned char ctx[16] = "gk-store-keys-v1";

	crypto_generichash(hkey, HKEY_LEN, secret, len, ctx, sizeof(ctx));
}

int
gk_statestore_open(const struct gk_statestore_conf *conf, struct gk_statestore **out,
    struct gk_err *err)
{
	struct gk_statestore *st;
	char keybuf[SECRET_FILE_MAX];
	size_t keylen = 0;

	*out = NULL;
	if (sodium_init() < 0)
		return gk_err_set(err, "state store: libsodium init failed");
	if (!conf->enabled)
		return gk_err_set(err, "state store: state_backend is not redis");
	if (conf->url[0] == '\0')
		return gk_err_set(err, "state_backend = redis needs redis_url");
	if (conf->prefix[0] == '\0' || strspn(conf->prefix, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:._-{}") != strlen(conf->prefix))
		return gk_err_set(err, "redis_prefix: letters, digits and :._-{} only, not empty");
	if (conf->timeout_ms < 1 || conf->generation_cache_ms < 0)
		return gk_err_set(err, "state store: bad redis_timeout_ms or state_generation_cache_ms");
	if ((st = calloc(1, sizeof(*st))) == NULL)
		return gk_err_set(err, "out of memory");
	st->conf = *conf;
	if (url_parse(st, conf->url, err) != GK_OK)
		goto fail;
	if (conf->password_file[0] != '\0' && secret_read("redis_password_file",
	    conf->password_file, st->password, sizeof(st->password), &st->password_len, err) != GK_OK)
		goto fail;
	if (conf->key_file[0] != '\0') {
		if (secret_read("redis_key_file", conf->key_file, keybuf, sizeof(keybuf), &keylen,
		    err) != GK_OK)
			goto fail;
		if (keylen < 32) {
			gk_wipe(keybuf, sizeof(keybuf));
			gk_err_set(err, "redis_key_file %s: shorter than 32 bytes", conf->key_file);
			goto fail;
		}
		hkey_derive(st->hkey, keybuf, keylen);
		gk_wipe(keybuf, sizeof(keybuf));
		st->have_hkey_file = st->have_hkey = true;
	}
	st->pid = getpid();
	*out = st;
	return GK_OK;
fail:
	gk_wipe(st, sizeof(*st));
	free(st);
	return GK_ERR;
}

static void
drop(struct gk_statestore *st)
{
	size_t i;

	if (st->c != NULL)
		redisFree(st->c);
	st->c = NULL;
	for (i = 0; i < SCRIPTS_MAX; i++)
		st->scripts[i].script = NULL;
}

void
gk_statestore_close(struct gk_statestore *st)
{
	if (st == NULL)
		return;
	if (st->pid == getpid())
		drop(st);
	gk_wipe(st, sizeof(*st));
	free(st);
}

const char *
gk_statestore_name(const struct gk_statestore *st)
{
	return st->name;
}

/* A failure: the connection goes, the next attempt waits a back-off; err says what and when. */
static int
fail(struct gk_statestore *st, const char *why, struct gk_err *err)
{
	drop(st);
	snprintf(st->last_error, sizeof(st->last_error), "%s", why);
	st->backoff_ms = st->backoff_ms == 0 ? BACKOFF_MIN_MS :
	    st->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : st->backoff_ms * 2;
	st->retry_at_ns = gk_mono_ns() + (int64_t)st->backoff_ms * 1000000;
	return gk_err_set(err, "state store %s: %s; next try in %ld ms", st->name, why,
	    st->backoff_ms), GK_EIO;
}

/* One command; NULL (and the connection dropped) on an I/O error or a timeout. */
static redisReply *
command(struct gk_statestore *st, int argc, const char **argv, const size_t *lens,
    struct gk_err *err)
{
	redisReply *r = redisCommandArgv(st->c, argc, argv, lens);
	char why[200];

	if (r == NULL) {
		snprintf(why, sizeof(why), "%s", st->c->errstr[0] != '\0' ? st->c->errstr :
		    "no answer");
		fail(st, why, err);
	}
	return r;
}

/* An answer other than the expected: the connection is dropped (its state is unknown). */
static int
unexpected(struct gk_statestore *st, redisReply *r, const char *what, struct gk_err *err)
{
	char why[256];

	snprintf(why, sizeof(why), "unexpected answer to %s%s%.160s", what,
	    r != NULL && r->type == REDIS_REPLY_ERROR ? ": " : "",
	    r != NULL && r->type == REDIS_REPLY_ERROR ? r->str : "");
	if (r != NULL)
		freeReplyObject(r);
	return fail(st, why, err);
}

/* The hash key kept in the store (no redis_key_file): created once, read on every connect. */
static int
hkey_from_store(struct gk_statestore *st, struct gk_err *err)
{
	char key[GK_STORE_PREFIX_MAX + 16], hex[2 * HKEY_LEN + 1];
	unsigned char rnd[HKEY_LEN];
	const char *argv[4];
	size_t lens[4];
	redisReply *r;

	snprintf(key, sizeof(key), "%shashkey", st->conf.prefix);
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
	argv[0] = "SET"; argv[1] = key; argv[2] = hex; argv[3] = "NX";
	lens[0] = 3; lens[1] = strlen(key); lens[2] = strlen(hex); lens[3] = 2;
	if ((r = command(st, 4, argv, lens, err)) == NULL)
		return GK_EIO;
	if (r->type != REDIS_REPLY_STATUS && r->type != REDIS_REPLY_NIL)
		return unexpected(st, r, "SET NX of the hash key", err);
	freeReplyObject(r);
	argv[0] = "GET";
	lens[0] = 3;
	if ((r = command(st, 2, argv, lens, err)) == NULL)
		return GK_EIO;
	if (r->type != REDIS_REPLY_STRING || r->len != 2 * HKEY_LEN)
		return unexpected(st, r, "GET of the hash key", err);
	hkey_derive(st->hkey, r->str, r->len);
	st->have_hkey = true;
	freeReplyObject(r);
	return GK_OK;
}

/* A live connection for this process, made now if needed (never within a back-off). */
static int
ready(struct gk_statestore *st, struct gk_err *err)
{
	struct timeval tv;
	const char *argv[2];
	size_t lens[2];
	char db[24], why[200];
	redisReply *r;
	int64_t now = gk_mono_ns();

	if (st->pid != getpid()) {
		/* A forked worker: the parent's socket is not ours to use. */
		if (st->c != NULL)
			redisFree(st->c);
		st->c = NULL;
		drop(st);
		st->pid = getpid();
		st->retry_at_ns = 0;
	}
	if (st->c != NULL)
		return GK_OK;
	if (st->retry_at_ns != 0 && now < st->retry_at_ns)
		return gk_err_set(err, "state store %s: down (%s); next try in %lld ms", st->name,
		    st->last_error, (long long)((st->retry_at_ns - now) / 1000000 + 1)), GK_EIO;
	tv.tv_sec = st->conf.timeout_ms / 1000;
	tv.tv_usec = (st->conf.timeout_ms % 1000) * 1000;
	st->c = st->unix_socket ? redisConnectUnixWithTimeout(st->path, tv) :
	    redisConnectWithTimeout(st->host, st->port, tv);
	if (st->c == NULL || st->c->err != 0) {
		snprintf(why, sizeof(why), "cannot connect: %s",
		    st->c != NULL ? st->c->errstr : "out of memory");
		return fail(st, why, err);
	}
	if (redisSetTimeout(st->c, tv) != REDIS_OK)
		return fail(st, "cannot set the command timeout", err);
	if (st->password_len > 0) {
		argv[0] = "AUTH"; argv[1] = st->password;
		lens[0] = 4; lens[1] = st->password_len;
		if ((r = command(st, 2, argv, lens, err)) == NULL)
			return GK_EIO;
		if (r->type != REDIS_REPLY_STATUS)
			return unexpected(st, r, "AUTH (check redis_password_file)", err);
		freeReplyObject(r);
	}
	if (st->db != 0) {
		snprintf(db, sizeof(db), "%ld", st->db);
		argv[0] = "SELECT"; argv[1] = db;
		lens[0] = 6; lens[1] = strlen(db);
		if ((r = command(st, 2, argv, lens, err)) == NULL)
			return GK_EIO;
		if (r->type != REDIS_REPLY_STATUS)
			return unexpected(st, r, "SELECT", err);
		freeReplyObject(r);
	}
	if (!st->have_hkey_file && hkey_from_store(st, err) != GK_OK)
		return GK_EIO;
	st->backoff_ms = 0;
	st->retry_at_ns = 0;
	st->last_error[0] = '\0';
	return GK_OK;
}

int
gk_statestore_key(struct gk_statestore *st, char kind, const char *id, const char *id2,
    char out[GK_STORE_KEY_MAX], struct gk_err *err)
{
	crypto_generichash_state h;
	unsigned char k[16];
	char hex[33];
	const unsigned char sep = 0;

	if (!st->have_hkey && ready(st, err) != GK_OK)
		return GK_EIO;
	crypto_generichash_init(&h, st->hkey, sizeof(st->hkey), sizeof(k));
	crypto_generichash_update(&h, (const unsigned char *)&kind, 1);
	crypto_generichash_update(&h, (const unsigned char *)id, strlen(id));
	if (id2 != NULL) {
		crypto_generichash_update(&h, &sep, 1);
		crypto_generichash_update(&h, (const unsigned char *)id2, strlen(id2));
	}
	crypto_generichash_final(&h, k, sizeof(k));
	sodium_bin2hex(hex, sizeof(hex), k, sizeof(k));
	snprintf(out, GK_STORE_KEY_MAX, "%s%c:%s", st->conf.prefix, kind, hex);
	return GK_OK;
}

/* The script's SHA1 as the server computed it (SCRIPT LOAD), once per connection. */
static int
script_sha(struct gk_statestore *st, const char *script, const char **sha, struct gk_err *err)
{
	const char *argv[3] = { "SCRIPT", "LOAD", script };
	size_t lens[3] = { 6, 4, strlen(script) };
	redisReply *r;
	int i, free_slot = -1;

	for (i = 0; i < SCRIPTS_MAX; i++) {
		if (st->scripts[i].script == script) {
			*sha = st->scripts[i].sha;
			return GK_OK;
		}
		if (st->scripts[i].script == NULL && free_slot < 0)
			free_slot = i;
	}
	if (free_slot < 0)
		return gk_err_set(err, "state store: too many scripts");
	if ((r = command(st, 3, argv, lens, err)) == NULL)
		return GK_EIO;
	if (r->type != REDIS_REPLY_STRING || r->len != 40)
		return unexpected(st, r, "SCRIPT LOAD", err);
	memcpy(st->scripts[free_slot].sha, r->str, 40);
	st->scripts[free_slot].sha[40] = '\0';
	st->scripts[free_slot].script = script;
	freeReplyObject(r);
	*sha = st->scripts[free_slot].sha;
	return GK_OK;
}

#define EVAL_ARGS_MAX 24

int
gk_statestore_eval(struct gk_statestore *st, const char *script, int nkeys,
    const char *const *keys, int nargs, const char *const *args, long long *out, int outn,
    struct gk_err *err)
{
	const char *argv[EVAL_ARGS_MAX + 3], *sha = NULL;
	size_t lens[EVAL_ARGS_MAX + 3];
	char nk[12];
	redisReply *r;
	int i, n = 0, tries;

	if (nkeys < 0 || nargs < 0 || nkeys + nargs > EVAL_ARGS_MAX)
		return gk_err_set(err, "state store: too many script arguments");
	for (tries = 0; tries < 2; tries++) {
		if (ready(st, err) != GK_OK || script_sha(st, script, &sha, err) != GK_OK)
			return GK_EIO;
		snprintf(nk, sizeof(nk), "%d", nkeys);
		argv[0] = "EVALSHA"; argv[1] = sha; argv[2] = nk;
		for (i = 0; i < nkeys; i++)
			argv[3 + i] = keys[i];
		for (i = 0; i < nargs; i++)
			argv[3 + nkeys + i] = args[i];
		for (i = 0; i < 3 + nkeys + nargs; i++)
			lens[i] = strlen(argv[i]);
		if ((r = command(st, 3 + nkeys + nargs, argv, lens, err)) == NULL)
			return GK_EIO;
		if (r->type == REDIS_REPLY_ERROR && strncmp(r->str, "NOSCRIPT", 8) == 0) {
			/* The server lost its scripts (a restart, SCRIPT FLUSH): load again once. */
			freeReplyObject(r);
			for (i = 0; i < SCRIPTS_MAX; i++)
				st->scripts[i].script = NULL;
			continue;
		}
		break;
	}
	if (tries == 2)
		return fail(st, "the server forgets its scripts", err);
	if (r->type == REDIS_REPLY_ERROR && strstr(r->str, "user_script") != NULL) {
		/*
		 * The script failed on its keys (WRONGTYPE...): that call fails (deny), the
		 * connection is sound. A back-off here would deny every user of the worker
		 * each time a client names the one bad key.
		 */
		gk_err_set(err, "state store %s: a script failed: %.160s", st->name, r->str);
		freeReplyObject(r);
		return GK_ECORRUPT;
	}
	if (r->type != REDIS_REPLY_ARRAY)
		return unexpected(st, r, "a script", err);
	for (i = 0; i < (int)r->elements && i < outn; i++) {
		if (r->element[i]->type != REDIS_REPLY_INTEGER)
			return unexpected(st, r, "a script (not an integer)", err);
		out[n++] = r->element[i]->integer;
	}
	freeReplyObject(r);
	return n;
}

static struct gen_entry *
gen_slot(struct gk_statestore *st, const char *key)
{
	size_t plen = strlen(st->conf.prefix) + 2, h = 0, i;

	/* The hex digits after prefix and "g:" are a keyed hash already: spread enough. */
	for (i = plen; key[i] != '\0' && i < plen + 4; i++)
		h = h * 16 + (size_t)(key[i] <= '9' ? key[i] - '0' : key[i] - 'a' + 10);
	return &st->gens[h % GEN_CACHE];
}

static const char gen_read_lua[] =
    "return { tonumber(redis.call('GET', KEYS[1]) or '0') }";

int
gk_statestore_generation(struct gk_statestore *st, const char *user, bool fresh, uint32_t *gen,
    struct gk_err *err)
{
	char key[GK_STORE_KEY_MAX];
	const char *keys[1] = { key };
	struct gen_entry *e;
	long long v;
	int64_t now = gk_mono_ns();
	int n;

	*gen = 0;
	if (gk_statestore_key(st, 'g', user, NULL, key, err) != GK_OK)
		return GK_EIO;
	e = gen_slot(st, key);
	if (!fresh && strcmp(e->key, key) == 0 &&
	    now - e->at_ns < (int64_t)st->conf.generation_cache_ms * 1000000) {
		*gen = e->gen;
		return GK_OK;
	}
	if ((n = gk_statestore_eval(st, gen_read_lua, 1, keys, 0, NULL, &v, 1, err)) < 0)
		return n;
	if (n != 1 || v < 0 || v > UINT32_MAX)
		return gk_err_set(err, "state store %s: bad generation", st->name), GK_ECORRUPT;
	*gen = (uint32_t)v;
	gk_strcpy(e->key, sizeof(e->key), key);
	e->gen = *gen;
	e->at_ns = now;
	return GK_OK;
}

/* ARGV[1]: at least this; ARGV[2]: "1" for a revocation (more than before). */
static const char gen_raise_lua[] =
    "local c = tonumber(redis.call('GET', KEYS[1]) or '0')\n"
    "local n = math.max(c, tonumber(ARGV[1]))\n"
    "if ARGV[2] == '1' then n = math.max(n, c + 1) end\n"
    "if n > 4294967295 then return redis.error_reply('generation overflow') end\n"
    "if n ~= c then redis.call('SET', KEYS[1], string.format('%d', n)) end\n"
    "return { n }";

int
gk_statestore_raise(struct gk_statestore *st, const char *user, uint32_t at_least, bool bump,
    uint32_t *gen, struct gk_err *err)
{
	char key[GK_STORE_KEY_MAX], least[16];
	const char *keys[1] = { key }, *args[2] = { least, bump ? "1" : "0" };
	struct gen_entry *e;
	long long v;
	int n;

	*gen = 0;
	snprintf(least, sizeof(least), "%lu", (unsigned long)at_least);
	if (gk_statestore_key(st, 'g', user, NULL, key, err) != GK_OK)
		return GK_EIO;
	if ((n = gk_statestore_eval(st, gen_raise_lua, 1, keys, 2, args, &v, 1, err)) < 0)
		return n;
	if (n != 1 || v < 0 || v > UINT32_MAX)
		return gk_err_set(err, "state store %s: bad generation", st->name), GK_ECORRUPT;
	*gen = (uint32_t)v;
	e = gen_slot(st, key);
	gk_strcpy(e->key, sizeof(e->key), key);
	e->gen = *gen;
	e->at_ns = gk_mono_ns();
	return GK_OK;
}

int
gk_statestore_revoke_once(const struct gk_statestore_conf *conf, const char *user,
    uint32_t record_gen, struct gk_err *err)
{
	struct gk_statestore *st;
	uint32_t g;
	int rc;

	if (!conf->enabled)
		return GK_OK;
	if (gk_statestore_open(conf, &st, err) != GK_OK || st == NULL)
		return GK_ERR;
	rc = gk_statestore_raise(st, user, record_gen, true, &g, err);
	gk_statestore_close(st);
	return rc;
}

int
gk_statestore_issue_once(const struct gk_statestore_conf *conf, const char *user, uint32_t *gen,
    struct gk_err *err)
{
	struct gk_statestore *st;
	int rc;

	*gen = 0;
	if (!conf->enabled)
		return GK_OK;
	if (gk_statestore_open(conf, &st, err) != GK_OK || st == NULL)
		return GK_ERR;
	rc = gk_statestore_raise(st, user, 0, false, gen, err);
	gk_statestore_close(st);
	if (rc != GK_OK)
		*gen = 0;
	return rc;
}
