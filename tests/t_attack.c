/* t_attack.c: attacks on app tokens that held badly: a token-shaped password, the time a wrong token takes, a NUL inside a stored name or scope. */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "apptoken.h"
#include "auth.h"
#include "tap.h"
#include "tokenfix.h"
#include "userdb.h"

/*
 * A password that begins like a token can never be used over Basic (gatekeep-authz takes
 * it for a token) and every try counts into the lockout: the one password policy refuses
 * it, so neither gatekeep-passwd nor a password change can set one.
 */
static void
test_token_shaped_password(void)
{
	struct gk_err err;

	ok(gk_pw_policy_check(GK_PW_PREFERRED, "gk1.correct-horse-battery", &err) != GK_OK,
	    "the password policy refuses a password starting with gk1. (%s)", err.msg);
	ok(gk_pw_policy_check(GK_PW_PREFERRED, "Gk1.correct-horse", &err) == GK_OK &&
	    gk_pw_policy_check(GK_PW_PREFERRED, "gk1correct-horse", &err) == GK_OK,
	    "  but not one that merely looks alike (control)");
}

/* One token check on a fresh context: its status, and whether it paid the dummy hash. */
static enum gk_auth_status
tok_cost(struct gk_auth *a, const char *user, const char *tok, const char *addr, bool *paid)
{
	struct gk_cred used;
	struct gk_user u;
	enum gk_auth_status st;

	a->dummy_ns = 0;
	st = gk_auth_token(a, user, tok, addr, T0 + 10, &u, &used);
	gk_wipe(&u, sizeof(u));
	*paid = a->dummy_ns != 0;
	return st;
}

/*
 * A wrong token must cost what a wrong password costs, whoever it names: else its time
 * tells an unknown user (one failed fetch) from a real one with credentials (their value
 * decoded: ~10 us more with 30 entries), the enumeration the password check's dummy hash
 * prevents. The right token stays one keyed hash.
 */
static void
test_failure_cost(void)
{
	char tok[GK_APPTOKEN_MAX + 1], x[GK_APPTOKEN_MAX + 64], id[17];
	const char *sec;
	struct gk_auth a;
	struct gk_err err;
	bool paid;

	edit_user("victim", 0, 0);
	edit_user("plain", 0, 0);
	is_int(gk_apptoken_add(dbpath, "victim", "t", 0, "", T0, tok, &err), GK_OK, "a token");
	gk_userdb_refresh(db, &err);
	auth_new(&a);
	a.lockout_on = false;
	sec = strrchr(tok, '.') + 1;
	memcpy(id, tok + strlen("gk1.dmljdGlt."), 16);
	id[16] = '\0';
	is_int(tok_cost(&a, NULL, tok, "192.0.2.1", &paid), GK_AUTH_OK, "the right token");
	ok(!paid, "  costs no dummy hash");
	snprintf(x, sizeof(x), "gk1.bWFsbG9yeQ.%s.%s", id, sec);         /* mallory: no such user */
	is_int(tok_cost(&a, NULL, x, "192.0.2.2", &paid), GK_AUTH_UNKNOWN_USER, "an unknown user's");
	ok(paid, "  pays the dummy hash, as an unknown user's password does");
	snprintf(x, sizeof(x), "gk1.cGxhaW4.%s.%s", id, sec);             /* plain: no credentials */
	is_int(tok_cost(&a, NULL, x, "192.0.2.3", &paid), GK_AUTH_BAD_TOKEN, "a user without tokens");
	ok(paid, "  pays it too");
	snprintf(x, sizeof(x), "gk1.dmljdGlt.0000000000000000.%s", sec);
	is_int(tok_cost(&a, NULL, x, "192.0.2.4", &paid), GK_AUTH_BAD_TOKEN, "an unknown id");
	ok(paid, "  pays it too");
	strcpy(x, tok);
	x[strlen(x) - 3] ^= 1;
	is_int(tok_cost(&a, "victim", x, "192.0.2.5", &paid), GK_AUTH_BAD_TOKEN, "a wrong secret");
	ok(paid, "  pays it too");
	is_int(tok_cost(&a, "victim", "gk1.garbage", "192.0.2.6", &paid), GK_AUTH_BAD_TOKEN,
	    "a malformed one");
	ok(paid, "  pays it too (a password of that shape would have been hashed)");
	gk_pw_ctx_free(a.pw);
	gk_lockout_close(a.lk);
}

/* A one-entry value (a token) with name and scope as given (lengths include NULs), checksummed. */
static size_t
creds_value(unsigned char *v, const char *name, size_t nl, const char *scope, size_t sl)
{
	unsigned char *p = v;
	int i;

	*p++ = 1;       /* version */
	*p++ = 1;       /* count */
	*p++ = GK_CRED_TOKEN;
	*p++ = (unsigned char)nl;
	memcpy(p, name, nl);
	p += nl;
	memset(p, 0, 8 * 3 + 4 + 4 + 8);
	p[7] = 1;       /* created = 1 */
	p += 8 * 3 + 4 + 4 + 8;
	*p++ = (unsigned char)sl;
	memcpy(p, scope, sl);
	p += sl;
	*p++ = GK_APPTOKEN_ID_BYTES;
	for (i = 0; i < GK_APPTOKEN_ID_BYTES; i++)
		*p++ = (unsigned char)('1' + i);
	*p++ = GK_APPTOKEN_KEY_BYTES + GK_APPTOKEN_HASH_BYTES;
	memset(p, 'k', GK_APPTOKEN_KEY_BYTES + GK_APPTOKEN_HASH_BYTES);
	p += GK_APPTOKEN_KEY_BYTES + GK_APPTOKEN_HASH_BYTES;
	crypto_generichash(p, 16, v, (unsigned long long)(p - v), NULL, 0);
	return (size_t)(p - v) + 16;
}

/*
 * The decoder takes a length-prefixed name or scope with a NUL inside as the C string
 * before it: "path=/private/\0,method=GET" would be read as the wider "path=/private/",
 * and the value does not re-encode to its own bytes (the fuzz target's invariant).
 */
static void
test_creds_nul(void)
{
	static const char scope[] = "path=/private/\0,method=GET";
	unsigned char v[512];
	struct gk_creds *c = calloc(1, sizeof(*c));
	struct gk_err err;
	size_t n;

	n = creds_value(v, "phone", 5, "path=/private/,method=GET", 25);
	is_int(gk_creds_decode(v, n, c, &err), GK_OK, "a well-formed value decodes (control)");
	n = creds_value(v, "phone", 5, scope, sizeof(scope) - 1);
	is_int(gk_creds_decode(v, n, c, &err), GK_ECORRUPT, "a scope with a NUL inside is refused");
	ok(c->n == 0, "  and gives no entries");
	n = creds_value(v, "ph\0ne", 5, "", 0);
	is_int(gk_creds_decode(v, n, c, &err), GK_ECORRUPT, "a name with a NUL inside is refused");
	free(c);
}

int
main(void)
{
	if (tokenfix_open("t_attack") != 0)
		return 99;
	test_token_shaped_password();
	test_failure_cost();
	test_creds_nul();
	tokenfix_close();
	return done_testing();
}
