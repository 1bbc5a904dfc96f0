/* t_ngxmod_diff.c: the native nginx module's cookie reading, ticket check and Host check against lib/cookie.c, lib/ticket.c and lib/frontend.c, on generated hostile input. */
/*
 * The module (contrib/nginx/gatekeep-module) is compiled into this test with the few
 * nginx core functions it calls stubbed, so its static functions run on plain bytes.
 * What a Cookie header gives the module as the session cookie and the ticket, lib/cookie.c
 * must give value for value (the module may refuse more, never take more); a ticket the
 * module vouches for (vouch(): shape, MAC, payload, its memory of verified pairs), lib's
 * gk_ticket_verify must accept for the same token, naming the same user, groups and email.
 * Headers: pairs from a table of names (case, spaces, tabs, prefixes, "$Version") and
 * values (empty, quoted, spaces, '=', ',', '\\', high bytes) joined by ';' variants, by a
 * fixed-seed generator; tickets: gk_ticket_issue's, then respelled (padding, spare bits,
 * trailing bytes, a second dot) and payloads signed under K_t (repeated members, real,
 * string, huge, negative exp, non-string claims). Hosts: whether gatekeep-authz refuses a
 * Host field beside GATEKEEP_HOST (lib/frontend.c: bad-host, host-mismatch), the module's
 * copy of the rule (ngx_http_gatekeep_plain.c) must say exactly the same, both ways, on
 * generated fields (names, dots, brackets, ports, junk, case, control bytes) and served hosts.
 */
#include "ngx_http_gatekeep_module.c"
#include "ngx_http_gatekeep_plain.c"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

#include "cookie.h"
#include "frontend.h"
#include "tap.h"
#include "ticket.h"

/* --- the nginx core the module calls, stubbed (no pool: a list freed per case) --------- */
static ngx_time_t fake_time;
volatile ngx_time_t *ngx_cached_time = &fake_time;
ngx_module_t ngx_http_core_module;
void ngx_log_error_core(ngx_uint_t l, ngx_log_t *g, ngx_err_t e, const char *f, ...) { }
void ngx_conf_log_error(ngx_uint_t l, ngx_conf_t *c, ngx_err_t e, const char *f, ...) { }
void *ngx_array_push(ngx_array_t *a) { return NULL; }
ngx_http_variable_t *ngx_http_add_variable(ngx_conf_t *c, ngx_str_t *n, ngx_uint_t f) { return NULL; }
ngx_pool_cleanup_t *ngx_pool_cleanup_add(ngx_pool_t *p, size_t s) { return NULL; }
ngx_int_t ngx_http_named_location(ngx_http_request_t *r, ngx_str_t *n) { return NGX_DONE; }
void ngx_http_finalize_request(ngx_http_request_t *r, ngx_int_t rc) { }

static void *allocs[16];
static int nallocs;

void *
ngx_pnalloc(ngx_pool_t *pool, size_t size)
{
	void *p = nallocs < 16 ? calloc(1, size + 1) : NULL;

	if (p != NULL)
		allocs[nallocs++] = p;
	return p;
}

void *ngx_pcalloc(ngx_pool_t *pool, size_t size) { return ngx_pnalloc(pool, size); }

static void
pool_free(void)
{
	while (nallocs > 0)
		free(allocs[--nallocs]);
}

ngx_int_t
ngx_hextoi(u_char *p, size_t n)
{
	ngx_int_t v = 0;
	int d;

	if (n == 0)
		return NGX_ERROR;
	for (; n > 0; n--, p++) {
		d = *p >= '0' && *p <= '9' ? *p - '0' : (*p | 0x20) >= 'a' && (*p | 0x20) <= 'f' ?
		    (*p | 0x20) - 'a' + 10 : -1;
		if (d < 0)
			return NGX_ERROR;
		v = v * 16 + d;
	}
	return v;
}

ngx_int_t
ngx_strncasecmp(u_char *a, u_char *b, size_t n)
{
	for (; n > 0; n--, a++, b++)
		if (ngx_tolower(*a) != ngx_tolower(*b) || *a == '\0')
			return ngx_tolower(*a) - ngx_tolower(*b);
	return 0;
}

ngx_uint_t
ngx_hash_key(u_char *d, size_t len)
{
	ngx_uint_t k = 0;

	while (len--)
		k = ngx_hash(k, *d++);
	return k;
}

/* --- the module's view of one request ---------------------------------------------------- */
static const unsigned char secret[32] = "t_ngxmod_diff: a session secret";
static ngx_http_gatekeep_main_conf_t mcf;
static ngx_http_gatekeep_loc_conf_t lcf;

/* vouch() for GET /x with this one Cookie header and the Host field `host` (NULL: none;
 * $host is app.example); NULL when it vouches (ctx: the identity) */
static const char *
module_vouch_host(const char *cookie, const char *host, ngx_http_gatekeep_ctx_t *ctx)
{
	ngx_http_request_t r;
	ngx_connection_t c;
	ngx_log_t log;
	ngx_table_elt_t h, *hp = &h, hh;

	memset(&r, 0, sizeof(r));
	memset(&c, 0, sizeof(c));
	memset(&log, 0, sizeof(log));
	memset(&h, 0, sizeof(h));
	memset(ctx, 0, sizeof(*ctx));
	r.main = &r;
	r.connection = &c;
	c.log = &log;
	ngx_str_set(&r.method_name, "GET");
	ngx_str_set(&r.unparsed_uri, "/x");
	ngx_str_set(&h.key, "Cookie");
	h.value.data = (u_char *)cookie;
	h.value.len = strlen(cookie);
	r.headers_in.headers.part.elts = &h;
	r.headers_in.headers.part.nelts = 1;
	r.headers_in.headers.last = &r.headers_in.headers.part;
	r.headers_in.cookies.elts = &hp;
	r.headers_in.cookies.nelts = 1;
	ngx_str_set(&r.headers_in.server, "app.example");
	if (host != NULL) {
		memset(&hh, 0, sizeof(hh));
		ngx_str_set(&hh.key, "Host");
		hh.value.data = (u_char *)host;
		hh.value.len = strlen(host);
		r.headers_in.host = &hh;
	}
	return vouch(&r, &mcf, &lcf, ctx);
}

static const char *
module_vouch(const char *cookie, ngx_http_gatekeep_ctx_t *ctx)
{
	return module_vouch_host(cookie, NULL, ctx);
}

static bool
same_str(const ngx_str_t *a, const char *b)
{
	return a->len == strlen(b) && (a->len == 0 || memcmp(a->data, b, a->len) == 0);
}

/* --- cookies ------------------------------------------------------------------------------ */
static const char *const names[] = {
	"gatekeep_session", "gatekeep_session_ticket", " gatekeep_session", "gatekeep_session ",
	"\tgatekeep_session_ticket", "Gatekeep_session", "GATEKEEP_SESSION_TICKET",
	"gatekeep_sessio", "xgatekeep_session", "gatekeep_session_ticket_", "$Version", "",
	"gatekeep_session_ticket ", "a",
};
static const char *const values[] = {
	"", "t.a.b", "x", "\"t.a.b\"", "\"", "\"\"", " t.a.b ", "t a", "a,b", "a\\b", "a=b", "=",
	"\t1", "\xc3\xa9", "eyJ.MAC", "1", "gatekeep_session=x", "\x7f", "a\"b",
};
static const char *const seps[] = { "; ", ";", ";;", " ; ", ";\t", ", ", "" };

static uint32_t seed = 20261207;

static uint32_t
rnd(uint32_t n)
{
	seed = seed * 1103515245u + 12345u;
	return (seed >> 8) % n;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* one generated header: 1..5 pairs (a pair without '=' now and then) */
static void
gen_header(char *out, size_t outsz)
{
	size_t o = 0, k, i = rnd(5) + 1;

	out[0] = '\0';
	for (k = 0; k < i; k++)
		o += (size_t)snprintf(out + o, outsz - o, "%s%s%s%s", k ? seps[rnd(N(seps))] : "",
		    names[rnd(N(names))], rnd(8) ? "=" : "", values[rnd(N(values))]);
}

static bool
cookies_agree(const char *hdr)
{
	ngx_str_t h = { strlen(hdr), (u_char *)hdr }, va, vb;
	char a[GK_HEADER_MAX + 1], b[GK_HEADER_MAX + 1];

	if (!cookie_pair(&h, &lcf.cookie, &lcf.ticket, &va, &vb))
		return true;    /* the module refuses: gatekeep-authz decides */
	return gk_cookie_get(hdr, "gatekeep_session", a, sizeof(a)) == GK_OK &&
	    gk_cookie_get(hdr, "gatekeep_session_ticket", b, sizeof(b)) == GK_OK &&
	    same_str(&va, a) && same_str(&vb, b);
}

/* --- tickets ------------------------------------------------------------------------------ */
/* ticket := base64url(payload) "." the MAC under K_t for token */
static void
sign(const char *token, const char *payload, char *ticket, size_t sz)
{
	crypto_auth_hmacsha256_state st = mcf.mac_keyed;
	unsigned char mac[32];
	size_t n;

	sodium_bin2base64(ticket, sz, (const unsigned char *)payload, strlen(payload), GK_ZH_B64);
	n = strlen(ticket);
	crypto_auth_hmacsha256_update(&st, (const u_char *)token, strlen(token));
	crypto_auth_hmacsha256_update(&st, (const u_char *)".", 1);
	crypto_auth_hmacsha256_update(&st, (const u_char *)ticket, n);
	crypto_auth_hmacsha256_final(&st, mac);
	ticket[n] = '.';
	sodium_bin2base64(ticket + n + 1, sz - n - 1, mac, sizeof(mac), GK_ZH_B64);
}

/* the module's verdict on the two cookies (twice: the second from its memory of pairs) and
 * lib's on the same header: whenever the module vouches, lib accepts, for the same identity */
static bool
tickets_agree(const char *token, const char *ticket, int *vouched)
{
	char hdr[GK_HEADER_MAX + 64], tok[GK_TOKEN_MAX + 1], tkt[GK_TICKET_MAX + 1];
	ngx_http_gatekeep_ctx_t ctx;
	struct gk_ticket t;
	struct gk_err err;
	int round, rc;
	bool ok = true;

	snprintf(hdr, sizeof(hdr), "gatekeep_session=%s; gatekeep_session_ticket=%s", token, ticket);
	for (round = 0; round < 2 && ok; round++) {
		if (module_vouch(hdr, &ctx) == NULL) {
			++*vouched;
			/* gatekeep-authz's reading of the same header (gk_ticket_answer_header's) */
			rc = gk_cookie_get(hdr, "gatekeep_session", tok, sizeof(tok)) != GK_OK ||
			    gk_cookie_get(hdr, "gatekeep_session_ticket", tkt, sizeof(tkt)) != GK_OK ?
			    gk_err_set(&err, "cookies") : gk_ticket_verify(secret, sizeof(secret), tok, tkt,
			    fake_time.sec, &t, &err);
			ok = rc == GK_OK && same_str(&ctx.user, t.sub) && same_str(&ctx.groups, t.grp) &&
			    same_str(&ctx.email, t.email);
			if (!ok)
				diag("module vouches, lib: %s (%s)", rc == GK_OK ? "another identity" : err.msg,
				    ticket);
		}
		pool_free();
	}
	return ok;
}

/* --- hosts ------------------------------------------------------------------------------ */
static const char *const host_bits[] = {
	"app", "example", "APP", "Example", ".", "..", ":", "[", "]", "::1", "80", "8080",
	"123456", "00080", "x", "-", " ", "\t", "\x7f", "\xc3\xa9", "a.b", "1.2.3.4", "*", "%",
};
static const char *const served_hosts[] = {
	"app.example", "app.example.", "[::1]", "", "a b", "app", "a\tb", "127.0.0.1",
};

/* the module's verdict on field (NULL: none) beside served, and lib's on the same params */
static bool
hosts_agree(const char *field, const char *served, size_t *refused)
{
	char hp[256], gp[256], *envp[3] = { hp, gp, NULL };
	ngx_str_t f = { field ? strlen(field) : 0, (u_char *)field }, sv = { strlen(served), (u_char *)served };
	struct gk_request req;
	const char *host, *why;
	bool m, l;

	snprintf(hp, sizeof(hp), "HTTP_HOST=%s", field ? field : "");
	snprintf(gp, sizeof(gp), "GATEKEEP_HOST=%s", served);
	if (field == NULL)
		envp[0] = gp, envp[1] = NULL;
	gk_request_init(&req, envp);
	l = gk_frontend_host(&req, &host, &why) != GK_OK || !gk_frontend_host_name_ok(host);
	m = host_refused(field ? &f : NULL, &sv);
	*refused += m;
	if (m != l)
		diag("Host [%s] beside [%s]: the module %s, lib %s", field ? field : "(none)", served,
		    m ? "refuses" : "takes", l ? "refuses (bad-host, host-mismatch)" : "takes");
	return m == l;
}

static const char *const payloads[] = {
	"{\"sub\":\"alice\",\"exp\":%lld}",
	"{\"sub\":\"alice\",\"grp\":\"admins,staff\",\"email\":\"a@example.com\",\"exp\":%lld}",
	"{\"sub\":\"alice\",\"sub\":\"bob\",\"exp\":%lld}",
	"{\"sub\":\"alice\",\"exp\":%lld,\"exp\":1}",
	"{\"sub\":\"alice\",\"exp\":%lld.0}",
	"{\"sub\":\"alice\",\"exp\":\"%lld\"}",
	"{\"sub\":\"alice\",\"exp\":%lld0000000000000000000}",
	"{\"sub\":\"alice\",\"exp\":-%lld}",
	"{\"sub\":\"alice\",\"exp\":%lldE0}",
	"{\"sub\":\"alice\",\"grp\":5,\"exp\":%lld}",
	"{\"sub\":\"\",\"exp\":%lld}",
	"{\"sub\":\"al\\u0000ice\",\"exp\":%lld}",
	"{\"sub\":\"alice\",\"email\":null,\"exp\":%lld}",
	"[\"sub\",\"alice\",%lld]",
	"{\"sub\":\"alice\",\"exp\":%lld} ",
	"{\"sub\":\"alice\",\"exp\":%lld}x",
	"{\"Sub\":\"alice\",\"exp\":%lld}",
};

int
main(void)
{
	unsigned char kt[32];
	char hex[GK_TICKET_KEY_HEX + 1], hdr[4096], hdr_ok[4096], ticket[GK_TICKET_MAX + 64], p[512], t2[GK_TICKET_MAX + 64];
	const char *token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl";
	struct gk_user u;
	struct gk_err err;
	ngx_http_gatekeep_ctx_t ctx;
	long long exp;
	size_t i, bad = 0, took = 0, n;
	int vouched = 0;

	if (sodium_init() < 0 || gk_ticket_key_hex(secret, sizeof(secret), hex, &err) != GK_OK ||
	    sodium_hex2bin(kt, sizeof(kt), hex, GK_TICKET_KEY_HEX, NULL, NULL, NULL) != 0)
		return printf("Bail out! no ticket key\n"), 99;
	crypto_auth_hmacsha256_init(&mcf.mac_keyed, kt, sizeof(kt));
	mcf.key_set = 1;
	mcf.key_gen = 1;
	ngx_str_set(&lcf.cookie, "gatekeep_session");
	ngx_str_set(&lcf.ticket, "gatekeep_session_ticket");
	ngx_str_set(&lcf.checked, "@gatekeep_checked");
	fake_time.sec = 1800000000;
	exp = (long long)fake_time.sec + 60;

	/* 1. Cookie headers */
	for (i = 0; i < 200000; i++) {
		ngx_str_t h, va, vb;

		gen_header(hdr, sizeof(hdr));
		h.data = (u_char *)hdr;
		h.len = strlen(hdr);
		took += cookie_pair(&h, &lcf.cookie, &lcf.ticket, &va, &vb);
		if (!cookies_agree(hdr) && bad++ < 5)
			diag("module takes more than lib/cookie.c: [%s]", hdr);
	}
	ok(bad == 0, "200000 generated Cookie headers: what the module takes, lib/cookie.c takes, value for value (%zu bad)", bad);
	ok(took > 1000, "... and the module took both cookies from %zu of them (the case can fail)", took);

	/* 2. gk_ticket_issue's tickets: the module vouches, for the same identity */
	memset(&u, 0, sizeof(u));
	strcpy(u.name, "alice");
	strcpy(u.groups, "admins,staff");
	strcpy(u.email, "alice@example.com");
	if (gk_ticket_issue(secret, sizeof(secret), token, &u, exp, ticket, sizeof(ticket), &err) != GK_OK)
		return printf("Bail out! gk_ticket_issue: %s\n", err.msg), 99;
	snprintf(hdr_ok, sizeof(hdr_ok), "gatekeep_session=%s; gatekeep_session_ticket=%s", token, ticket);
	bad = !tickets_agree(token, ticket, &vouched);
	ok(bad == 0 && vouched == 2, "gatekeep-authz's ticket: the module vouches (twice, once from its memory), as alice with her groups and e-mail");

	/* 3. the same ticket respelled, and payloads signed under K_t */
	bad = 0;
	vouched = 0;
	n = strlen(ticket);
	for (i = 0; i < 8; i++) {
		static const char *const tails[] = { "=", "==", ".", ".x", ",", "A", "%3D", "\"" };

		snprintf(t2, sizeof(t2), "%s%s", ticket, tails[i]);
		bad += !tickets_agree(token, t2, &vouched);
	}
	memcpy(t2, ticket, n + 1);
	t2[n - 1] = t2[n - 1] == 'A' ? 'B' : t2[n - 1] + 1;    /* the MAC's spare bits set */
	bad += !tickets_agree(token, t2, &vouched);
	snprintf(t2, sizeof(t2), "%s=", token);                  /* the token respelled */
	bad += !tickets_agree(t2, ticket, &vouched);
	ok(bad == 0 && vouched == 0, "respelled tickets and tokens: the module vouches for none (%zu disagree, %d vouched)", bad, vouched);
	bad = 0;
	for (i = 0; i < N(payloads); i++) {
		snprintf(p, sizeof(p), payloads[i], exp);
		sign(token, p, t2, sizeof(t2));
		bad += !tickets_agree(token, t2, &vouched);
	}
	ok(bad == 0, "%zu payloads under K_t: whatever the module vouches for (%d), lib accepts for the same identity", N(payloads), vouched);

	/* 4. Hosts: the module refuses exactly what lib refuses */
	bad = 0;
	took = 0;
	for (i = 0; i < 200000; i++) {
		char field[128], served[128];
		size_t o = 0, k, m = rnd(6);

		field[0] = '\0';
		for (k = 0; k < m; k++)
			o += (size_t)snprintf(field + o, sizeof(field) - o, "%s", host_bits[rnd(N(host_bits))]);
		if (rnd(2)) {   /* served: the field's host part, lower case, now and then */
			snprintf(served, sizeof(served), "%s", served_hosts[rnd(N(served_hosts))]);
		} else {
			for (k = 0; field[k] != '\0' && field[k] != ':'; k++)
				served[k] = (char)tolower((unsigned char)field[k]);
			served[k] = '\0';
		}
		if (!hosts_agree(rnd(10) ? field : NULL, served, &took) && bad++ > 5)
			break;
	}
	ok(bad == 0, "200000 generated Host fields beside GATEKEEP_HOST: the module refuses exactly what lib/frontend.c refuses (%zu disagree)", bad);
	ok(took > 1000 && took < 199000, "... and it refused %zu of them (the case can fail either way)", took);
	ok(module_vouch_host(hdr_ok, "app.example:8080", &ctx) == NULL && (pool_free(), 1) &&
	    module_vouch_host(hdr_ok, "APP.example.", &ctx) == NULL && (pool_free(), 1),
	    "the module vouches with a Host of $host's name and a port, or in capitals with a final dot");
	ok(module_vouch_host(hdr_ok, "app.example:80x", &ctx) != NULL &&
	    module_vouch_host(hdr_ok, "app.example:123456", &ctx) != NULL &&
	    module_vouch_host(hdr_ok, "other.example", &ctx) != NULL,
	    "... never with junk after the port, a six-digit port or another host than $host's");
	pool_free();
	return done_testing();
}
