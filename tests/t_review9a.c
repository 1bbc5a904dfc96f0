/* t_review9a.c: the HTTP front's reading of a CGI answer's Status line, and the cost bound of a bsdicrypt ("_") hash. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "httpconn.h"
#include "password.h"
#include "tap.h"

/* The HTTP answer to cgi[0..n), copied first into a heap buffer of exactly n bytes (no NUL after it). */
static size_t
answer(const char *cgi, char *out, size_t outsz)
{
	size_t n = strlen(cgi), len;
	char *exact = malloc(n > 0 ? n : 1);

	if (exact == NULL)
		return 0;
	memcpy(exact, cgi, n);
	len = gk_httpconn_response(exact, n, false, out, outsz - 1);
	free(exact);
	out[len] = '\0';
	return len;
}

/*
 * The code is the Status line's own: atoi skipped the line's CRLF (whitespace to it) and read
 * the next line's or the body's digits, and past the end of the answer when only blanks
 * followed (ASan: a read past the buffer).
 */
static void
test_status(void)
{
	static const struct {
		const char *cgi;
		const char *line;
	} cases[] = {
		{ "Status:\r\n\r\n200", "HTTP/1.1 500 " },              /* the body's digits */
		{ "Status:\r\n 200: x\r\n\r\n", "HTTP/1.1 500 " },      /* the next line's */
		{ "Status:\r\n\r\n", "HTTP/1.1 500 " },                 /* nothing after: past the end */
		{ "Status: \t\r\n\r\n", "HTTP/1.1 500 " },
		{ "Status: 2000\r\n\r\n", "HTTP/1.1 500 " },            /* four digits */
		{ "Status: 200\r\n\r\n", "HTTP/1.1 200 " },
		{ "Status: 200 OK\r\nRemote-User: a\r\n\r\n", "HTTP/1.1 200 " },
		{ "Status:401\r\n\r\n", "HTTP/1.1 401 " },
		{ "status: 403\n\n", "HTTP/1.1 403 " },
	};
	char out[1024];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		answer(cases[i].cgi, out, sizeof(out));
		ok(strncmp(out, cases[i].line, strlen(cases[i].line)) == 0,
		    "CGI answer %zu's status line is %s(got %.12s)", i, cases[i].line, out);
	}
	answer("Status: 200 OK\r\nRemote-User: a\r\n\r\n", out, sizeof(out));
	ok(strstr(out, "\r\nRemote-User: a\r\n") != NULL, "... and its fields are kept");
}

/*
 * bsdicrypt's count (4 characters, 24 bits) is a cost like sha-crypt's rounds: "_zzzz" is
 * 16777215 DES rounds, 3 to 4 s of a core, twice what the bound allows any other hash.
 * --import's shape check refuses "_" hashes before this; gk_pw_cost_bounded and
 * gk_pw_hash_storable are lib/'s contract for any caller, and gk_pw_verify's for a stored one.
 */
static void
test_bsdicrypt(struct gk_pw_ctx *ctx)
{
	struct gk_err err = { "" };
	clock_t t;

	ok(gk_pw_cost_bounded("_J9..saltH/rNoMLl8KQ"), "bsdicrypt of the usual count (725) is bounded");
	ok(gk_pw_cost_bounded("_...EsaltA2VF5re0Re2"), "bsdicrypt of count 2^22 is bounded");
	ok(!gk_pw_cost_bounded("_zzzzsaltjOF2LsJHHqw"), "bsdicrypt of count 2^24 - 1 is over the bound");
	ok(!gk_pw_cost_bounded("_zz!zsaltjOF2LsJHHqw"), "a count with a byte outside the alphabet is no bound");
	/* cut short, in exact heap copies: ASan sees a read past the NUL */
	{
		static const char *const cut[] = { "_", "_zz", "$y$j", "$y$j9", "$y$j9T" };
		size_t i;

		for (i = 0; i < sizeof(cut) / sizeof(cut[0]); i++) {
			char *h = strdup(cut[i]);

			ok(h != NULL && !gk_pw_cost_bounded(h), "'%s' is no bound", cut[i]);
			free(h);
		}
	}
	is_int(gk_pw_hash_storable(ctx, "_zzzzsaltjOF2LsJHHqw", &err), GK_EINVAL,
	    "gk_pw_hash_storable refuses it (%s)", err.msg);
	t = clock();
	is_int(gk_pw_verify(ctx, "guess", "_zzzzsaltjOF2LsJHHqw"), GK_PW_MISMATCH, "a guess at it mismatches");
	t = clock() - t;
	ok(t < CLOCKS_PER_SEC, "... in %.3f s of CPU, the dummy's, not the hash's",
	    (double)t / CLOCKS_PER_SEC);
	ok(gk_pw_costs_like_dummy(ctx, "_zzzzsaltjOF2LsJHHqw"), "... which costs like the dummy");
	is_int(gk_pw_verify(ctx, "pw", "_J9..saltH/rNoMLl8KQ"), GK_PW_MATCH,
	    "the usual count is still computed: its password matches");
}

int
main(void)
{
	struct gk_err err = { "" };
	struct gk_pw_ctx *ctx;

	test_status();
	ctx = gk_pw_ctx_new(&err);
	if (!ok(ctx != NULL, "context created (%s)", err.msg))
		return done_testing();
	test_bsdicrypt(ctx);
	gk_pw_ctx_free(ctx);
	return done_testing();
}
