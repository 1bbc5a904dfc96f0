/* t_passkey_login.c: the passkey pages in-process (login_handle, injected clock): challenges bound to the browser, purpose and user, expiring, used once; the second factor; the CSP hash. Assertions are signed here with libsodium's Ed25519. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "creds.h"
#include "login.h"
#include "login_passkey.h"
#include "loginfix.h"
#include "tap.h"
#include "token.h"
#include "webauthn_vectors.h"

#define T0 INT64_C(1700000000)
#define NONCE  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
#define NONCE2 "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"
#define ORIGIN "https://auth.example.com"
#define CT     "application/x-www-form-urlencoded"

static struct login_ctx ctx;
static struct login_ctx *cur = &ctx;    /* the machine run() asks */
static char dir[64];
static int64_t now_value = T0;
static unsigned char sk[crypto_sign_SECRETKEYBYTES];

static int64_t
test_clock(void)
{
	return now_value;
}

static void add_alice(struct login_ctx *c, const char *db);

/* alice (password "correct horse") with one Ed25519 passkey "key" (the vectors' key), counter 0. */
static void
setup(void)
{
	char db[128];

	loginfix_ctx(&ctx, "t_passkey_login", "passkeys = true\npasskey_origin = " ORIGIN "\n",
	    test_clock, dir, sizeof(dir), db, sizeof(db));
	add_alice(&ctx, db);
}

static void
add_alice(struct login_ctx *c, const char *db)
{
	struct gk_userdb_txn *t;
	struct gk_user u;
	struct gk_creds cr;
	struct gk_cred one;
	struct gk_err err = { "" };
	unsigned char seed[32], pk[crypto_sign_PUBLICKEYBYTES];
	int i;

	for (i = 0; i < 32; i++)
		seed[i] = (unsigned char)(i + 1);      /* tests/webauthn_vectors.py's Ed25519 key */
	crypto_sign_seed_keypair(pk, sk, seed);
	gk_user_init(&u, "alice", T0);
	memset(&cr, 0, sizeof(cr));
	memset(&one, 0, sizeof(one));
	one.kind = GK_CRED_PASSKEY;
	gk_strcpy(one.name, sizeof(one.name), "key");
	one.created = T0 - 100;
	one.idlen = sizeof(v_id_ed25519);
	memcpy(one.id, v_id_ed25519, one.idlen);
	one.datalen = sizeof(v_cose_ed25519);
	memcpy(one.data, v_cose_ed25519, one.datalen);
	if (gk_pw_hash(c->auth.pw, GK_PW_PREFERRED, 0, "correct horse", u.hash, sizeof(u.hash), &err) != GK_OK ||
	    gk_creds_add(&cr, &one) != GK_OK ||
	    gk_userdb_begin(db, true, 1000, &t, &err) != GK_OK ||
	    gk_userdb_txn_put(t, &u, &err) != GK_OK || gk_userdb_txn_creds_put(t, "alice", &cr, &err) != GK_OK ||
	    gk_userdb_commit(t, &err) != GK_OK)
		die("add alice", &err);
}

/* One request; the whole response, NUL-terminated, in out. */
static int
run(const char *method, const char *uri, const char *cookie, const char *body, struct login_buf *out)
{
	char e[8][9000];
	char *envp[9];
	size_t n = 0;
	int status = 0;

	snprintf(e[n++], sizeof(e[0]), "REQUEST_METHOD=%s", method);
	snprintf(e[n++], sizeof(e[0]), "REQUEST_URI=%s", uri);
	snprintf(e[n++], sizeof(e[0]), "QUERY_STRING=%s", strchr(uri, '?') ? strchr(uri, '?') + 1 : "");
	snprintf(e[n++], sizeof(e[0]), "REMOTE_ADDR=192.0.2.7");
	snprintf(e[n++], sizeof(e[0]), "HTTP_HOST=auth.example.com");
	if (cookie != NULL)
		snprintf(e[n++], sizeof(e[0]), "HTTP_COOKIE=%s", cookie);
	if (body != NULL) {
		snprintf(e[n++], sizeof(e[0]), "CONTENT_TYPE=" CT);
		snprintf(e[n++], sizeof(e[0]), "HTTP_ORIGIN=http://auth.example.com");
	}
	for (size_t i = 0; i < n; i++)
		envp[i] = e[i];
	envp[n] = NULL;
	login_buf_reset(out);
	login_handle(cur, envp, body, body != NULL ? strlen(body) : 0, false, out);
	login_buf_add(out, "", 1);
	if (!out->failed)
		sscanf(out->p, "Status: %d", &status);
	return status;
}

/* The value of attribute `name="` in the page, into out. */
static bool
attr(const char *page, const char *name, char *out, size_t outsz)
{
	char pat[64];
	const char *p, *q;

	snprintf(pat, sizeof(pat), "%s=\"", name);
	p = strstr(page, pat);
	if (p == NULL)
		return false;
	p += strlen(pat);
	q = strchr(p, '"');
	if (q == NULL || (size_t)(q - p) >= outsz)
		return false;
	memcpy(out, p, (size_t)(q - p));
	out[q - p] = '\0';
	return true;
}

static void
b64u(const unsigned char *in, size_t n, char *out, size_t outsz)
{
	sodium_bin2base64(out, outsz, in, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* An assertion over challenge ch (base64url) by the Ed25519 key, as a form body. */
static void
assertion(const char *ch, const char *csrf, uint32_t count, const char *extra, char *body, size_t bodysz)
{
	unsigned char ad[37], msg[37 + 32], sig[64];
	char cd[512], b_ad[64], b_cd[800], b_sig[100], b_id[64], b_uh[16];

	crypto_hash_sha256(ad, (const unsigned char *)"auth.example.com", 16);
	ad[32] = 0x05;
	ad[33] = (unsigned char)(count >> 24);
	ad[34] = (unsigned char)(count >> 16);
	ad[35] = (unsigned char)(count >> 8);
	ad[36] = (unsigned char)count;
	snprintf(cd, sizeof(cd), "{\"type\":\"webauthn.get\",\"challenge\":\"%s\",\"origin\":\"" ORIGIN "\"}", ch);
	memcpy(msg, ad, 37);
	crypto_hash_sha256(msg + 37, (const unsigned char *)cd, strlen(cd));
	crypto_sign_detached(sig, NULL, msg, sizeof(msg), sk);
	b64u(ad, sizeof(ad), b_ad, sizeof(b_ad));
	b64u((const unsigned char *)cd, strlen(cd), b_cd, sizeof(b_cd));
	b64u(sig, sizeof(sig), b_sig, sizeof(b_sig));
	b64u(v_id_ed25519, sizeof(v_id_ed25519), b_id, sizeof(b_id));
	b64u((const unsigned char *)"alice", 5, b_uh, sizeof(b_uh));
	snprintf(body, bodysz, "csrf=%s&challenge=%s&id=%s&client_data=%s&authenticator_data=%s"
	    "&signature=%s&user_handle=%s&rd=https://app.example.com/x%s", csrf, ch, b_id, b_cd, b_ad,
	    b_sig, b_uh, extra);
}

/* Spoils the signature of an assertion's form body (one base64url character). */
static void
flip_signature(char *body)
{
	char *sig = strstr(body, "&signature=");

	sig[12] = sig[12] == 'A' ? 'B' : 'A';
}

/* The "amr" claim of the session the response sets ("" when none). */
static void
session_amr(const char *resp, char *out, size_t outsz)
{
	const char *p = strstr(resp, "Set-Cookie: gatekeep_session="), *d1, *d2, *a;
	char json[2048];
	size_t n = 0;

	out[0] = '\0';
	if (p == NULL || (d1 = strchr(p, '.')) == NULL || (d2 = strchr(d1 + 1, '.')) == NULL ||
	    sodium_base642bin((unsigned char *)json, sizeof(json) - 1, d1 + 1, (size_t)(d2 - d1 - 1),
	    NULL, &n, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return;
	json[n] = '\0';
	a = strstr(json, "\"amr\":");
	if (a != NULL)
		snprintf(out, outsz, "%.*s", (int)strcspn(a, "]") + 1, a);
}

static bool
session_set(const char *resp)
{
	return strstr(resp, "Set-Cookie: gatekeep_session=ey") != NULL;
}

/*
 * Two machines behind one name (docs/two-machines.md): each its own copy of the database,
 * the same secret_file, one redis-server (state_backend = redis, GK_TEST_REDIS_URL). A
 * passkey answer accepted on A, sent again to B within the challenge's two minutes: B's
 * copy never saw A's last_used, so only the store can tell it is a replay.
 */
static void
two_machines(const char *url)
{
	static struct login_ctx m[2];
	static char body[8192];
	char mdir[2][64], db[2][128], conf[512], ch[128], csrf[64], cookie[128], cmd[400];
	struct login_buf out;
	struct gk_err err = { "" };
	int i, st;

	snprintf(conf, sizeof(conf), "passkeys = true\npasskey_origin = " ORIGIN "\n"
	    "state_backend = redis\nredis_url = %s\nredis_prefix = pk2:\nmax_failures = 0\n", url);
	for (i = 0; i < 2; i++) {
		loginfix_ctx(&m[i], "t_passkey_two", conf, test_clock, mdir[i], sizeof(mdir[i]),
		    db[i], sizeof(db[i]));
		add_alice(&m[i], db[i]);
	}
	/* one key for both, as the two-machines set-up copies secret_file */
	snprintf(cmd, sizeof(cmd), "cp -p '%s' '%s'", m[0].cfg.secret_file, m[1].cfg.secret_file);
	if (system(cmd) != 0 || gk_secret_load(m[1].cfg.secret_file, &m[1].secret, &err) != GK_OK)
		die("shared secret", &err);
	login_buf_init(&out);
	snprintf(cookie, sizeof(cookie), "gatekeep_session_csrf=%s", NONCE);
	login_csrf_mac(&m[0], NONCE, csrf, sizeof(csrf));
	now_value = T0 + 1000;
	cur = &m[0];
	st = run("GET", "/gatekeep/passkey", cookie, NULL, &out);
	ok(st == 200 && attr(out.p, "data-challenge", ch, sizeof(ch)), "machine A: a challenge");
	assertion(ch, csrf, 7, "", body, sizeof(body));
	st = run("POST", "/gatekeep/passkey", cookie, body, &out);
	ok(st == 303 && session_set(out.p), "machine A: the passkey signs alice in (%d)", st);
	cur = &m[1];
	st = run("POST", "/gatekeep/passkey", cookie, body, &out);
	ok(st != 303 && !session_set(out.p),
	    "machine B: the same answer again is refused, a replay across machines (%d)", st);
	now_value += 10;        /* newer than A's last_used: only the store knows this one */
	st = run("GET", "/gatekeep/passkey", cookie, NULL, &out);
	attr(out.p, "data-challenge", ch, sizeof(ch));
	assertion(ch, csrf, 8, "", body, sizeof(body));
	st = run("POST", "/gatekeep/passkey", cookie, body, &out);
	ok(st == 303 && session_set(out.p), "machine B: a fresh challenge of its own signs in (%d)",
	    st);
	cur = &m[0];
	st = run("POST", "/gatekeep/passkey", cookie, body, &out);
	ok(st != 303 && !session_set(out.p), "machine A: B's answer again is refused (%d)", st);
	login_buf_free(&out);
	cur = &ctx;
	for (i = 0; i < 2; i++)
		loginfix_free(&m[i], mdir[i]);
}

int
main(void)
{
	struct login_buf out;
	static char body[8192], ch[128], ch2[128], chs[128], csrf[64], csrf2[64], cookie[128],
	    cookie2[128], hash[128];
	int st;

	setup();
	login_buf_init(&out);
	snprintf(cookie, sizeof(cookie), "gatekeep_session_csrf=%s", NONCE);
	snprintf(cookie2, sizeof(cookie2), "gatekeep_session_csrf=%s", NONCE2);
	login_csrf_mac(&ctx, NONCE, csrf, sizeof(csrf));
	login_csrf_mac(&ctx, NONCE2, csrf2, sizeof(csrf2));

	/* The sign-in form links to the passkey page, carrying rd. */
	st = run("GET", "/gatekeep/login?rd=https://app.example.com/x", cookie, NULL, &out);
	ok(st == 200 && strstr(out.p, "id=\"gk-passkey\" href=\"/gatekeep/passkey?rd=https%3A%2F%2Fapp.example.com%2Fx\"")
	    != NULL, "sign-in form links to the passkey page with rd");
	ok(strstr(out.p, "<script") == NULL, "the sign-in form itself has no script");

	/* The page: the ceremony, its challenge, a CSP naming the script's hash. */
	st = run("GET", "/gatekeep/passkey", cookie, NULL, &out);
	is_int(st, 200, "GET passkey page");
	ok(attr(out.p, "data-challenge", ch, sizeof(ch)) && strlen(ch) == 78, "page carries a challenge (%s)", ch);
	{
		const char *s = strstr(out.p, "<script>"), *e = s ? strstr(s, "</script>") : NULL;
		unsigned char h[32];
		char b[64];

		ok(s != NULL && e != NULL, "page has its inline script");
		if (s != NULL && e != NULL) {
			crypto_hash_sha256(h, (const unsigned char *)s + 8, (size_t)(e - s - 8));
			sodium_bin2base64(b, sizeof(b), h, sizeof(h), sodium_base64_VARIANT_ORIGINAL);
			snprintf(hash, sizeof(hash), "script-src 'sha256-%s';", b);
		}
		ok(strstr(out.p, hash) != NULL, "CSP allows exactly that script: %s", hash);
		ok(strstr(out.p, "script-src 'unsafe") == NULL, "no unsafe script source");
	}
	st = run("GET", "/gatekeep/passkey", cookie, NULL, &out);
	attr(out.p, "data-challenge", ch2, sizeof(ch2));
	ok(strcmp(ch, ch2) != 0, "each page gets a new challenge");

	/* Bound to the browser: another CSRF nonce cannot use it. */
	assertion(ch, csrf2, 0, "", body, sizeof(body));
	st = run("POST", "/gatekeep/passkey", cookie2, body, &out);
	ok(st == 403 && !session_set(out.p), "challenge of another browser refused (%d)", st);

	/* Expired: two minutes. */
	now_value = T0 + 121;
	assertion(ch, csrf, 0, "", body, sizeof(body));
	st = run("POST", "/gatekeep/passkey", cookie, body, &out);
	ok(st == 403 && !session_set(out.p), "challenge after its two minutes refused (%d)", st);
	now_value = T0 + 60;

	/* Good: a passwordless sign-in. */
	st = run("POST", "/gatekeep/passkey", cookie, body, &out);
	ok(st == 303 && session_set(out.p) && strstr(out.p, "Location: https://app.example.com/x"),
	    "passwordless sign-in (%d)", st);
	{
		char amr[64];

		session_amr(out.p, amr, sizeof(amr));
		is_str(amr, "\"amr\":[\"hwk\"]", "a user-verified passkey: amr hwk (a second factor)");
	}

	/* The same answer again (an authenticator without counter): refused, the challenge is used. */
	st = run("POST", "/gatekeep/passkey", cookie, body, &out);
	ok(st == 401 && !session_set(out.p), "the same challenge twice refused (%d)", st);
	/* A challenge not newer than the last one answered: refused (so each works once). */
	assertion(ch2, csrf, 0, "", body, sizeof(body));
	st = run("POST", "/gatekeep/passkey", cookie, body, &out);
	ok(st == 401 && !session_set(out.p), "a challenge issued no later than the used one refused (%d)", st);
	now_value = T0 + 70;

	/* A wrong signature; another user handle. */
	st = run("GET", "/gatekeep/passkey", cookie, NULL, &out);
	attr(out.p, "data-challenge", ch, sizeof(ch));
	assertion(ch, csrf, 0, "", body, sizeof(body));
	flip_signature(body);
	st = run("POST", "/gatekeep/passkey", cookie, body, &out);
	ok(st == 401 && !session_set(out.p), "bad signature refused (%d)", st);
	assertion(ch, csrf, 0, "", body, sizeof(body));
	{
		char *uh = strstr(body, "&user_handle=");

		memcpy(uh + 13, "Ym9i", 4);            /* "bob" */
		uh[17] = '&';
		memmove(uh + 18, strstr(uh, "&rd=") + 1, strlen(strstr(uh, "&rd=")));
		st = run("POST", "/gatekeep/passkey", cookie, body, &out);
		ok(st == 401 && !session_set(out.p), "a user handle of another user refused (%d)", st);
	}

	/* Second factor: the password alone gives the passkey step, no session. */
	now_value = T0 + 200;
	snprintf(body, sizeof(body), "user=alice&password=correct+horse&csrf=%s&rd=https://app.example.com/x", csrf);
	st = run("POST", "/gatekeep/login", cookie, body, &out);
	ok(st == 200 && !session_set(out.p) && strstr(out.p, "Confirm with your passkey") != NULL,
	    "password of a passkey user: the passkey step, no session (%d)", st);
	ok(attr(out.p, "data-challenge", chs, sizeof(chs)), "the step carries its challenge");
	ok(strstr(out.p, "action=\"/gatekeep/passkey\"") != NULL, "the step posts to the passkey page");
	/* Its challenge is for the second factor of alice only. */
	assertion(chs, csrf, 0, "", body, sizeof(body));
	st = run("POST", "/gatekeep/passkey", cookie, body, &out);
	ok(st == 403 && !session_set(out.p), "second-factor challenge refused for a passwordless sign-in (%d)", st);
	assertion(chs, csrf, 0, "&mode=2fa&user=bob", body, sizeof(body));
	st = run("POST", "/gatekeep/passkey", cookie, body, &out);
	ok(st == 403 && !session_set(out.p), "second-factor challenge refused for another user (%d)", st);
	/* A passwordless challenge cannot stand in for the password. */
	st = run("GET", "/gatekeep/passkey", cookie, NULL, &out);
	attr(out.p, "data-challenge", ch, sizeof(ch));
	assertion(ch, csrf, 0, "&mode=2fa&user=alice", body, sizeof(body));
	st = run("POST", "/gatekeep/passkey", cookie, body, &out);
	ok(st == 403 && !session_set(out.p), "sign-in challenge refused as a second factor (%d)", st);
	assertion(chs, csrf, 0, "&mode=2fa&user=alice", body, sizeof(body));
	st = run("POST", "/gatekeep/passkey", cookie, body, &out);
	ok(st == 303 && session_set(out.p), "password + passkey: a session (%d)", st);
	{
		char amr[64];

		session_amr(out.p, amr, sizeof(amr));
		is_str(amr, "\"amr\":[\"pwd\",\"hwk\"]", "password + passkey: amr pwd, hwk");
	}

	/* Hostile forms: refused with a 4xx, never a session. */
	now_value = T0 + 300;
	st = run("GET", "/gatekeep/passkey", cookie, NULL, &out);
	attr(out.p, "data-challenge", ch, sizeof(ch));
	{
		static const char *const bad[] = {
			"&id=***&client_data=x&authenticator_data=x&signature=x&user_handle=YWxpY2U",
			"&id=ZZZ&client_data=&authenticator_data=&signature=&user_handle=YWxpY2U",
			"",
			"&user_handle=%00",
			"&mode=2fa&user=..%2F..",
		};
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			snprintf(body, sizeof(body), "csrf=%s&challenge=%s%s", csrf, ch, bad[i]);
			st = run("POST", "/gatekeep/passkey", cookie, body, &out);
			ok(st >= 400 && st < 500 && !session_set(out.p), "hostile form %zu: %d", i, st);
		}
		memset(body, 'A', 5000);
		memcpy(body, "id=", 3);
		body[5000] = '\0';
		st = run("POST", "/gatekeep/passkey", cookie, body, &out);
		ok(st == 400 && !session_set(out.p), "an over-long field: 400 (%d)", st);
		login_buf_reset(&out);
		{
			char *envp[] = { "REQUEST_METHOD=POST", "REQUEST_URI=/gatekeep/passkey",
			    "HTTP_HOST=auth.example.com", "CONTENT_TYPE=text/plain", NULL };

			login_handle(&ctx, envp, "x=1", 3, false, &out);
			login_buf_add(&out, "", 1);
			ok(strncmp(out.p, "Status: 415", 11) == 0, "a body that is no form: 415");
		}
		st = run("PUT", "/gatekeep/passkey", cookie, NULL, &out);
		is_int(st, 405, "PUT: 405");
	}

	/* Registration: the challenge of "begin" is for that name, that user, that browser. */
	{
		struct gk_claims c;
		struct gk_err err = { "" };
		char tok[GK_TOKEN_MAX + 1], both[GK_TOKEN_MAX + 200], reg[128];

		memset(&c, 0, sizeof(c));
		gk_strcpy(c.sub, sizeof(c.sub), "alice");
		gk_strcpy(c.iss, sizeof(c.iss), GK_TOKEN_ISSUER);
		c.iat = now_value;
		c.exp = now_value + 3600;
		c.gen = 1;
		c.amr = GK_AMR_PWD | GK_AMR_HWK;   /* password + passkey: a password-only one is sent to sign in again */
		ok(gk_token_issue(ctx.secret.key, ctx.secret.len, &c, tok, sizeof(tok), &err) == GK_OK,
		    "a session for alice");
		snprintf(both, sizeof(both), "%s; gatekeep_session=%s", cookie, tok);
		st = run("GET", "/gatekeep/account/passkeys", both, NULL, &out);
		ok(st == 200 && strstr(out.p, "<td class=\"gk-pk-name\">key</td>") != NULL,
		    "account page lists the passkey (%d)", st);
		ok(strstr(out.p, "<script") == NULL, "the list has no script");
		snprintf(body, sizeof(body), "csrf=%s&action=begin&name=phone&password=wrong", csrf);
		st = run("POST", "/gatekeep/account/passkeys", both, body, &out);
		/* the one re-authentication of the account pages (login_reauth): 401, as there */
		ok(st == 401 && strstr(out.p, "data-challenge") == NULL &&
		    strstr(out.p, "The password was not right.") != NULL,
		    "begin with a wrong password: 401, as login_reauth answers (%d)", st);
		snprintf(body, sizeof(body), "csrf=%s&action=begin&name=phone&password=correct+horse", csrf);
		st = run("POST", "/gatekeep/account/passkeys", both, body, &out);
		ok(st == 200 && attr(out.p, "data-challenge", reg, sizeof(reg)) &&
		    strstr(out.p, "data-userid=\"YWxpY2U\"") != NULL, "begin: the ceremony for alice (%d)", st);
		ok(strstr(out.p, "data-allow=\"") != NULL && strstr(out.p, "data-mode=\"create\"") != NULL,
		    "begin: excludes her passkeys, asks to create");
		snprintf(body, sizeof(body), "csrf=%s&action=add&name=other&challenge=%s&client_data=e30&attestation=oA",
		    csrf, reg);
		st = run("POST", "/gatekeep/account/passkeys", both, body, &out);
		ok(st == 403, "the challenge for name phone refused for name other (%d)", st);
		snprintf(body, sizeof(body), "csrf=%s&action=add&name=phone&challenge=%s&client_data=e30&attestation=oA",
		    csrf, reg);
		st = run("POST", "/gatekeep/account/passkeys", both, body, &out);
		ok(st == 400 && strstr(out.p, "could not be added") != NULL,
		    "its own name, but no real answer: 400 (%d)", st);
		snprintf(body, sizeof(body), "csrf=%s&action=begin&name=bad%%20name&password=correct+horse", csrf);
		st = run("POST", "/gatekeep/account/passkeys", both, body, &out);
		is_int(st, 400, "a name outside [A-Za-z0-9._@+-]: 400");
		snprintf(body, sizeof(body), "csrf=%s&action=begin&name=phone&password=correct+horse", csrf2);
		st = run("POST", "/gatekeep/account/passkeys", both, body, &out);
		is_int(st, 403, "another browser's CSRF token: 403");
		snprintf(body, sizeof(body), "csrf=%s&action=remove&name=key&password=wrong", csrf);
		st = run("POST", "/gatekeep/account/passkeys", both, body, &out);
		ok(st == 401 && strstr(out.p, "The password was not right.") != NULL,
		    "remove with a wrong password: 401, as login_reauth answers (%d)", st);
	}

	/* Start-up checks of the passkey keys. */
	{
		static const struct { const char *origin, *rp; bool good; } cases[] = {
			{ "https://auth.example.com", "", true },
			{ "https://auth.example.com", "example.com", true },
			{ "http://login.gk.test:8080", "gk.test", true },
			{ "", "", false },
			{ "HTTPS://auth.example.com", "", false },
			{ "https://auth.example.com/", "", false },
			{ "https://auth.example.com:99999x", "", false },
			{ "ftp://auth.example.com", "", false },
			{ "https://auth.example.com", "evil.com", false },
			{ "https://auth.example.com", "le.com", false },
			{ "https://auth.example.com", "com", false },
			{ "https://a.co.uk", "co.uk", false },
			{ "https://intranet", "", false },
		};
		struct gk_config cfg = ctx.cfg;
		struct gk_err err = { "" };
		size_t i;

		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			cfg.passkeys = true;
			cfg.passkey_origin = (char *)cases[i].origin;
			cfg.passkey_rp_id = (char *)cases[i].rp;
			err.msg[0] = '\0';
			ok((login_passkey_config_check(&cfg, &err) == GK_OK) == cases[i].good,
			    "config origin=\"%s\" rp_id=\"%s\": %s %s", cases[i].origin, cases[i].rp,
			    cases[i].good ? "accepted" : "refused", err.msg);
		}
	}

	/*
	 * The password's lockout: a ban refuses even a good passkey, with the answer of a
	 * failed one; a failed assertion counts as a wrong password; a good one clears.
	 */
	now_value = T0 + 10000;
	{
		struct gk_err err = { "" };
		long fails = -1, ufails = -1;
		int64_t until = 0;
		int i;

		/* (alice signed in from 192.0.2.7 before: the pair is known, the address is not) */
		for (i = 0; i < 20; i++)
			gk_lockout_fail(ctx.auth.lk, NULL, "192.0.2.7", now_value, &err);
		st = run("GET", "/gatekeep/passkey", cookie, NULL, &out);
		attr(out.p, "data-challenge", ch, sizeof(ch));
		assertion(ch, csrf, 0, "", body, sizeof(body));
		st = run("POST", "/gatekeep/passkey", cookie, body, &out);
		ok(st == 401 && !session_set(out.p) && strstr(out.p, "could not be used") != NULL,
		    "a banned address: a good passkey refused as a failed one (%d)", st);
		gk_lockout_clear(ctx.auth.lk, NULL, "192.0.2.7", now_value, &err);
		for (i = 0; i < 100; i++)
			gk_lockout_fail(ctx.auth.lk, "alice", NULL, now_value, &err);
		st = run("POST", "/gatekeep/passkey", cookie, body, &out);
		ok(st == 401 && !session_set(out.p), "a locked account: a good passkey refused (%d)", st);
		gk_lockout_clear(ctx.auth.lk, "alice", "192.0.2.7", now_value, &err);
		now_value++;
		st = run("GET", "/gatekeep/passkey", cookie, NULL, &out);
		attr(out.p, "data-challenge", ch, sizeof(ch));
		assertion(ch, csrf, 0, "", body, sizeof(body));
		flip_signature(body);
		st = run("POST", "/gatekeep/passkey", cookie, body, &out);
		gk_lockout_peek(ctx.auth.lk, "alice", "192.0.2.7", now_value, &fails, &until, &err);
		gk_lockout_peek(ctx.auth.lk, "alice", NULL, now_value, &ufails, &until, &err);
		ok(st == 401 && fails == 1 && ufails == 1,
		    "a failed assertion counts as a wrong password (%d, pair %ld, user %ld)", st, fails, ufails);
		assertion(ch, csrf, 0, "", body, sizeof(body));
		memcpy(strstr(body, "user_handle=") + 12, "Kg&x=AA", 7);        /* "*": no user name */
		gk_lockout_peek(ctx.auth.lk, NULL, "192.0.2.7", now_value, &ufails, &until, &err);
		st = run("POST", "/gatekeep/passkey", cookie, body, &out);
		gk_lockout_peek(ctx.auth.lk, NULL, "192.0.2.7", now_value, &fails, &until, &err);
		ok(st == 401 && fails == ufails + 1, "a bad user handle counts against the address (%d, %ld)",
		    st, fails);
		now_value++;
		st = run("GET", "/gatekeep/passkey", cookie, NULL, &out);
		attr(out.p, "data-challenge", ch, sizeof(ch));
		assertion(ch, csrf, 0, "", body, sizeof(body));
		st = run("POST", "/gatekeep/passkey", cookie, body, &out);
		gk_lockout_peek(ctx.auth.lk, "alice", "192.0.2.7", now_value, &fails, &until, &err);
		gk_lockout_peek(ctx.auth.lk, "alice", NULL, now_value, &ufails, &until, &err);
		ok(st == 303 && session_set(out.p) && fails == 0 && ufails == 0,
		    "a good passkey clears the counts as a good password (%d, pair %ld, user %ld)", st,
		    fails, ufails);
	}

	/* The account page needs a session; off means 404. */
	st = run("GET", "/gatekeep/account/passkeys", cookie, NULL, &out);
	is_int(st, 401, "account page without a session");
	ctx.cfg.passkeys = false;
	st = run("GET", "/gatekeep/passkey", cookie, NULL, &out);
	is_int(st, 404, "passkeys off: 404");
	snprintf(body, sizeof(body), "user=alice&password=correct+horse&csrf=%s", csrf);
	st = run("POST", "/gatekeep/login", cookie, body, &out);
	ok(st == 303 && session_set(out.p), "passkeys off: the password alone (%d)", st);
	st = run("GET", "/gatekeep/login", cookie, NULL, &out);
	ok(st == 200 && strstr(out.p, "gk-passkey") == NULL, "passkeys off: no passkey link");

	login_buf_free(&out);
	loginfix_free(&ctx, dir);
	if (getenv("GK_TEST_REDIS_URL") != NULL)
		two_machines(getenv("GK_TEST_REDIS_URL"));
	else
		diag("GK_TEST_REDIS_URL unset: the two machines run in tests/passkey_two_machines.sh");
	(void)cookie2;
	return done_testing();
}
