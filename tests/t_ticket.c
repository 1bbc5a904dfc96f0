/* t_ticket.c: zero-hop tickets: round trip, binding to one token, tampering, expiry, key separation, who gets one. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* nginx's copy of K_t: hex; a ticket's MAC is HMAC-SHA256(that key, token "." payload), as gatekeep.js computes it. */
static void
nginx_key(const unsigned char *k1, const char *tok)
{
	crypto_auth_hmacsha256_state st_h;
	char ticket[GK_TICKET_MAX + 1], mac_b64[64];
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	struct gk_user u;
	size_t ktlen;
	struct gk_err err = { "" };
	unsigned char kt[crypto_auth_hmacsha256_BYTES];
	char want[2 * sizeof(kt) + 1], hex[GK_TICKET_KEY_HEX + 1], line[128] = "", path[] = "/tmp/t_ticket.XXXXXX";
	struct stat st;
	FILE *f;
	int fd;

	is_int(gk_ticket_key_hex(k1, strlen(K1), hex, &err), GK_OK, "nginx key: derived");
	ok(sodium_hex2bin(kt, sizeof(kt), hex, strlen(hex), NULL, &ktlen, NULL) == 0 && ktlen == 32,
	    "nginx key: 32 bytes");
	memset(&u, 0, sizeof(u));
	gk_user_init(&u, "alice", NOW);
	gk_ticket_issue(k1, strlen(K1), tok, &u, NOW + 60, ticket, sizeof(ticket), &err);
	crypto_auth_hmacsha256_init(&st_h, kt, sizeof(kt));
	crypto_auth_hmacsha256_update(&st_h, (const unsigned char *)tok, strlen(tok));
	crypto_auth_hmacsha256_update(&st_h, (const unsigned char *)".", 1);
	crypto_auth_hmacsha256_update(&st_h, (const unsigned char *)ticket,
	    (size_t)(strchr(ticket, '.') - ticket));
	crypto_auth_hmacsha256_final(&st_h, mac);
	sodium_bin2base64(mac_b64, sizeof(mac_b64), mac, sizeof(mac),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	is_str(strchr(ticket, '.') + 1, mac_b64, "a ticket's MAC under the nginx key is gatekeep.js's");
	ok(strlen(hex) == GK_TICKET_KEY_HEX && strspn(hex, "0123456789abcdef") == GK_TICKET_KEY_HEX,
	    "nginx key: 64 lower-case hex digits");
	ok(strcmp(hex, K1) != 0 && strstr(hex, "5a6d39") == NULL, "nginx key: not the session key");
	is_int(gk_ticket_key_hex(k1, 5, hex, &err), GK_EINVAL, "nginx key: a short session key is refused");
	is_str(hex, "", "... and nothing is written");
	fd = mkstemp(path);
	ok(fd >= 0, "temp file");
	close(fd);
	chmod(path, 0644);
	is_int(gk_ticket_nginx_key_write(k1, strlen(K1), path, &err), GK_OK, "nginx include written");
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "... mode 0600");
	f = fopen(path, "r");
	ok(f != NULL && fgets(line, sizeof(line), f) != NULL, "... readable");
	if (f != NULL)
		fclose(f);
	gk_ticket_key_hex(k1, strlen(K1), hex, &err);
	snprintf(want, sizeof(want), "%s", hex);
	ok(strncmp(line, "js_var $gatekeep_ticket_key ", 28) == 0 && strncmp(line + 28, want, 64) == 0 &&
	    strcmp(line + 92, ";\n") == 0, "... one js_var line with the hex key");
	is_int(gk_ticket_nginx_key_write(k1, 3, path, &err), GK_EINVAL, "a bad session key: refused");
	ok(stat(path, &st) == 0 && st.st_size == 94, "... the old include is left as it was");
	is_int(gk_ticket_nginx_key_write(k1, strlen(K1), "/nonexistent-dir/k.conf", &err), GK_ERR,
	    "an unwritable place: refused");
	unlink(path);
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
	cfg.allowed_origins.count = 1;    /* items untouched: only the count is read */
	ok(!gk_ticket_wanted(&cfg, &u), "with allowed_origins (an Origin check njs cannot make): no ticket");
	cfg.allowed_origins.count = 0;
	snprintf(cookies, sizeof(cookies), "gatekeep_session=%s; gatekeep_session=%s", tok, tok);
	gk_ticket_answer_header(&cfg, &s, cookies, &u, &c, NOW, hdr, sizeof(hdr));
	is_str(hdr, "", "cookie twice: no ticket");
	nginx_key(k1, tok);
	gk_config_free(&cfg);
	return done_testing();
}
