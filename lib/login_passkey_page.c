/* login_passkey_page.c: the passkey pages: HTML (every value escaped) and the one inline script of the WebAuthn ceremony, allowed by its CSP hash. */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "creds.h"
#include "login_html.h"
#include "login_passkey.h"

/*
 * The ceremony. Fixed text (its SHA-256 goes into the Content-Security-Policy,
 * computed from this very string, so the two cannot drift apart); everything that
 * varies comes from the form's data- attributes. It fills the form's hidden fields
 * with the authenticator's answer (base64url) and submits the form: no fetch, no JSON.
 */
static const char ceremony_js[] =
    "(function(){\"use strict\";"
    "var f=document.getElementById(\"gk-pk\"),d=f.dataset,m=document.getElementById(\"gk-pk-msg\");"
    "function bin(s){var r=atob(s.replace(/-/g,\"+\").replace(/_/g,\"/\")),a=new Uint8Array(r.length);"
    "for(var i=0;i<r.length;i++)a[i]=r.charCodeAt(i);return a;}"
    "function b64u(x){var a=new Uint8Array(x),s=\"\";for(var i=0;i<a.length;i++)s+=String.fromCharCode(a[i]);"
    "return btoa(s).replace(/\\+/g,\"-\").replace(/\\//g,\"_\").replace(/=+$/,\"\");}"
    "function ids(l){return l?l.split(\",\").map(function(i){return{type:\"public-key\",id:bin(i)};}):[];}"
    "function put(n,v){f.elements[n].value=v;}"
    "function go(){var p={challenge:bin(d.challenge),timeout:120000,userVerification:d.uv},c;"
    "if(d.mode===\"create\"){p.rp={id:d.rp,name:d.rpname};"
    "p.user={id:bin(d.userid),name:d.user,displayName:d.user};"
    "p.pubKeyCredParams=[{type:\"public-key\",alg:-7},{type:\"public-key\",alg:-8}];"
    "p.attestation=\"none\";p.excludeCredentials=ids(d.allow);"
    "p.authenticatorSelection={residentKey:\"required\",requireResidentKey:true,userVerification:d.uv};"
    "c=navigator.credentials.create({publicKey:p});}"
    "else{p.rpId=d.rp;p.allowCredentials=ids(d.allow);c=navigator.credentials.get({publicKey:p});}"
    "c.then(function(r){var a=r.response;put(\"id\",b64u(r.rawId));put(\"client_data\",b64u(a.clientDataJSON));"
    "if(a.attestationObject)put(\"attestation\",b64u(a.attestationObject));"
    "else{put(\"authenticator_data\",b64u(a.authenticatorData));put(\"signature\",b64u(a.signature));"
    "put(\"user_handle\",a.userHandle?b64u(a.userHandle):\"\");}f.submit();})"
    ".catch(function(e){m.textContent=\"The passkey was not used (\"+e.name+\"). You can try again.\";});}"
    "document.getElementById(\"gk-pk-go\").addEventListener(\"click\",go);"
    "if(d.auto===\"1\")go();})();";

/* "'sha256-...'" of the ceremony, for script-src. */
static void
script_hash(char *out, size_t outsz)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char b64[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES, sodium_base64_VARIANT_ORIGINAL)];

	crypto_hash_sha256(h, (const unsigned char *)ceremony_js, strlen(ceremony_js));
	sodium_bin2base64(b64, sizeof(b64), h, sizeof(h), sodium_base64_VARIANT_ORIGINAL);
	snprintf(out, outsz, "'sha256-%s'", b64);
}

static void
attr(struct login_buf *b, const char *name, const char *value)
{
	login_buf_printf(b, " %s=\"", name);
	login_buf_html(b, value != NULL ? value : "");
	login_buf_puts(b, "\"");
}

static void
hidden(struct login_buf *b, const char *name, const char *value)
{
	login_buf_puts(b, "<input type=\"hidden\"");
	attr(b, "name", name);
	attr(b, "value", value);
	login_buf_puts(b, ">\n");
}

static void
ceremony_form(struct rq *q, const struct passkey_page *p, struct login_buf *b)
{
	struct gk_wa_rp rp;
	char rpid[256];
	static const char *const answer[] = { "id", "client_data", "attestation",
	    "authenticator_data", "signature", "user_handle" };
	size_t i;

	login_passkey_rp(q->ctx, &rp, rpid, sizeof(rpid));
	login_buf_puts(b, "<form method=\"post\" id=\"gk-pk\"");
	attr(b, "action", p->action);
	attr(b, "data-mode", p->mode);
	attr(b, "data-challenge", p->challenge);
	attr(b, "data-rp", rpid);
	attr(b, "data-rpname", q->ctx->cfg.realm);
	attr(b, "data-uv", rp.require_uv ? "required" : "preferred");
	attr(b, "data-allow", p->allow);
	attr(b, "data-auto", p->second ? "1" : "0");
	if (p->user_id != NULL) {
		attr(b, "data-userid", p->user_id);
		attr(b, "data-user", p->user);
	}
	login_buf_puts(b, ">\n");
	hidden(b, "csrf", p->csrf);
	hidden(b, "rd", p->rd);
	hidden(b, "challenge", p->challenge);
	if (p->second) {
		hidden(b, "mode", "2fa");
		hidden(b, "user", p->user);
	}
	if (strcmp(p->mode, "create") == 0) {
		hidden(b, "action", "add");
		hidden(b, "name", p->name);
	}
	for (i = 0; i < sizeof(answer) / sizeof(answer[0]); i++)
		hidden(b, answer[i], "");
	login_buf_printf(b, "<button type=\"button\" id=\"gk-pk-go\">%s</button>\n",
	    strcmp(p->mode, "create") == 0 ? "Create the passkey" : "Use a passkey");
	login_buf_puts(b, "</form>\n<p id=\"gk-pk-msg\" role=\"status\"></p>\n");
}

/* A form of the account page: a passkey's name (name_input), the current password, the button. */
static void
name_form(struct rq *q, const struct passkey_page *p, const char *heading, const char *action,
    const char *name_input, const char *button)
{
	struct login_buf *b = &q->r.body;

	login_buf_printf(b, "<h2>%s</h2>\n", heading);
	login_html_form(q, p->csrf, action);
	login_buf_puts(b, name_input);
	login_html_current_password(q, action);
	login_buf_puts(b, button);
	login_buf_puts(b, "</form>\n");
}

static void
account_forms(struct rq *q, const struct passkey_page *p, struct login_buf *b)
{
	size_t i, n = 0;

	login_buf_puts(b, "<h2>Your passkeys</h2>\n");
	for (i = 0; p->list != NULL && i < p->list->n; i++) {
		const struct gk_cred *c = &p->list->c[i];
		char when[32];
		time_t t;
		struct tm tm;

		if (c->kind != GK_CRED_PASSKEY)
			continue;
		if (n++ == 0)
			login_buf_puts(b, "<table id=\"gk-pk-list\"><tr><th>Name</th><th>Added</th>"
			    "<th>Last used</th></tr>\n");
		login_buf_puts(b, "<tr><td class=\"gk-pk-name\">");
		login_buf_html(b, c->name);
		t = (time_t)c->created;
		memset(&tm, 0, sizeof(tm));
		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d", &tm);
		login_buf_printf(b, "</td><td>%s</td><td>", when);
		if (c->last_used > 0) {
			t = (time_t)c->last_used;
			gmtime_r(&t, &tm);
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
			login_buf_puts(b, when);
		} else
			login_buf_puts(b, "never");
		login_buf_puts(b, "</td></tr>\n");
	}
	if (n == 0)
		login_buf_puts(b, "<p>You have no passkeys yet.</p>\n");
	else
		login_buf_puts(b, "</table>\n");
	/* Add and remove ask for the password again: a fresh re-authentication. */
	name_form(q, p, "Add a passkey", "begin", "<label for=\"gk-pk-newname\">Name</label>\n"
	    "<input type=\"text\" id=\"gk-pk-newname\" name=\"name\" maxlength=\"64\" "
	    "pattern=\"[A-Za-z0-9._@+-]+\" required>\n", "<button type=\"submit\" id=\"gk-pk-begin\">Continue</button>\n");
	if (n > 0)
		name_form(q, p, "Remove a passkey", "remove", "<label for=\"gk-pk-rmname\">Name</label>\n"
		    "<input type=\"text\" id=\"gk-pk-rmname\" name=\"name\" maxlength=\"64\" required>\n",
		    "<button type=\"submit\">Remove</button>\n");
}

void
login_passkey_page(struct rq *q, int status, const struct passkey_page *p)
{
	struct login_buf *b = &q->r.body;

	login_html_start(q, status, p->title, p->message, p->error);
	if (p->mode != NULL)
		ceremony_form(q, p, b);
	if (p->account)
		account_forms(q, p, b);
	if (!p->account) {
		login_buf_puts(b, "<p><a href=\"");
		login_buf_html(b, q->ctx->cfg.login_url);
		login_buf_puts(b, "\">Sign in with a password</a></p>\n");
	}
	if (p->mode != NULL) {
		login_buf_puts(b, "<script>");
		login_buf_puts(b, ceremony_js);
		login_buf_puts(b, "</script>\n");
		script_hash(q->r.script_src, sizeof(q->r.script_src));
	}
	login_html_end(q);
}
