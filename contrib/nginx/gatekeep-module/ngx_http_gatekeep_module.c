/* ngx_http_gatekeep_module.c: the zero-hop session check of contrib/nginx/gatekeep.js as a native nginx module (libsodium HMAC, jansson JSON). */

/*
 * The same rules as gatekeep.js, at C speed: a request whose gatekeep session
 * cookie comes with a valid zero-hop ticket (lib/ticket.h) goes on in its
 * location without asking gatekeep-authz, the identity in $gatekeep_user,
 * $gatekeep_groups and $gatekeep_email. Every other request (no cookie, any
 * doubt, an expired ticket) is handed, unchanged, to the named location of
 * `gatekeep_zero_hop`, whose auth_request asks gatekeep-authz as always. This
 * check may only ever be stricter than gatekeep-authz; when in doubt it asks.
 *
 * What it trusts: gatekeep-authz issues a ticket only for a session token it
 * has just verified in full, with an exp no later than the token's, and the
 * ticket's MAC covers that exact token string. So a ticket whose MAC verifies
 * under the ticket key K_t vouches for the token beside it until its exp.
 * nginx holds K_t only (gatekeep_ticket_key, written by `gatekeep-passwd
 * --zero-hop-key=FILE --nginx-module`), never the session secret.
 *
 * Directives (contrib/nginx/gatekeep-module.conf):
 *   gatekeep_ticket_key HEX64;          http: K_t, 64 hex digits
 *   gatekeep_cookie_name NAME;          http, server, location (gatekeep_session)
 *   gatekeep_zero_hop @NAMED_LOCATION;  location: check here, else go there
 */
#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <jansson.h>
#include <sodium.h>

#include "common.h"     /* lib/: GK_USER_MAX, GK_GROUPS_MAX, GK_EMAIL_MAX, GK_HEADER_MAX */
#include "cookie.h"     /* GK_COOKIE_HEADER_MAX */
#include "ngx_http_gatekeep_plain.h"

#define GK_ZH_TOKEN_MAX   4096  /* GK_TOKEN_MAX of lib/token.h */
#define GK_ZH_TICKET_MAX  1024  /* GK_TICKET_MAX of lib/ticket.h */
#define GK_ZH_SUFFIX      "_ticket"     /* GK_TICKET_SUFFIX */
#define GK_ZH_MAC_B64     43    /* base64url of an HMAC-SHA256, unpadded */
#define GK_ZH_B64         sodium_base64_VARIANT_URLSAFE_NO_PADDING

typedef struct {
	ngx_flag_t                      key_set;
	ngx_flag_t                      used;       /* some location has gatekeep_zero_hop */
	ngx_uint_t                      key_gen;    /* which key this is, in this process */
	/* HMAC-SHA256 keyed with K_t: each request copies it (the key's two blocks once) */
	crypto_auth_hmacsha256_state    mac_keyed;
} ngx_http_gatekeep_main_conf_t;

typedef struct {
	ngx_str_t   checked;    /* the named location for everything not vouched for */
	ngx_str_t   cookie;     /* the session cookie's name */
	ngx_str_t   ticket;     /* cookie + "_ticket" */
} ngx_http_gatekeep_loc_conf_t;

/* A vouched request's identity, from the ticket (printable ASCII only). */
typedef struct {
	ngx_str_t   user;
	ngx_str_t   groups;
	ngx_str_t   email;
	json_int_t  exp;
} ngx_http_gatekeep_ctx_t;

/*
 * Each worker remembers the last tickets it verified, so that a browser's next
 * requests with the same two cookies cost no HMAC and no JSON: a hit needs the
 * same session token, payload and MAC, byte for byte (compared in constant
 * time), as a pair that verified under this configuration's key (a slot
 * keeps the key's number: a reload with master_process off keeps the process);
 * exp is checked on every request.
 * A slot holds token, payload and the claims; longer pairs are not kept.
 */
#define GK_ZH_CACHE_SLOTS 64
#define GK_ZH_CACHE_BYTES 2048

typedef struct {
	ngx_uint_t  key_gen;    /* remembered under this key (nginx -s reload with master_process off) */
	u_char      mac[GK_ZH_MAC_B64];
	size_t      token_len, payload_len, user_len, groups_len, email_len;
	json_int_t  exp;
	u_char      bytes[GK_ZH_CACHE_BYTES];   /* token, payload, user, groups, email */
} ngx_http_gatekeep_seen_t;

static ngx_http_gatekeep_seen_t ngx_http_gatekeep_seen[GK_ZH_CACHE_SLOTS];

static ngx_int_t ngx_http_gatekeep_add_variables(ngx_conf_t *cf);
static ngx_int_t ngx_http_gatekeep_init(ngx_conf_t *cf);
static void *ngx_http_gatekeep_create_main_conf(ngx_conf_t *cf);
static void *ngx_http_gatekeep_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_gatekeep_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child);
static char *ngx_http_gatekeep_key(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
static char *ngx_http_gatekeep_zero_hop(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
static char *ngx_http_gatekeep_cookie_name(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);

static ngx_command_t ngx_http_gatekeep_commands[] = {
	{ ngx_string("gatekeep_ticket_key"), NGX_HTTP_MAIN_CONF | NGX_CONF_TAKE1,
	  ngx_http_gatekeep_key, NGX_HTTP_MAIN_CONF_OFFSET, 0, NULL },
	{ ngx_string("gatekeep_zero_hop"), NGX_HTTP_LOC_CONF | NGX_CONF_TAKE1,
	  ngx_http_gatekeep_zero_hop, NGX_HTTP_LOC_CONF_OFFSET, 0, NULL },
	{ ngx_string("gatekeep_cookie_name"),
	  NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_HTTP_LOC_CONF | NGX_CONF_TAKE1,
	  ngx_http_gatekeep_cookie_name, NGX_HTTP_LOC_CONF_OFFSET, 0, NULL },
	ngx_null_command
};

static ngx_http_module_t ngx_http_gatekeep_module_ctx = {
	ngx_http_gatekeep_add_variables,        /* preconfiguration */
	ngx_http_gatekeep_init,                 /* postconfiguration */
	ngx_http_gatekeep_create_main_conf,
	NULL,                                   /* init main conf */
	NULL,                                   /* create server conf */
	NULL,                                   /* merge server conf */
	ngx_http_gatekeep_create_loc_conf,
	ngx_http_gatekeep_merge_loc_conf
};

ngx_module_t ngx_http_gatekeep_module = {
	NGX_MODULE_V1,
	&ngx_http_gatekeep_module_ctx,
	ngx_http_gatekeep_commands,
	NGX_HTTP_MODULE,
	NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	NGX_MODULE_V1_PADDING
};

/* ---- the check: the cookie and its ticket (the request itself: ngx_http_gatekeep_plain.c) -- */

/* RFC 6265 cookie-octet (lib/cookie.c): no CTL, whitespace, DQUOTE, ',', ';' or '\\'. */
static ngx_flag_t
cookie_octets(const ngx_str_t *v)
{
	size_t i;
	u_char c;

	for (i = 0; i < v->len; i++) {
		c = v->data[i];
		if (!(c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x3A) ||
		    (c >= 0x3C && c <= 0x5B) || (c >= 0x5D && c <= 0x7E)))
			return 0;
	}
	return v->len > 0;
}

/*
 * The one value each of cookies a and b in header h, the way lib/cookie.c reads
 * it: pairs split on every ';', a pair without '=' skipped, spaces and tabs
 * trimmed around names and values, names compared exactly. 1 only when each
 * name occurs exactly once and both values are plain cookie-octets (so a quoted
 * value, which gatekeep-authz would unquote, is left to gatekeep-authz).
 */
static ngx_flag_t
cookie_pair(const ngx_str_t *h, const ngx_str_t *a, const ngx_str_t *b, ngx_str_t *va,
    ngx_str_t *vb)
{
	const u_char *p, *end, *pe, *eq, *n0, *n1, *v0, *v1;
	ngx_uint_t na = 0, nb = 0;
	ngx_str_t *v;

	end = h->data + h->len;
	for (p = h->data; p < end; p = pe + 1) {
		pe = ngx_strlchr((u_char *)p, (u_char *)end, ';');
		if (pe == NULL)
			pe = end;
		eq = ngx_strlchr((u_char *)p, (u_char *)pe, '=');
		if (eq == NULL)
			continue;
		for (n0 = p; n0 < eq && (*n0 == ' ' || *n0 == '\t'); n0++)
			;
		for (n1 = eq; n1 > n0 && (n1[-1] == ' ' || n1[-1] == '\t'); n1--)
			;
		if ((size_t)(n1 - n0) == a->len && ngx_memcmp(n0, a->data, a->len) == 0) {
			na++;
			v = va;
		} else if ((size_t)(n1 - n0) == b->len && ngx_memcmp(n0, b->data, b->len) == 0) {
			nb++;
			v = vb;
		} else {
			continue;
		}
		for (v0 = eq + 1; v0 < pe && (*v0 == ' ' || *v0 == '\t'); v0++)
			;
		for (v1 = pe; v1 > v0 && (v1[-1] == ' ' || v1[-1] == '\t'); v1--)
			;
		v->data = (u_char *)v0;
		v->len = (size_t)(v1 - v0);
	}
	return na == 1 && nb == 1 && cookie_octets(va) && cookie_octets(vb);
}

static ngx_flag_t
b64url_only(const u_char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
			return 0;
	return n > 0;
}

/* s is printable ASCII, at least min and at most max bytes (they become request headers) */
static ngx_flag_t
printable(const char *s, size_t len, size_t min, size_t max)
{
	size_t i;

	if (len < min || len > max)
		return 0;
	for (i = 0; i < len; i++)
		if ((u_char)s[i] < 0x20 || (u_char)s[i] > 0x7e)
			return 0;
	return 1;
}

/* A JSON string member of o into out (pool copy); absent: "" when optional. */
static ngx_flag_t
claim(ngx_pool_t *pool, json_t *o, const char *name, size_t min, size_t max, ngx_str_t *out)
{
	json_t *v = json_object_get(o, name);
	const char *s;
	size_t len;

	ngx_str_null(out);
	if (v == NULL)
		return min == 0;
	if (!json_is_string(v))
		return 0;
	s = json_string_value(v);
	len = json_string_length(v);
	if (!printable(s, len, min, max))
		return 0;
	if (len == 0)
		return 1;
	out->data = ngx_pnalloc(pool, len);
	if (out->data == NULL)
		return 0;
	ngx_memcpy(out->data, s, len);
	out->len = len;
	return 1;
}

/*
 * The payload a MAC under K_t vouched for: a JSON object (no repeated member) with
 * "sub" (1..GK_USER_MAX printable bytes), optional "grp" and "email", and an
 * integer "exp" the clock has not reached. NULL when it holds, else why not.
 */
static const char *
ticket_claims(ngx_http_request_t *r, const u_char *b64, size_t len, ngx_http_gatekeep_ctx_t *ctx)
{
	u_char payload[GK_ZH_TICKET_MAX];
	size_t blen;
	json_error_t je;
	json_t *o, *exp;
	const char *why = NULL;

	if (sodium_base642bin(payload, sizeof(payload), (const char *)b64, len, NULL, &blen, NULL,
	    GK_ZH_B64) != 0)
		return "payload is not base64url";
	o = json_loadb((const char *)payload, blen, JSON_REJECT_DUPLICATES, &je);
	if (o == NULL || !json_is_object(o))
		why = "payload is no JSON object";
	else if (!claim(r->pool, o, "sub", 1, GK_USER_MAX, &ctx->user) ||
	    !claim(r->pool, o, "grp", 0, GK_GROUPS_MAX, &ctx->groups) ||
	    !claim(r->pool, o, "email", 0, GK_EMAIL_MAX, &ctx->email))
		why = "bad sub, grp or email";
	else if (exp = json_object_get(o, "exp"), !json_is_integer(exp) ||
	    json_integer_value(exp) <= 0)
		why = "no exp";
	else if ((json_int_t)ngx_time() >= json_integer_value(exp))
		why = "expired";
	else
		ctx->exp = json_integer_value(exp);
	json_decref(o);
	return why;
}

/* The slot holds exactly this token, payload and MAC (constant time for equal lengths). */
static ngx_flag_t
seen_before(const ngx_http_gatekeep_seen_t *e, ngx_uint_t key_gen, const ngx_str_t *token,
    const u_char *payload, size_t plen, const u_char *mac)
{
	if (e->token_len == 0 || e->key_gen != key_gen || e->token_len != token->len ||
	    e->payload_len != plen)
		return 0;
	return (sodium_memcmp(e->mac, mac, GK_ZH_MAC_B64) | sodium_memcmp(e->bytes, token->data,
	    token->len) | sodium_memcmp(e->bytes + token->len, payload, plen)) == 0;
}

/* A remembered pair's claims, copied to the request's pool (the slot may change before use). */
static const char *
seen_claims(ngx_http_request_t *r, const ngx_http_gatekeep_seen_t *e, ngx_http_gatekeep_ctx_t *ctx)
{
	const u_char *p = e->bytes + e->token_len + e->payload_len;
	u_char *q;

	if ((json_int_t)ngx_time() >= e->exp)
		return "expired";
	q = ngx_pnalloc(r->pool, e->user_len + e->groups_len + e->email_len + 1);
	if (q == NULL)
		return "out of memory";
	ngx_memcpy(q, p, e->user_len + e->groups_len + e->email_len);
	ctx->user.data = q;
	ctx->user.len = e->user_len;
	ctx->groups.data = e->groups_len ? q + e->user_len : NULL;
	ctx->groups.len = e->groups_len;
	ctx->email.data = e->email_len ? q + e->user_len + e->groups_len : NULL;
	ctx->email.len = e->email_len;
	ctx->exp = e->exp;
	return NULL;
}

/* Remember a pair that just verified (when it fits a slot). */
static void
seen_keep(ngx_http_gatekeep_seen_t *e, ngx_uint_t key_gen, const ngx_str_t *token,
    const u_char *payload, size_t plen, const u_char *mac, const ngx_http_gatekeep_ctx_t *ctx)
{
	u_char *p;

	e->token_len = 0;
	if (token->len + plen + ctx->user.len + ctx->groups.len + ctx->email.len > sizeof(e->bytes))
		return;
	ngx_memcpy(e->mac, mac, GK_ZH_MAC_B64);
	p = ngx_cpymem(e->bytes, token->data, token->len);
	p = ngx_cpymem(p, payload, plen);
	p = ngx_cpymem(p, ctx->user.data, ctx->user.len);
	if (ctx->groups.len)    /* an absent claim has no data to copy from */
		p = ngx_cpymem(p, ctx->groups.data, ctx->groups.len);
	if (ctx->email.len)
		ngx_memcpy(p, ctx->email.data, ctx->email.len);
	e->payload_len = plen;
	e->user_len = ctx->user.len;
	e->groups_len = ctx->groups.len;
	e->email_len = ctx->email.len;
	e->exp = ctx->exp;
	e->key_gen = key_gen;
	e->token_len = token->len;
}

/*
 * NULL when the request may go on without gatekeep-authz (ctx then holds the
 * identity), else the reason it may not.
 */
static const char *
vouch(ngx_http_request_t *r, ngx_http_gatekeep_main_conf_t *mcf,
    ngx_http_gatekeep_loc_conf_t *lcf, ngx_http_gatekeep_ctx_t *ctx)
{
	crypto_auth_hmacsha256_state st;
	ngx_http_gatekeep_seen_t *seen;
	u_char mac[crypto_auth_hmacsha256_BYTES];
	const char *why;
	char want[GK_ZH_MAC_B64 + 1];
	ngx_table_elt_t **cookies;
	ngx_str_t *h, token, ticket;
	u_char *dot;
	size_t plen;
	int same;

	if (!mcf->key_set)
		return "no gatekeep_ticket_key";
	if (r != r->main)
		return "a subrequest";
	if ((why = ngx_http_gatekeep_plain(r)) != NULL)
		return why;
	/* HTTP/2's cookie headers reach here as one; two in HTTP/1 are left to gatekeep-authz */
	if (r->headers_in.cookies.nelts != 1)
		return "not exactly one Cookie header";
	cookies = r->headers_in.cookies.elts;
	h = &cookies[0]->value;
	/* gatekeep-authz refuses a header with a control byte anywhere (lib/request.c); nginx
	 * passes all but NUL, CR and LF: so does the zero hop */
	if (h->len > GK_COOKIE_HEADER_MAX || !ngx_http_gatekeep_header_bytes(h))
		return "a control byte in, or an oversized, Cookie header";
	if (!cookie_pair(h, &lcf->cookie, &lcf->ticket, &token, &ticket))
		return "not exactly one plain session cookie and one ticket";
	if (token.len > GK_ZH_TOKEN_MAX || ticket.len > GK_ZH_TICKET_MAX)
		return "cookie too long";
	/* "payload.mac": the payload is base64url (no dot), the mac 43 characters */
	dot = ngx_strlchr(ticket.data, ticket.data + ticket.len, '.');
	if (dot == NULL)
		return "ticket: not payload.mac";
	plen = (size_t)(dot - ticket.data);
	if (!b64url_only(ticket.data, plen) || ticket.len - plen - 1 != GK_ZH_MAC_B64)
		return "ticket: not payload.mac";
	seen = &ngx_http_gatekeep_seen[ngx_hash_key(dot + 1, GK_ZH_MAC_B64) % GK_ZH_CACHE_SLOTS];
	if (seen_before(seen, mcf->key_gen, &token, ticket.data, plen, dot + 1))
		return seen_claims(r, seen, ctx);
	/* mac = HMAC-SHA256(K_t, token "." payload), compared as its one canonical spelling */
	st = mcf->mac_keyed;
	crypto_auth_hmacsha256_update(&st, token.data, token.len);
	crypto_auth_hmacsha256_update(&st, (const u_char *)".", 1);
	crypto_auth_hmacsha256_update(&st, ticket.data, plen);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_memzero(&st, sizeof(st));
	sodium_bin2base64(want, sizeof(want), mac, sizeof(mac), GK_ZH_B64);
	same = sodium_memcmp(want, dot + 1, GK_ZH_MAC_B64);
	sodium_memzero(mac, sizeof(mac));
	if (same != 0) {
		ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
		    "gatekeep: ticket MAC does not verify: asking gatekeep-authz");
		return "ticket: bad mac";
	}
	/* from here on, the payload is byte for byte one gatekeep-authz wrote */
	why = ticket_claims(r, ticket.data, plen, ctx);
	if (why == NULL)
		seen_keep(seen, mcf->key_gen, &token, ticket.data, plen, dot + 1, ctx);
	return why;
}

/*
 * The rewrite-phase handler of a location with gatekeep_zero_hop: a vouched
 * request goes on here; any other is handed, as the client sent it, to the
 * named location (which clears every module's context, so the identity
 * variables are empty there).
 */
static ngx_int_t
ngx_http_gatekeep_handler(ngx_http_request_t *r)
{
	ngx_http_gatekeep_loc_conf_t *lcf;
	ngx_http_gatekeep_ctx_t *ctx;
	const char *why;

	lcf = ngx_http_get_module_loc_conf(r, ngx_http_gatekeep_module);
	if (lcf->checked.len == 0 || ngx_http_get_module_ctx(r, ngx_http_gatekeep_module) != NULL)
		return NGX_DECLINED;
	ctx = ngx_pcalloc(r->pool, sizeof(*ctx));
	if (ctx == NULL)
		return NGX_HTTP_INTERNAL_SERVER_ERROR;
	why = vouch(r, ngx_http_get_module_main_conf(r, ngx_http_gatekeep_module), lcf, ctx);
	if (why == NULL) {
		ngx_http_set_ctx(r, ctx, ngx_http_gatekeep_module);
		return NGX_DECLINED;
	}
	ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
	    "gatekeep zero hop: %s: to gatekeep-authz", why);
	(void)ngx_http_named_location(r, &lcf->checked);
	ngx_http_finalize_request(r, NGX_DONE);
	return NGX_DONE;
}

/* ---- variables and configuration ------------------------------------------------------- */

static ngx_int_t
ngx_http_gatekeep_variable(ngx_http_request_t *r, ngx_http_variable_value_t *v, uintptr_t data)
{
	ngx_http_gatekeep_ctx_t *ctx = ngx_http_get_module_ctx(r, ngx_http_gatekeep_module);
	ngx_str_t *s;

	if (ctx == NULL) {
		v->not_found = 1;
		return NGX_OK;
	}
	s = (ngx_str_t *)((u_char *)ctx + data);
	v->data = s->data;
	v->len = s->len;
	v->valid = 1;
	v->no_cacheable = 1;
	v->not_found = 0;
	return NGX_OK;
}

static ngx_int_t
ngx_http_gatekeep_add_variables(ngx_conf_t *cf)
{
	static ngx_str_t names[] = {
		ngx_string("gatekeep_user"), ngx_string("gatekeep_groups"), ngx_string("gatekeep_email")
	};
	static const uintptr_t offsets[] = {
		offsetof(ngx_http_gatekeep_ctx_t, user), offsetof(ngx_http_gatekeep_ctx_t, groups),
		offsetof(ngx_http_gatekeep_ctx_t, email)
	};
	ngx_http_variable_t *var;
	ngx_uint_t i;

	for (i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
		var = ngx_http_add_variable(cf, &names[i], NGX_HTTP_VAR_NOCACHEABLE);
		if (var == NULL)
			return NGX_ERROR;
		var->get_handler = ngx_http_gatekeep_variable;
		var->data = offsets[i];
	}
	return NGX_OK;
}

static ngx_int_t
ngx_http_gatekeep_init(ngx_conf_t *cf)
{
	ngx_http_gatekeep_main_conf_t *mcf;
	ngx_http_core_main_conf_t *cmcf;
	ngx_http_handler_pt *h;

	if (sodium_init() < 0) {
		ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "gatekeep: libsodium does not start");
		return NGX_ERROR;
	}
	mcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_gatekeep_module);
	if (!mcf->used)
		return NGX_OK;
	/* fail closed at start: a zero hop without its key would only ever ask gatekeep-authz,
	 * which hides a configuration mistake; say it instead */
	if (!mcf->key_set) {
		ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
		    "gatekeep_zero_hop needs gatekeep_ticket_key (gatekeep-passwd --zero-hop-key=FILE "
		    "--nginx-module writes it)");
		return NGX_ERROR;
	}
	cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);
	h = ngx_array_push(&cmcf->phases[NGX_HTTP_REWRITE_PHASE].handlers);
	if (h == NULL)
		return NGX_ERROR;
	*h = ngx_http_gatekeep_handler;
	return NGX_OK;
}

static void *
ngx_http_gatekeep_create_main_conf(ngx_conf_t *cf)
{
	return ngx_pcalloc(cf->pool, sizeof(ngx_http_gatekeep_main_conf_t));
}

static void *
ngx_http_gatekeep_create_loc_conf(ngx_conf_t *cf)
{
	return ngx_pcalloc(cf->pool, sizeof(ngx_http_gatekeep_loc_conf_t));
}

static char *
ngx_http_gatekeep_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
	ngx_http_gatekeep_loc_conf_t *prev = parent, *conf = child;
	static ngx_str_t deflt = ngx_string("gatekeep_session");
	size_t n;

	if (conf->cookie.len == 0)
		conf->cookie = prev->cookie.len ? prev->cookie : deflt;
	n = conf->cookie.len + sizeof(GK_ZH_SUFFIX) - 1;
	conf->ticket.data = ngx_pnalloc(cf->pool, n);
	if (conf->ticket.data == NULL)
		return NGX_CONF_ERROR;
	ngx_memcpy(ngx_cpymem(conf->ticket.data, conf->cookie.data, conf->cookie.len), GK_ZH_SUFFIX,
	    sizeof(GK_ZH_SUFFIX) - 1);
	conf->ticket.len = n;
	/* gatekeep_zero_hop is inherited, as auth_request is: a location nested in a checked
	 * one (and an if block) checks too, else it served anyone; a named location is
	 * server-level, where the directive cannot be, so it never checks again */
	if (conf->checked.len == 0)
		conf->checked = prev->checked;
	return NGX_CONF_OK;
}

/* the keyed state goes with its configuration (a reload, nginx's exit): wiped, not just freed */
static void
ngx_http_gatekeep_key_wipe(void *data)
{
	sodium_memzero(data, sizeof(crypto_auth_hmacsha256_state));
}

static char *
ngx_http_gatekeep_key(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
	static ngx_uint_t keys_read;
	ngx_http_gatekeep_main_conf_t *mcf = conf;
	ngx_str_t *arg = cf->args->elts;
	ngx_pool_cleanup_t *cln;
	u_char key[crypto_auth_hmacsha256_KEYBYTES];
	size_t klen = 0;
	const char *end = NULL;
	int rc;

	(void)cmd;
	if (mcf->key_set)
		return "is duplicate";
	rc = sodium_hex2bin(key, sizeof(key), (const char *)arg[1].data, arg[1].len, NULL, &klen,
	    &end);
	/* the key's text stays in nginx's memory no longer than needed */
	sodium_memzero(arg[1].data, arg[1].len);
	if (rc != 0 || klen != sizeof(key) || end != (const char *)arg[1].data + arg[1].len) {
		sodium_memzero(key, sizeof(key));
		return "needs 64 hex digits (gatekeep-passwd --zero-hop-key=FILE --nginx-module)";
	}
	cln = ngx_pool_cleanup_add(cf->pool, 0);
	if (cln == NULL) {
		sodium_memzero(key, sizeof(key));
		return NGX_CONF_ERROR;
	}
	crypto_auth_hmacsha256_init(&mcf->mac_keyed, key, sizeof(key));
	sodium_memzero(key, sizeof(key));
	cln->handler = ngx_http_gatekeep_key_wipe;
	cln->data = &mcf->mac_keyed;
	mcf->key_gen = ++keys_read;
	mcf->key_set = 1;
	return NGX_CONF_OK;
}

static char *
ngx_http_gatekeep_zero_hop(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
	ngx_http_gatekeep_loc_conf_t *lcf = conf;
	ngx_http_gatekeep_main_conf_t *mcf;
	ngx_str_t *arg = cf->args->elts;

	(void)cmd;
	if (lcf->checked.len)
		return "is duplicate";
	if (arg[1].len < 2 || arg[1].data[0] != '@')
		return "needs a named location (@name) for the requests it cannot vouch for";
	lcf->checked = arg[1];
	mcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_gatekeep_module);
	mcf->used = 1;
	return NGX_CONF_OK;
}

static char *
ngx_http_gatekeep_cookie_name(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
	ngx_http_gatekeep_loc_conf_t *lcf = conf;
	ngx_str_t *arg = cf->args->elts;
	size_t i;

	(void)cf;
	(void)cmd;
	if (lcf->cookie.len)
		return "is duplicate";
	if (arg[1].len == 0 || arg[1].len > 200)
		return "needs a cookie name (cookie_name in gatekeep.conf)";
	for (i = 0; i < arg[1].len; i++)        /* an RFC 9110 token, as gatekeep.conf's */
		if (arg[1].data[i] <= 0x20 || arg[1].data[i] >= 0x7f ||
		    ngx_strchr("()<>@,;:\\\"/[]?={}", arg[1].data[i]) != NULL)
			return "needs a cookie name (cookie_name in gatekeep.conf)";
	lcf->cookie = arg[1];
	return NGX_CONF_OK;
}
