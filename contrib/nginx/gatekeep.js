// contrib/nginx/gatekeep.js: the zero-hop session check for nginx's njs module
// (libnginx-mod-http-js >= 0.7.9): a request whose gatekeep session cookie AND
// zero-hop ticket are valid is passed inside nginx, without asking gatekeep-authz.
// Everything else (no cookie, any doubt, an expired ticket) goes to gatekeep-authz,
// which decides as always and hands out a fresh ticket (lib/ticket.h,
// zero_hop_ticket_ttl in gatekeep.conf(5)). This check may only ever be stricter
// than gatekeep-authz's (lib/token.c); when in doubt it answers "ask gatekeep".
// Used by contrib/nginx/gatekeep-zerohop.conf (route: js_content, no subrequest for a
// request it passes; check: js_set, for an auth_request location); see docs/event-core.md.
import crypto from 'crypto';
import fs from 'fs';

// base64url of {"alg":"HS256","typ":"JWT"}: the only header gatekeep issues. An exact
// match leaves no room for alg=none, alg confusion, kid/jku or duplicate keys.
const HEADER = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9';
const TOKEN_RE = /^eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/;
const TICKET_RE = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/;
const TOKEN_MAX = 4096;          // GK_TOKEN_MAX
const TICKET_MAX = 1024;         // GK_TICKET_MAX
const SECRET_MIN = 32;           // GK_SECRET_MIN
const SECRET_MAX = 256;          // GK_SECRET_MAX
const LEEWAY = 60;               // lib/auth.c allows iat this far ahead; exp gets none here
const TICKET_LABEL = 'gatekeep zero-hop ticket v1';
const PRINTABLE_RE = /^[\x20-\x7e]*$/;
const USER_RE = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

function hmac(key, msg) {
	return crypto.createHmac('sha256', key).update(msg).digest();
}

// Both sides through one more HMAC under a key the client does not know: the string
// comparison's timing then says nothing about the expected MACs.
function sameMacs(key, want, got) {
	return hmac(key, want).toString('hex') === hmac(key, got).toString('hex');
}

// The key: the secret file's one line (lib/secret.h), read per request so that a
// rotation counts at once, as in gatekeep-authz. Anything odd: no key.
function secretKey(path) {
	var b = fs.readFileSync(path);
	var n = b.length;
	if (n > 0 && b[n - 1] === 10)
		n--;
	if (n < SECRET_MIN || n > SECRET_MAX)
		return null;
	for (var i = 0; i < n; i++) {
		if (b[i] < 0x20 || b[i] === 0x7f)
			return null;
	}
	return b.slice(0, n);
}

// The one value each of cookies `a` and `b`, in one pass over the header: [va, vb], each
// null when absent, repeated or quoted (gatekeep-authz refuses a repeated name too; a
// quoted value is simply left to it). Names and values lose their spaces and tabs at
// both ends, as lib/cookie.c does.
function cookieValues(header, a, b) {
	if (typeof header !== 'string' || header.length > 8192)
		return [null, null];
	var va = null, vb = null, na = 0, nb = 0;
	var parts = header.split(';');
	for (var i = 0; i < parts.length; i++) {
		var p = parts[i];
		var eq = p.indexOf('=');
		if (eq < 0 || eq < a.length && eq < b.length)
			continue;
		var n = trimOws(p.slice(0, eq));
		if (n === a) {
			na++;
			va = trimOws(p.slice(eq + 1));
		} else if (n === b) {
			nb++;
			vb = trimOws(p.slice(eq + 1));
		}
	}
	return [na === 1 ? va : null, nb === 1 ? vb : null];
}

// Spaces and tabs off both ends; the regular expression (slow on a long value in njs)
// only runs when there is something to take off.
function trimOws(s) {
	var c0 = s.charCodeAt(0), c1 = s.charCodeAt(s.length - 1);
	return c0 === 32 || c0 === 9 || c1 === 32 || c1 === 9 ? s.replace(/^[ \t]+|[ \t]+$/g, '') : s;
}

function json(seg) {
	var o = JSON.parse(Buffer.from(seg, 'base64url').toString());
	return o !== null && typeof o === 'object' && !Array.isArray(o) ? o : null;
}

function isTime(v) {
	return typeof v === 'number' && Number.isInteger(v) && v > 0 && v <= 253402300799;
}

// "1" when the request may pass without gatekeep-authz, "" otherwise. Sets
// $gk_zh_user, $gk_zh_groups and $gk_zh_email (js_var) from the ticket, which
// gatekeep-authz signed with the user's current record.
function check(r) {
	try {
		var v = r.variables;
		var name = v.gatekeep_cookie || 'gatekeep_session';
		var cookies = r.headersIn.Cookie;
		var both = cookieValues(cookies, name, name + '_ticket');
		var token = both[0];
		var ticket = both[1];
		if (token === null || ticket === null || token.length > TOKEN_MAX ||
		    ticket.length > TICKET_MAX)
			return '';
		var tm = TOKEN_RE.exec(token);
		var km = TICKET_RE.exec(ticket);
		if (tm === null || km === null)
			return '';
		var key = secretKey(v.gatekeep_secret_file || '/var/lib/gatekeep/secret');
		if (key === null)
			return '';
		// 1. the session token's HS256 signature over "header.payload" (current key only:
		//    a token of the previous key goes to gatekeep-authz, which knows the window),
		// 2. the ticket's MAC, bound to this very token, under the derived ticket key;
		//    both compared at once, in their canonical base64url spelling
		var kt = hmac(key, TICKET_LABEL);
		if (!sameMacs(kt, hmac(key, HEADER + '.' + tm[1]).toString('base64url') + '.' +
		    hmac(kt, token + '.' + km[1]).toString('base64url'), tm[2] + '.' + km[2]))
			return '';
		// 3. only now the claims
		var now = Math.floor(Date.now() / 1000);
		var c = json(tm[1]);
		var t = json(km[1]);
		if (c === null || t === null)
			return '';
		if (c.iss !== (v.gatekeep_issuer || 'gatekeep') || c.aud !== undefined)
			return '';
		if (!isTime(c.iat) || !isTime(c.exp) || c.exp <= c.iat || c.iat > now + LEEWAY ||
		    now >= c.exp)
			return '';
		if (c.nbf !== undefined && (!Number.isInteger(c.nbf) || c.nbf > now + LEEWAY))
			return '';
		if (typeof c.gen !== 'number' || !Number.isInteger(c.gen))
			return '';
		if (typeof c.sub !== 'string' || !USER_RE.test(c.sub) || t.sub !== c.sub)
			return '';
		if (!isTime(t.exp) || now >= t.exp)
			return '';
		// they become request headers for the app: printable text only
		if ((t.grp !== undefined && (typeof t.grp !== 'string' || !PRINTABLE_RE.test(t.grp))) ||
		    (t.email !== undefined && (typeof t.email !== 'string' || !PRINTABLE_RE.test(t.email))))
			return '';
		v.gk_zh_user = t.sub;
		v.gk_zh_groups = t.grp || '';
		v.gk_zh_email = t.email || '';
		return '1';
	} catch (e) {
		// a bug or an unreadable secret file, never the client's doing: say so
		r.error('gatekeep.js: ' + e);
		return '';
	}
}

// js_content of the protected location: no auth_request subrequest for a request njs
// can vouch for. It goes on in the named location @gatekeep_app (the identity in
// $gk_zh_user, $gk_zh_groups, $gk_zh_email); every other request in @gatekeep_checked,
// whose auth_request asks gatekeep-authz as always. The redirect keeps the request as
// the client sent it ($request_uri, headers, body).
function route(r) {
	r.internalRedirect(check(r) === '1' ? '@gatekeep_app' : '@gatekeep_checked');
}

export default { check, route, cookieValues };   // cookieValues: for tests/perf_cookie_diff.sh
