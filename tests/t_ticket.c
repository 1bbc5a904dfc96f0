/* t_ticket.c: zero-hop tickets: round trip, binding to one token, tampering, expiry, key separation, who gets one. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "tap.h"
#include "ticket.h"

#define NOW INT64_C(1700000000)

static const char K1[] = "Zm9vYmFyLXRoaXMtaXMtYS10ZXN0LWtleS0xLTMyYnl0ZXM";
static const char K2[] = "c2Vjb25kLWtleS1mb3ItdGhlLXJvdGF0aW9uLXRlc3RzLTI";

static int
verify(const char *key, const char *tok, const char *ticket, int64_t now, struct gk_ticket *t)
{
	struct gk_err err = { "" };

	return gk_ticket_verify((const unsigned char *)key, strlen(key), tok, ticket, now, t, &err);
}

int
main(void)
{
	struct gk_secret s;
	struct gk_config cfg;
	struct gk_claims c;
	struct gk_user u;
	struct gk_ticket t;
	struct gk_err err = { "" };
	char tok[GK_TOKEN_MAX + 1], ticket[GK_TICKET_MAX + 1], bad[GK_TICKET_MAX + 1];
	char hdr[GK_TICKET_HEADER_MAX], cookies[2 * GK_TOKEN_MAX + 64];
	const unsigned char *k1 = (const unsigned char *)K1;

	if (sodium_init() < 0)
		return 1;
	memset(&u, 0, sizeof(u));
	gk_user_init(&u, "alice", NOW);
	strcpy(u.groups, "users,staff");
	strcpy(u.email, "alice@example.com");
	memset(&c, 0, sizeof(c));
	strcpy(c.sub, "alice");
	strcpy(c.iss, GK_TOKEN_ISSUER);
	c.iat = NOW;
	c.exp = NOW + 3600;
	c.gen = u.generation;
	is_int(gk_token_issue(k1, strlen(K1), &c, tok, sizeof(tok), &err), GK_OK, "token issued");

	is_int(gk_ticket_issue(k1, strlen(K1), tok, &u, NOW + 60, ticket, sizeof(ticket), &err),
	    GK_OK, "ticket issued");
	is_int(verify(K1, tok, ticket, NOW, &t), GK_OK, "ticket verifies for its token");
	is_str(t.sub, "alice", "... sub");
	is_str(t.grp, "users,staff", "... grp");
	is_str(t.email, "alice@example.com", "... email");
	ok(t.exp == NOW + 60, "... exp");
	ok(verify(K1, tok, ticket, NOW + 59, &t) == GK_OK, "valid one second before exp");
	ok(verify(K1, tok, ticket, NOW + 60, &t) != GK_OK && t.sub[0] == '\0',
	    "refused at exp, nothing filled in");
	ok(verify(K2, tok, ticket, NOW, &t) != GK_OK, "refused under another key");
	/* bound to the token: the same ticket with any other token is worthless */
	strcpy(bad, tok);
	bad[strlen(bad) - 1] = bad[strlen(bad) - 1] == 'A' ? 'Q' : 'A';
	ok(verify(K1, bad, ticket, NOW, &t) != GK_OK, "refused with another token");
	/* tampering: every single character of the ticket */
	{
		size_t i, n = strlen(ticket), refused = 0;

		for (i = 0; i < n; i++) {
			strcpy(bad, ticket);
			bad[i] = bad[i] == 'A' ? 'B' : 'A';
			if (verify(K1, tok, bad, NOW, &t) != GK_OK)
				refused++;
		}
		ok(refused == n, "every one-character change refused (%zu of %zu)", refused, n);
	}
	snprintf(bad, sizeof(bad), "%s=", ticket);
	ok(verify(K1, tok, bad, NOW, &t) != GK_OK, "padding refused");
	snprintf(bad, sizeof(bad), "%s.x", ticket);
	ok(verify(K1, tok, bad, NOW, &t) != GK_OK, "three segments refused");
	/* key separation: a session token is not a ticket, a ticket is not a session token */
	ok(verify(K1, tok, tok, NOW, &t) != GK_OK, "the token itself is no ticket");
	{
		struct gk_secret ks;
		struct gk_claims cc;

		memset(&ks, 0, sizeof(ks));
		ks.len = strlen(K1);
		memcpy(ks.key, K1, ks.len);
		ok(gk_token_verify(&ks, ticket, GK_TOKEN_ISSUER, NOW, 60, 0, &cc, &err) != GK_OK,
		    "a ticket is no session token");
	}
	ok(gk_ticket_issue(k1, 8, tok, &u, NOW + 60, ticket, sizeof(ticket), &err) != GK_OK,
	    "a short key signs nothing");
	ok(gk_ticket_issue(k1, strlen(K1), tok, &u, NOW + 60, ticket, 40, &err) == GK_ETOOLONG,
	    "small buffer: GK_ETOOLONG");

	/* who gets one, and the Set-Cookie line */
	if (gk_config_defaults(&cfg, &err) != GK_OK)
		return 1;
	memset(&s, 0, sizeof(s));
	s.len = strlen(K1);
	memcpy(s.key, K1, s.len);
	snprintf(cookies, sizeof(cookies), "a=1; gatekeep_session=%s; b=2", tok);
	gk_ticket_answer_header(&cfg, &s, cookies, &u, &c, NOW, hdr, sizeof(hdr));
	is_str(hdr, "", "zero_hop_ticket_ttl = 0 (the default): no ticket");
	ok(!gk_ticket_wanted(&cfg, &u), "... not wanted");
	cfg.zero_hop_ticket_ttl = 30;
	gk_ticket_answer_header(&cfg, &s, cookies, &u, &c, NOW, hdr, sizeof(hdr));
	ok(strncmp(hdr, "Set-Cookie: gatekeep_session_ticket=", 36) == 0 &&
	    strstr(hdr, "; Max-Age=30;") != NULL && strstr(hdr, "HttpOnly") != NULL &&
	    strstr(hdr, "Secure") != NULL && strcmp(hdr + strlen(hdr) - 2, "\r\n") == 0,
	    "ttl 30: Set-Cookie line, Max-Age=30, Secure, HttpOnly: %s", hdr);
	{
		const char *v = hdr + 36;
		size_t n = strcspn(v, ";");

		memcpy(bad, v, n);
		bad[n] = '\0';
		ok(verify(K1, tok, bad, NOW + 29, &t) == GK_OK, "... its ticket verifies");
	}
	c.exp = NOW + 10;
	gk_ticket_answer_header(&cfg, &s, cookies, &u, &c, NOW, hdr, sizeof(hdr));
	ok(strstr(hdr, "; Max-Age=10;") != NULL, "never outlives the session token");
	c.exp = NOW + 3600;
	u.perm = GK_PERM_RO;
	gk_ticket_answer_header(&cfg, &s, cookies, &u, &c, NOW, hdr, sizeof(hdr));
	is_str(hdr, "", "permission ro: no ticket (njs cannot check methods)");
	u.perm = GK_PERM_RW;
	u.flags |= GK_USER_DISABLED;
	ok(!gk_ticket_wanted(&cfg, &u), "disabled user: no ticket");
	u.flags = 0;
	cfg.rules_count = 1;
	ok(!gk_ticket_wanted(&cfg, &u), "with rules: no ticket");
	cfg.rules_count = 0;
	snprintf(cookies, sizeof(cookies), "gatekeep_session=%s; gatekeep_session=%s", tok, tok);
	gk_ticket_answer_header(&cfg, &s, cookies, &u, &c, NOW, hdr, sizeof(hdr));
	is_str(hdr, "", "cookie twice: no ticket");
	gk_config_free(&cfg);
	return done_testing();
}
