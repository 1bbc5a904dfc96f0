/* ldapusers.c: the LDAP user backend: users and groups from a directory, passwords checked by binding as the user. */
#include <config.h>

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <ldap.h>

#include "auth.h"
#include "hashpool.h"
#include "ldapconf.h"
#include "ldapconn.h"
#include "ldapusers.h"
#include "validate.h"

#define DN_MAX 1024
#define FILTER_MAX 4096
#define CACHE_SLOTS 256
#define BINDPW_MAX 512

struct entry {
	char name[GK_USER_MAX + 1];
	bool found;
	char dn[DN_MAX + 1];
	struct gk_user user;            /* when found */
	int64_t fetched;                /* monotonic seconds; 0 = empty slot */
};

struct ldapusers;

/* Whether this worker said that an entry lacks a readable createTimestamp. */
static atomic_bool created_unread_logged;

/* A connection for searches, bound as ldap_bind_dn: the worker's own, or a pool thread's. */
struct searcher {
	const struct ldapusers *l;      /* cfg, log, bindpw, name_attr: only read */
	LDAP *svc;
	char why[256];                  /* libldap's diagnostic of the last failed connection */
};

struct ldapusers {
	const struct gk_config *cfg;
	const struct gk_log *log;
	pid_t pid;                      /* the process the connections belong to */
	struct searcher srch;           /* the worker's searches (in line: no pool) */
	LDAP *usr;                      /* the users' binds */
	char bindpw[BINDPW_MAX + 1];
	char dummy_dn[DN_MAX + 1];
	char name_attr[64];             /* the attribute of ldap_user_filter's "(ATTR=%s)" */
	char why[256];                  /* libldap's diagnostic of the last failed connection */
	struct entry cache[CACHE_SLOTS];
	unsigned next;
	struct gk_hashpool_binder binder;      /* the binds lib/hashpool's threads run */
};

static int64_t
mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec + 1;  /* never 0: 0 marks an empty slot */
}

/* A fork copied the parent's connections: forget them without an unbind on the shared socket. */
static void
after_fork(struct ldapusers *l)
{
	if (l->pid == getpid())
		return;
	if (l->srch.svc != NULL)
		ldap_destroy(l->srch.svc);
	if (l->usr != NULL)
		ldap_destroy(l->usr);
	l->srch.svc = l->usr = NULL;
	l->pid = getpid();
}

static void
drop(LDAP **ld)
{
	if (*ld != NULL)
		ldap_unbind_ext_s(*ld, NULL, NULL);
	*ld = NULL;
}

/* The service connection, bound as ldap_bind_dn (or anonymous): LDAP_SUCCESS or why not. */
static int
service(struct searcher *sr)
{
	const struct ldapusers *l = sr->l;
	int rc;

	if (sr->svc != NULL)
		return LDAP_SUCCESS;
	if ((rc = gk_ldap_connect(l->cfg, &sr->svc, sr->why, sizeof(sr->why))) != LDAP_SUCCESS)
		return rc;
	if (l->cfg->ldap_bind_dn[0] != '\0' && (rc = gk_ldap_simple_bind(sr->svc,
	    l->cfg->ldap_bind_dn, l->bindpw, strlen(l->bindpw))) != LDAP_SUCCESS) {
		if (rc == LDAP_INVALID_CREDENTIALS)
			gk_log(l->log, LOG_ERR, "ldap: the directory refused ldap_bind_dn %s with the "
			    "password in ldap_bind_password_file", l->cfg->ldap_bind_dn);
		drop(&sr->svc);
		return rc;
	}
	return LDAP_SUCCESS;
}

/* One search on the service connection, retried once on a fresh one. */
static int
search(struct searcher *sr, const char *base, const char *filter, char **attrs, int sizelimit,
    LDAPMessage **res)
{
	struct timeval tv = { sr->l->cfg->ldap_timeout, 0 };
	int rc, tries;

	*res = NULL;
	for (tries = 0; tries < 2; tries++) {
		if ((rc = service(sr)) != LDAP_SUCCESS)
			continue;
		rc = ldap_search_ext_s(sr->svc, base, LDAP_SCOPE_SUBTREE, filter, attrs, 0, NULL,
		    NULL, &tv, sizelimit, res);
		if (rc == LDAP_SUCCESS || !gk_ldap_conn_error(rc))
			return rc;
		ldap_msgfree(*res);
		*res = NULL;
		drop(&sr->svc);
	}
	return rc;
}

/* The first value of attr on e into out when it passes ok (else out stays ""). */
static void
first_value(LDAP *ld, LDAPMessage *e, const char *attr, char *out, size_t outsz,
    bool (*ok)(const char *s, size_t len))
{
	struct berval **v = ldap_get_values_len(ld, e, attr);

	out[0] = '\0';
	if (v != NULL && v[0] != NULL && v[0]->bv_len < outsz && memchr(v[0]->bv_val, 0,
	    v[0]->bv_len) == NULL && ok(v[0]->bv_val, v[0]->bv_len)) {
		memcpy(out, v[0]->bv_val, v[0]->bv_len);
		out[v[0]->bv_len] = '\0';
	}
	ldap_value_free_len(v);
}

/* Appends group name g to the comma list (skipped when it would not fit or is there already). */
static void
add_group(char *list, size_t listsz, const char *value, size_t len)
{
	char tmp[DN_MAX + 1], g[GK_GROUP_MAX + 1];
	size_t n = strlen(list);

	if (len >= sizeof(tmp) || memchr(value, 0, len) != NULL)
		return;
	memcpy(tmp, value, len);
	tmp[len] = '\0';
	if (gk_ldap_group_name(tmp, g, sizeof(g)) != GK_OK || gk_groups_contains(list, g) ||
	    n + (n > 0) + strlen(g) >= listsz)
		return;
	snprintf(list + n, listsz - n, "%s%s", n > 0 ? "," : "", g);
}

/* Whether s[0..n-1] are all decimal digits (stops at the first other byte, '\0' too). */
static bool
all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static int
decimal(const char *s, size_t n)
{
	int v = 0;

	while (n-- > 0)
		v = v * 10 + (*s++ - '0');
	return v;
}

int64_t
gk_ldap_gentime(const char *s, int64_t not_after)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	struct tm tm;
	const char *p;
	int leap, off = 0;
	size_t zlen;
	int64_t t;

	/* sscanf's %d took signs and spaces ("2024-1-1-1-1-1Z"), timegm month 13: digits, ranges */
	if (!all_digits(s, 14))
		return 0;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = decimal(s, 4);
	tm.tm_mon = decimal(s + 4, 2);
	tm.tm_mday = decimal(s + 6, 2);
	tm.tm_hour = decimal(s + 8, 2);
	tm.tm_min = decimal(s + 10, 2);
	tm.tm_sec = decimal(s + 12, 2);
	leap = (tm.tm_year % 4 == 0 && tm.tm_year % 100 != 0) || tm.tm_year % 400 == 0;
	if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 ||
	    tm.tm_mday > mdays[tm.tm_mon - 1] + (tm.tm_mon == 2 && leap) ||
	    tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)       /* 60: a leap second */
		return 0;
	p = s + 14;
	if (*p == '.' || *p == ',') {           /* a fraction of a second: ignored */
		if (!all_digits(++p, 1))
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	zlen = strlen(p);
	if (zlen == 1 && p[0] == 'Z')
		off = 0;
	else if ((p[0] == '+' || p[0] == '-') && (zlen == 3 || zlen == 5) &&
	    all_digits(p + 1, zlen - 1)) {
		int zh = decimal(p + 1, 2), zm = zlen == 5 ? decimal(p + 3, 2) : 0;

		if (zh > 23 || zm > 59)
			return 0;
		off = (p[0] == '+' ? 1 : -1) * (zh * 3600 + zm * 60);
	} else {
		return 0;                       /* no zone: a local time of an unknown place */
	}
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = (int64_t)timegm(&tm) - off;         /* local time = UTC + offset */
	return t > 0 && t <= not_after ? t : 0;
}

/* Attribute attr as gk_ldap_gentime reads it. */
static int64_t
gentime(LDAP *ld, LDAPMessage *e, const char *attr, int64_t not_after)
{
	char s[32] = "";

	first_value(ld, e, attr, s, sizeof(s), gk_valid_utf8);
	return gk_ldap_gentime(s, not_after);
}

/* The groups of the user at dn from a search under ldap_group_base_dn. */
static int
group_search(struct searcher *sr, const char *dn, char *groups, size_t groupsz)
{
	const struct ldapusers *l = sr->l;
	char filter[FILTER_MAX];
	char *attrs[] = { "cn", NULL };
	LDAPMessage *res = NULL, *e;
	int rc;

	if (gk_ldap_filter(l->cfg->ldap_group_filter, dn, strlen(dn), filter, sizeof(filter)) != GK_OK)
		return LDAP_FILTER_ERROR;
	rc = search(sr, l->cfg->ldap_group_base_dn, filter, attrs, 0, &res);
	if (rc != LDAP_SUCCESS && rc != LDAP_SIZELIMIT_EXCEEDED) {
		ldap_msgfree(res);
		return rc;
	}
	for (e = ldap_first_entry(sr->svc, res); e != NULL; e = ldap_next_entry(sr->svc, e)) {
		struct berval **v = ldap_get_values_len(sr->svc, e, "cn");

		if (v != NULL && v[0] != NULL)
			add_group(groups, groupsz, v[0]->bv_val, v[0]->bv_len);
		ldap_value_free_len(v);
	}
	ldap_msgfree(res);
	return LDAP_SUCCESS;
}

/*
 * Whether a group attribute value may name a group: with ldap_group_base_dn set, a DN
 * (memberOf) must lie under it. Otherwise a group a user may create anywhere (a
 * self-service OU, a delegated AD OU) named like "admins" would count as admins.
 */
static bool
group_dn_ok(const struct ldapusers *l, const struct berval *v)
{
	char dn[DN_MAX + 1];
	char esc[DN_MAX * 4 + 8];

	if (l->cfg->ldap_group_base_dn[0] == '\0' || memchr(v->bv_val, '=', v->bv_len) == NULL)
		return true;
	if (v->bv_len > DN_MAX || memchr(v->bv_val, 0, v->bv_len) != NULL)
		return false;
	memcpy(dn, v->bv_val, v->bv_len);
	dn[v->bv_len] = '\0';
	if (gk_ldap_dn_under(dn, l->cfg->ldap_group_base_dn))
		return true;
	gk_log_escape(dn, esc, sizeof(esc));
	gk_log(l->log, LOG_NOTICE, "ldap: group %s of %s is not under ldap_group_base_dn: "
	    "not counted", esc, l->cfg->ldap_group_attribute);
	return false;
}

/* Fills s from the one entry e; LDAP_SUCCESS or a group search's failure. */
static int
fill(struct searcher *sr, LDAPMessage *e, const char *name, struct entry *s)
{
	const struct ldapusers *l = sr->l;
	const struct gk_config *cfg = l->cfg;
	struct gk_user *u = &s->user;
	char *dn = ldap_get_dn(sr->svc, e);
	int rc = LDAP_SUCCESS;

	if (dn == NULL || strlen(dn) > DN_MAX) {
		ldap_memfree(dn);
		return LDAP_DECODING_ERROR;
	}
	memcpy(s->dn, dn, strlen(dn) + 1);
	ldap_memfree(dn);
	gk_user_init(u, name, 0);
	u->hash[0] = '\0';
	u->perm = GK_PERM_RW;
	u->generation = 1;
	u->updated = u->pw_changed = gentime(sr->svc, e, "modifyTimestamp", INT64_MAX);
	/*
	 * A uid given up and taken by someone else: the sessions of before are not theirs
	 * (lib/auth). A time ahead of this clock by more than the sessions' skew would refuse
	 * every session of the entry: not a creation time either.
	 */
	u->created = gentime(sr->svc, e, "createTimestamp",
	    (int64_t)time(NULL) + GK_AUTH_SESSION_LEEWAY);
	if (u->created == 0 && !atomic_exchange(&created_unread_logged, true))
		gk_log(l->log, LOG_WARNING, "ldap: an entry has no readable createTimestamp "
		    "(absent, hidden from ldap_bind_dn, malformed or ahead of this clock): "
		    "the sessions of a former holder of its name are not refused (let ldap_bind_dn "
		    "read the attribute); said once per worker");
	first_value(sr->svc, e, "mail", u->email, sizeof(u->email), gk_valid_email);
	first_value(sr->svc, e, "displayName", u->display, sizeof(u->display), gk_valid_display);
	if (u->display[0] == '\0')
		first_value(sr->svc, e, "cn", u->display, sizeof(u->display), gk_valid_display);
	if (cfg->ldap_group_attribute[0] != '\0') {
		struct berval **v = ldap_get_values_len(sr->svc, e, cfg->ldap_group_attribute);
		size_t i;

		for (i = 0; v != NULL && v[i] != NULL; i++)
			if (group_dn_ok(l, v[i]))
				add_group(u->groups, sizeof(u->groups), v[i]->bv_val, v[i]->bv_len);
		ldap_value_free_len(v);
	}
	if (cfg->ldap_group_base_dn[0] != '\0')
		rc = group_search(sr, s->dn, u->groups, sizeof(u->groups));
	if (gk_ldap_level(cfg->ldap_level_groups, u->groups, cfg->ldap_default_level,
	    &u->level) != GK_OK)
		u->level = (uint16_t)cfg->ldap_default_level;
	return rc;
}

static struct entry *
cached(struct ldapusers *l, const char *name)
{
	size_t i;

	for (i = 0; i < CACHE_SLOTS; i++)
		if (l->cache[i].fetched != 0 && strcmp(l->cache[i].name, name) == 0)
			return &l->cache[i];
	return NULL;
}

static void
answer(const struct entry *s, struct gk_user *u)
{
	if (s->found)
		*u = s->user;
}

/*
 * Whether entry e holds name as its one name_attr value, byte for byte. The directory's
 * matching rule (caseIgnoreMatch for uid) finds alice's entry for "ALICE", and an entry may
 * carry a second uid its owner wrote: either would become a Remote-User of its own.
 */
static bool
own_name(struct searcher *sr, LDAPMessage *e, const char *name)
{
	const struct ldapusers *l = sr->l;
	struct berval **v = ldap_get_values_len(sr->svc, e, l->name_attr);
	size_t len = strlen(name);
	bool ok = v != NULL && v[0] != NULL && v[1] == NULL && v[0]->bv_len == len &&
	    memcmp(v[0]->bv_val, name, len) == 0;
	char esc[GK_USER_MAX * 4 + 8];

	ldap_value_free_len(v);
	if (!ok) {
		gk_log_escape(name, esc, sizeof(esc));
		gk_log(l->log, LOG_NOTICE, "ldap: user=%s: the entry found does not hold that name as "
		    "its one %s value, byte for byte (another case or spelling, or two values): "
		    "taken as unknown", esc, l->name_attr);
	}
	return ok;
}

/* Searches the directory for name into s: LDAP_SUCCESS (s->found tells) or why not. */
static int
fetch(struct searcher *sr, const char *name, struct entry *s)
{
	const struct ldapusers *l = sr->l;
	char filter[FILTER_MAX];
	char *attrs[] = { "cn", "displayName", "mail", "modifyTimestamp", "createTimestamp",
		(char *)l->name_attr, NULL, NULL };
	LDAPMessage *res = NULL, *e;
	char esc[GK_USER_MAX * 4 + 8];
	int rc, n = 0;

	if (l->cfg->ldap_group_attribute[0] != '\0')
		attrs[6] = l->cfg->ldap_group_attribute;
	if (gk_ldap_filter(l->cfg->ldap_user_filter, name, strlen(name), filter, sizeof(filter)) !=
	    GK_OK)
		return LDAP_FILTER_ERROR;
	memset(s, 0, sizeof(*s));
	rc = search(sr, l->cfg->ldap_base_dn, filter, attrs, 2, &res);
	if (rc == LDAP_SIZELIMIT_EXCEEDED || (rc == LDAP_SUCCESS && (n = ldap_count_entries(sr->svc,
	    res)) > 1)) {
		gk_log_escape(name, esc, sizeof(esc));
		gk_log(l->log, LOG_ERR, "ldap: ldap_user_filter matches more than one entry for "
		    "user=%s: refused (make the filter match one entry per name)", esc);
		ldap_msgfree(res);
		return LDAP_SIZELIMIT_EXCEEDED;
	}
	if (rc == LDAP_NO_SUCH_OBJECT) {
		gk_log(l->log, LOG_ERR, "ldap: ldap_base_dn %s does not exist", l->cfg->ldap_base_dn);
		ldap_msgfree(res);
		return rc;
	}
	if (rc != LDAP_SUCCESS) {
		ldap_msgfree(res);
		return rc;
	}
	gk_strcpy(s->name, sizeof(s->name), name);
	if (n == 1 && (e = ldap_first_entry(sr->svc, res)) != NULL && own_name(sr, e, name)) {
		s->found = true;
		rc = fill(sr, e, name, s);
	}
	ldap_msgfree(res);
	return rc;
}

/*
 * fetch, logged when it fails: GK_PW_MATCH (s filled), GK_PW_FAIL (the directory out of
 * reach: ldap_down_grace may answer from the stale entry) or GK_PW_MISMATCH (any other
 * failure). s is wiped unless it is the answer. In the worker or a pool thread.
 */
static enum gk_pw_verdict
fetch_logged(struct searcher *sr, const char *name, struct entry *s)
{
	const struct ldapusers *l = sr->l;
	int rc = fetch(sr, name, s);

	if (rc == LDAP_SUCCESS)
		return GK_PW_MATCH;
	if (gk_ldap_conn_error(rc))
		gk_ldap_down(l->cfg, l->log, sr->why, "search", rc);
	else if (rc != LDAP_SIZELIMIT_EXCEEDED && rc != LDAP_NO_SUCH_OBJECT)
		gk_log(l->log, LOG_ERR, "ldap: search under %s failed: %s", l->cfg->ldap_base_dn,
		    ldap_err2string(rc));
	gk_wipe(s, sizeof(*s));
	return gk_ldap_conn_error(rc) ? GK_PW_FAIL : GK_PW_MISMATCH;
}

/* A fetched entry into the cache (s: the slot name had, or NULL); returns its slot. */
static struct entry *
store(struct ldapusers *l, struct entry *s, const struct entry *fresh, int64_t now)
{
	if (s == NULL)
		s = &l->cache[l->next++ % CACHE_SLOTS];
	*s = *fresh;
	s->fetched = now;
	return s;
}

/*
 * The event core: a search would hold every connection of the worker for as long as the
 * directory takes, so it runs in lib/hashpool's threads. The first run of the request
 * queues it (PENDING: the request's decision is thrown away and the request parked);
 * found() stores the answer in the worker's cache; the re-run (DONE) answers from there,
 * whatever ldap_cache_ttl (0 too). Without a pool (or with its queue full): in line.
 */
static int
ldap_lookup(void *impl, const char *name, struct gk_user *u)
{
	struct ldapusers *l = impl;
	struct entry *s = cached(l, name), fresh;
	int64_t now = mono_s();
	enum gk_pw_verdict v;

	memset(u, 0, sizeof(*u));
	if (!gk_valid_user(name, strlen(name)))
		return GK_NOTFOUND;
	if (s != NULL && now - s->fetched < l->cfg->ldap_cache_ttl) {
		answer(s, u);
		return s->found ? GK_OK : GK_NOTFOUND;
	}
	after_fork(l);
	switch (gk_hashpool_search(gk_hashpool_current(), &l->binder, name, (int64_t)time(NULL),
	    &v)) {
	case GK_HASHPOOL_PENDING:
		return GK_EIO;          /* not final: decided again when the search has ended */
	case GK_HASHPOOL_DONE:
		/* found() stored a success in the cache; evicted since (never): search again */
		if (v == GK_PW_MATCH && s == NULL && (s = cached(l, name)) == NULL)
			v = fetch_logged(&l->srch, name, &fresh) == GK_PW_MATCH ?
			    (s = store(l, NULL, &fresh, now), GK_PW_MATCH) : GK_PW_MISMATCH;
		break;
	default:
		v = fetch_logged(&l->srch, name, &fresh);
		if (v == GK_PW_MATCH)
			s = store(l, s, &fresh, now);
		break;
	}
	gk_wipe(&fresh, sizeof(fresh));
	if (v != GK_PW_MATCH) {
		/* ldap_down_grace: the entry as last seen, so the Basic cache may keep serving. */
		if (v == GK_PW_FAIL && s != NULL && s->found && now - s->fetched < l->cfg->ldap_down_grace) {
			answer(s, u);
			return GK_OK;
		}
		return GK_EIO;
	}
	answer(s, u);
	return s->found ? GK_OK : GK_NOTFOUND;
}

/* A bind on the users' connection, retried once on a fresh one. */
static int
user_bind(struct ldapusers *l, const char *dn, const char *pw, size_t len)
{
	after_fork(l);
	return gk_ldap_user_bind(l->cfg, &l->usr, dn, pw, len, l->why, sizeof(l->why));
}

/* The DN of u's entry (looked up again when the cache evicted it): GK_OK, else GK_PW_FAIL's case. */
static int
ldap_bind_dn(void *impl, const struct gk_user *u, char *dn, size_t dnsz)
{
	struct ldapusers *l = impl;
	struct entry *s = cached(l, u->name);

	if (s == NULL || !s->found) {
		struct gk_user tmp;

		/* evicted since the lookup (a full cache): look again */
		if (ldap_lookup(l, u->name, &tmp) != GK_OK || (s = cached(l, u->name)) == NULL) {
			gk_wipe(&tmp, sizeof(tmp));
			return GK_ERR;
		}
		gk_wipe(&tmp, sizeof(tmp));
	}
	return gk_strcpy(dn, dnsz, s->dn) == GK_OK ? GK_OK : GK_ERR;
}

static enum gk_pw_verdict
ldap_verify(void *impl, const struct gk_user *u, const char *password)
{
	struct ldapusers *l = impl;
	char dn[DN_MAX + 1];
	size_t len = strlen(password);

	/* RFC 4513 5.1.2: a name with an empty password is an unauthenticated bind, no proof. */
	if (len == 0 || len > GK_PASSWORD_MAX)
		return GK_PW_MISMATCH;
	if (ldap_bind_dn(l, u, dn, sizeof(dn)) != GK_OK)
		return GK_PW_FAIL;
	after_fork(l);
	return gk_ldap_check(l->cfg, l->log, &l->usr, l->why, sizeof(l->why), u->name, dn,
	    password);
}

static void
ldap_verify_dummy(void *impl, const char *password)
{
	struct ldapusers *l = impl;
	size_t len = strlen(password);

	if (len > 0 && len <= GK_PASSWORD_MAX)
		(void)user_bind(l, l->dummy_dn, password, len);
}

/*
 * The binds of lib/hashpool's threads: each thread its own connection (a libldap handle is
 * never shared between threads), opened on its first bind with the settings of the worker's
 * own, and closed when the pool stops. cfg, log and dummy_dn are only read: set at open.
 */
struct pool_conn {
	const struct ldapusers *l;
	LDAP *ld;
	char why[256];
	struct searcher srch;           /* the thread's searches */
};

static void *
pool_open(const void *arg)
{
	struct pool_conn *c = calloc(1, sizeof(*c));

	if (c != NULL)
		c->l = c->srch.l = arg;
	return c;
}

/* gk_hashpool_search's job, in a pool thread: the search into result (a struct entry). */
static enum gk_pw_verdict
pool_search(void *conn, const char *user, void *result)
{
	struct pool_conn *c = conn;

	return fetch_logged(&c->srch, user, result);
}

/* Its answer, in the worker's thread before the waiting requests run again. */
static void
pool_found(void *owner, const char *user, const void *result, enum gk_pw_verdict v)
{
	struct ldapusers *l = owner;

	if (v == GK_PW_MATCH)
		store(l, cached(l, user), result, mono_s());
}

static enum gk_pw_verdict
pool_bind(void *conn, const char *user, const char *dn, const char *password)
{
	struct pool_conn *c = conn;
	size_t len = strlen(password);

	if (dn == NULL) {               /* ldap_verify_dummy's bind */
		if (len > 0 && len <= GK_PASSWORD_MAX)
			(void)gk_ldap_user_bind(c->l->cfg, &c->ld, c->l->dummy_dn, password, len,
			    c->why, sizeof(c->why));
		return GK_PW_MISMATCH;
	}
	return gk_ldap_check(c->l->cfg, c->l->log, &c->ld, c->why, sizeof(c->why), user, dn,
	    password);
}

static void
pool_close(void *conn)
{
	struct pool_conn *c = conn;

	if (c == NULL)
		return;
	if (c->ld != NULL)
		ldap_unbind_ext_s(c->ld, NULL, NULL);
	drop(&c->srch.svc);
	free(c);
}

static void
ldap_close(void *impl)
{
	struct ldapusers *l = impl;

	if (l == NULL)
		return;
	if (l->pid == getpid()) {
		drop(&l->srch.svc);
		drop(&l->usr);
	} else
		after_fork(l);
	gk_wipe(l, sizeof(*l));
	free(l);
}

static const struct gk_userbackend_ops ldap_ops = {
	.name = "ldap", .writable = false, .lookup = ldap_lookup, .verify = ldap_verify,
	.verify_dummy = ldap_verify_dummy, .close = ldap_close,
	.bind_dn = ldap_bind_dn
};

/* The service password: the file's first line, without its line end. */
static int
read_bindpw(const char *path, char *out, size_t outsz, struct gk_err *err)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (f == NULL)
		return gk_err_set(err, "ldap_bind_password_file %s: %s", path, strerror(errno));
	if (fgets(out, (int)outsz, f) == NULL)
		out[0] = '\0';
	fclose(f);
	n = strcspn(out, "\r\n");
	if (out[n] == '\0' && n == outsz - 1) {
		gk_wipe(out, outsz);
		return gk_err_set(err, "ldap_bind_password_file %s: the password is too long", path);
	}
	out[n] = '\0';
	if (n == 0)
		return gk_err_set(err, "ldap_bind_password_file %s: empty (an empty password would be "
		    "an unauthenticated bind)", path);
	return GK_OK;
}

int
gk_ldapusers_probe(const struct gk_config *cfg, struct gk_err *err)
{
	struct timeval tv = { cfg->ldap_timeout, 0 };
	char *attrs[] = { "1.1", NULL };
	char pw[BINDPW_MAX + 1] = "", why[256] = "";
	LDAPMessage *res = NULL;
	LDAP *ld = NULL;
	int rc;

	if (cfg->ldap_bind_password_file[0] != '\0' &&
	    read_bindpw(cfg->ldap_bind_password_file, pw, sizeof(pw), err) != GK_OK)
		return GK_ERR;
	rc = gk_ldap_connect(cfg, &ld, why, sizeof(why));
	if (rc == LDAP_SUCCESS && cfg->ldap_bind_dn[0] != '\0')
		rc = gk_ldap_simple_bind(ld, cfg->ldap_bind_dn, pw, strlen(pw));
	gk_wipe(pw, sizeof(pw));
	if (rc == LDAP_SUCCESS)
		rc = ldap_search_ext_s(ld, cfg->ldap_base_dn, LDAP_SCOPE_BASE, "(objectClass=*)",
		    attrs, 0, NULL, NULL, &tv, 1, &res);
	ldap_msgfree(res);
	if (ld != NULL)
		ldap_unbind_ext_s(ld, NULL, NULL);
	if (rc != LDAP_SUCCESS)
		return gk_err_set(err, "ldap: directory %s: %s%s%s", cfg->ldap_uri,
		    ldap_err2string(rc), why[0] != '\0' ? ": " : "", why);
	return GK_OK;
}

int
gk_ldapusers_open(const struct gk_config *cfg, const struct gk_log *log, void **impl,
    const struct gk_userbackend_ops **ops, const struct gk_hashpool_binder **binder,
    struct gk_err *err)
{
	struct ldapusers *l;

	if (gk_ldapconf_check(cfg, err) != GK_OK)
		return GK_ERR;
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return gk_err_set(err, "out of memory");
	l->cfg = cfg;
	l->log = log;
	l->pid = getpid();
	l->srch.l = l;
	/* gk_ldapconf_check made sure the filter has one */
	(void)gk_ldap_name_attr(cfg->ldap_user_filter, l->name_attr, sizeof(l->name_attr));
	if (cfg->ldap_bind_password_file[0] != '\0' &&
	    read_bindpw(cfg->ldap_bind_password_file, l->bindpw, sizeof(l->bindpw), err) != GK_OK) {
		free(l);
		return GK_ERR;
	}
	/* A DN no entry has: its bind fails as a wrong password does (invalidCredentials). */
	if (snprintf(l->dummy_dn, sizeof(l->dummy_dn), "cn=gatekeep-no-such-user,%s",
	    cfg->ldap_base_dn) >= (int)sizeof(l->dummy_dn)) {
		gk_wipe(l, sizeof(*l));
		free(l);
		return gk_err_set(err, "ldap_base_dn is too long");
	}
	l->binder.open = pool_open;
	l->binder.bind = pool_bind;
	l->binder.close = pool_close;
	l->binder.arg = l;
	l->binder.search = pool_search;
	l->binder.found = pool_found;
	l->binder.owner = l;
	l->binder.result_size = sizeof(struct entry);
	*impl = l;
	*ops = &ldap_ops;
	*binder = &l->binder;
	return GK_OK;
}
