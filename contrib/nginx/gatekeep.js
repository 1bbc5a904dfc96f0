// contrib/nginx/gatekeep.js: the zero-hop session check for nginx's njs module
// (libnginx-mod-http-js >= 0.7.9): a request whose gatekeep session cookie carries a
// valid zero-hop ticket is passed inside nginx, without asking gatekeep-authz.
// Everything else (no cookie, any doubt, an expired ticket) goes to gatekeep-authz,
// which decides as always and hands out a fresh ticket (lib/ticket.h,
// zero_hop_ticket_ttl in gatekeep.conf(5)). This check may only ever be stricter
// than gatekeep-authz's; when in doubt it answers "ask gatekeep".
//
// What it trusts: gatekeep-authz issues a ticket only for a session token it has just
// verified in full (signature, iss, exp, generation, user enabled, permission rw), with
// an exp no later than the token's, and the ticket's MAC covers that exact token string.
// So a ticket whose MAC verifies under the zero-hop key vouches for the token beside it
// until the ticket's exp; njs needs neither the session secret nor the token's claims.
// The key is $gatekeep_ticket_key (64 hex digits, K_t of lib/ticket.h), set by the
// include that `gatekeep-passwd --zero-hop-key` writes (nginx's master reads it as root).
// Used by contrib/nginx/gatekeep-zerohop.conf (route: js_content, no subrequest for a
// request it passes; check: js_set, for an auth_request location); see docs/event-core.md.
import crypto from 'crypto';

const TOKEN_MAX = 4096;          // GK_TOKEN_MAX
const TICKET_MAX = 1024;         // GK_TICKET_MAX
const MAC_B64 = 43;              // base64url of an HMAC-SHA256, unpadded

// The one value each of cookies `a` and `b` (b begins with a): [va, vb], each null when
// absent, repeated or quoted (gatekeep-authz refuses a repeated name too; a quoted value
// is simply left to it). Names and values lose their spaces and tabs at both ends, as
// lib/cookie.c does. The usual header (each name once, "; "-separated, no spaces around
// the values) takes three indexOf and two slices; any other goes the slow way, one pass
// over every pair, which gives the same answer for the usual header too.
function cookieValues(header, a, b) {
	if (typeof header !== 'string' || header.length > COOKIE_HEADER_MAX)
		return NONE;
	var i = header.indexOf(a), j = header.indexOf(a, i + 1);
	if (i >= 0 && j > i && header.indexOf(a, j + 1) < 0 && pairStart(header, i) &&
	    pairStart(header, j)) {
		// the two occurrences of `a`: one is a's pair, the other b's
		var ia = header.charCodeAt(i + a.length) === 61 ? i : j;
		var ib = ia === i ? j : i;
		if (header.charCodeAt(ia + a.length) === 61 && header.startsWith(b + '=', ib)) {
			var va = valueAt(header, ia + a.length + 1), vb = valueAt(header, ib + b.length + 1);
			if (va !== null && vb !== null)
				return [va, vb];
		}
	}
	return cookieValuesSlow(header, a, b);
}

const NONE = [null, null];

// A name at i begins a pair: nothing but the header's start or ";" and at most one space before.
function pairStart(h, i) {
	var c = i > 0 ? h.charCodeAt(i - 1) : 59;
	if (c === 32 && i > 1)
		c = h.charCodeAt(i - 2);
	else if (c === 32)
		c = 59;
	return c === 59;
}

// The value from `from` to the next ";", when it neither begins nor ends with a space or
// a tab and is not empty (else null: the slow way decides).
function valueAt(h, from) {
	var end = h.indexOf(';', from);
	if (end < 0)
		end = h.length;
	if (end <= from)
		return null;
	var c0 = h.charCodeAt(from), c1 = h.charCodeAt(end - 1);
	return c0 === 32 || c0 === 9 || c1 === 32 || c1 === 9 ? null : h.slice(from, end);
}

function cookieValuesSlow(header, a, b) {
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

// The ticket's MAC (43 base64url characters) equals `want` (32 bytes), compared in time
// independent of where they differ (njs 0.7.9 has no timingSafeEqual). One spelling
// only: njs's decoder stops at the first character outside the alphabet (the length
// check catches it), and the last character must leave its two spare bits zero.
function sameMac(want, mac) {
	if (CANONICAL_LAST.indexOf(mac.charAt(MAC_B64 - 1)) < 0)
		return false;
	var got = Buffer.from(mac, 'base64url');
	if (got.length !== 32)
		return false;
	var d = 0;
	for (var i = 0; i < 32; i++)
		d |= want[i] ^ got[i];
	return d === 0;
}

const CANONICAL_LAST = 'AEIMQUYcgkosw048';

// s is a string of at least min printable ASCII characters.
function printable(s, min) {
	if (typeof s !== 'string' || s.length < min)
		return false;
	for (var i = 0; i < s.length; i++) {
		var c = s.charCodeAt(i);
		if (c < 0x20 || c > 0x7e)
			return false;
	}
	return true;
}

// The request target's path is one gatekeep-authz reads one way and never refuses for
// everyone: visible ASCII without '\\', its escapes visible ASCII too and none of
// '%' '/' '\\' '.', no "..;" segment (Tomcat's reading drops the ";params": ".." above
// the root), at most PATH_MAX bytes (the query: plainQuery). Else it may be one
// lib/pathread.c refuses whoever asks (an encoded control character, overlong UTF-8 such
// as %c0%af, either twice encoded, "..%2f.." above the root, too long): ask gatekeep-authz.
function plainPath(u) {
	if (typeof u !== 'string' || u.charCodeAt(0) !== 47)
		return false;
	for (var i = 1; i < u.length; i++) {
		var c = u.charCodeAt(i);
		if (c === 63)                   // '?'
			return i <= PATH_MAX && plainQuery(u, i + 1);
		if (c === 35)                   // '#'
			return i <= PATH_MAX;
		if (c === 59 && u.slice(i - 3, i) === '/..')
			return false;
		if (c === 37) {
			c = hexDigit(u.charCodeAt(i + 1)) * 16 + hexDigit(u.charCodeAt(i + 2));
			if (c === 37 || c === 47 || c === 46)
				return false;
			i += 2;
		}
		if (c < 0x20 || c > 0x7e || c === 92)
			return false;
	}
	return u.length <= PATH_MAX;
}

// The query from u[i] has no "_method" parameter, which gatekeep-authz reads as a method
// and refuses when it is no token (lib/method.c: the name in any case and encoding, '&' and
// ';' separating): a name with an escape is taken for one. With rules out of the picture
// a readable one changes nothing, but telling the two apart is gatekeep-authz's job.
function plainQuery(u, i) {
	var end = u.indexOf('#', i);
	var q = u.slice(i, end < 0 ? u.length : end).toLowerCase();
	if (q.indexOf('method') < 0 && q.indexOf('%') < 0)
		return true;
	var parts = q.split(/[&;]/);
	for (var k = 0; k < parts.length; k++) {
		var eq = parts[k].indexOf('=');
		var n = eq < 0 ? parts[k] : parts[k].slice(0, eq);
		if (n === '_method' || n.indexOf('%') >= 0)
			return false;
	}
	return true;
}

// The request's header lines are ones gatekeep-authz reads one way and never refuses for
// everyone: one Cookie line (nginx 1.22 hands it each line as its own HTTP_COOKIE, which
// lib/request.c refuses as a repeated header, where njs's headersIn joins them), no method
// override header (lib/method.c refuses one that is no token, and its readings are not
// njs's to judge), no line whose name and value pass GK_HEADER_MAX (its bound on each
// parameter) but the Cookie line, up to GK_COOKIE_HEADER_MAX as there, and not more lines
// than its FastCGI parameter bound (GK_AUTHZ_PARAMS_MAX, with nginx's own parameters) can
// hold; and all of them, with the rest of the FastCGI record (`bytes`: FCGI_OWN, the target,
// $host twice; Content-Type's and Authorization's values again here), within the one
// record nginx can build (FCGI_RECORD_MAX; beyond it the auth_request fails). njs's header
// strings count bytes.
function plainHeaders(r, bytes) {
	var raw = r.rawHeadersIn;
	if (!Array.isArray(raw) || raw.length > HEADERS_MAX)
		return false;
	var cookies = 0;
	for (var i = 0; i < raw.length; i++) {
		var n = raw[i][0], len = n.length, vlen = raw[i][1].length;
		var cookie = len === 6 && n.toLowerCase() === 'cookie';
		if (len + vlen > (cookie ? COOKIE_HEADER_MAX : HEADER_MAX))
			return false;
		// "HTTP_" + name and the value, each with its length (fcgiParam, inline: calls cost njs)
		bytes += (len > 122 ? 9 : 6) + (vlen > 127 ? 4 : 1) + len + vlen;
		if (cookie) {
			if (++cookies > 1)
				return false;
		} else if (len === 12 || len === 13 || len === 17 || len === 22) {
			var lower = n.toLowerCase();
			if (lower === 'content-type' || lower === 'authorization')
				bytes += vlen;  // again: as CONTENT_TYPE, as REMOTE_USER (Basic's user name)
			// an override's name as its FastCGI variable reads it ('_' is '-' there, for
			// nginx with underscores_in_headers on)
			else if (len !== 12 && OVERRIDES.indexOf(lower.split('_').join('-')) >= 0)
				return false;
		}
	}
	return bytes <= FCGI_RECORD_MAX;
}

// What one FastCGI parameter of an n-byte name and a v-byte value costs in nginx's record.
function fcgiParam(n, v) {
	return (n > 127 ? 4 : 1) + (v > 127 ? 4 : 1) + n + v;
}

// Whether gatekeep-authz refuses HTTP_HOST `field` (undefined: no Host field) beside
// GATEKEEP_HOST `served`: lib/frontend.c's gk_frontend_host (host-mismatch: the field's
// host part, without ":port" or one final dot, is not served, letters in any case), then
// gk_frontend_host_name_ok on the host it settles on (bad-host), as
// ngx_http_gatekeep_plain.c's host_refused (tests/t_ngxmod_diff compares that one with
// lib's, tests/fix11_njshost.sh this one). Stricter in one place: a byte outside visible
// ASCII in either (lib refuses control bytes and whitespace; toLowerCase is no
// strncasecmp past ASCII). usualHost answers first for the usual Host, at a fraction of
// the cost.
function hostRefused(field, served) {
	if (!visible(served) || field !== undefined && !visible(field))
		return true;
	if (served.length === 0)
		return field !== undefined && !hostNameOk(field);
	if (field === undefined)
		return !hostNameOk(served);
	var n = field.indexOf(field.charCodeAt(0) === 91 ? ']' : ':');
	if (n < 0)
		n = field.length;
	else if (field.charCodeAt(0) === 91)
		n++;
	if (n > 1 && field.charCodeAt(n - 1) === 46)
		n--;
	return n !== served.length ||
	    (n === field.length ? field : field.slice(0, n)).toLowerCase() !== served.toLowerCase() ||
	    !hostNameOk(field);
}

// The usual Host, which lib takes whichever of the two is HTTP_HOST (so hostRefused says
// no twice), in one regular expression and a compare where hostRefused's loops cost njs
// ~8 us a request: $host a name of lower-case letters, digits and '-', no empty label, and
// the field that name, or it and ":" and 1 to 5 digits.
function usualHost(field, served) {
	var n = served.length;
	if (field !== served && (field === undefined || field.length < n + 2 ||
	    field.length > n + 6 || field.charCodeAt(n) !== 58 || !field.startsWith(served)))
		return false;
	for (var i = n + 1; i < field.length; i++) {
		var c = field.charCodeAt(i);
		if (c < 48 || c > 57)
			return false;
	}
	return USUAL_HOST.test(served);
}

const USUAL_HOST = /^[a-z0-9-]+(\.[a-z0-9-]+)*$/;

// s is visible ASCII only (no space, control byte or byte over 0x7e)
function visible(s) {
	return printable(s, 0) && s.indexOf(' ') < 0;
}

// lib/frontend.c's gk_frontend_host_name_ok: a name with no empty label (one final dot is
// fine) or "[v6]", then nothing or ':' and 1 to 5 digits; "" is fine.
function hostNameOk(h) {
	var n, c, len = h.length;
	if (len === 0)
		return true;
	if (h.charCodeAt(0) === 91) {
		n = h.indexOf(']');
		if (n < 2)
			return false;
		n++;
	} else {
		for (n = 0; n < len; n++) {
			c = h.charCodeAt(n);
			if (c === 58 || c === 91 || c === 93)         // ':' '[' ']'
				break;
			if (c === 46 && (n === 0 || h.charCodeAt(n - 1) === 46))
				return false;                           // a leading '.' or ".."
		}
		if (n === 0)
			return false;
	}
	if (n === len)
		return true;
	if (h.charCodeAt(n) !== 58 || len - n - 1 < 1 || len - n - 1 > 5)
		return false;
	for (n++; n < len; n++) {
		c = h.charCodeAt(n);
		if (c < 48 || c > 57)
			return false;
	}
	return true;
}

const HEADERS_MAX = 256;         // well under GK_AUTHZ_PARAMS_MAX (512) with nginx's params
// the FastCGI record and nginx's own parameters in it: the arithmetic is in
// contrib/nginx/gatekeep-module/ngx_http_gatekeep_plain.c (GK_ZH_FCGI_OWN)
const FCGI_RECORD_MAX = 65535;
const FCGI_OWN = 4096;
const HEADER_MAX = 8192;         // GK_HEADER_MAX
const COOKIE_HEADER_MAX = 131072;        // GK_COOKIE_HEADER_MAX (lib/cookie.h)
const PATH_MAX = 4096;           // GK_PATH_MAX
const METHOD_MAX = 32;           // GK_METHOD_LEN_MAX
const OVERRIDES = ['x-http-method-override', 'x-http-method', 'x-method-override'];

// 0..15, or -256 for a character that is no hex digit (NaN past the end: the same)
function hexDigit(c) {
	return c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 :
	    c >= 97 && c <= 102 ? c - 87 : -256;
}

// "1" when the request may pass without gatekeep-authz, "" otherwise. Sets
// $gk_zh_user, $gk_zh_groups and $gk_zh_email (js_var) from the ticket, which
// gatekeep-authz signed with the user's current record.
function check(r) {
	try {
		var v = r.variables;
		var hex = v.gatekeep_ticket_key;
		if (typeof hex !== 'string' || hex.length !== 64)
			return '';
		var name = v.gatekeep_cookie || 'gatekeep_session';
		var h = r.headersIn.Cookie;
		// gatekeep-authz refuses a header with a control byte anywhere (lib/request.c;
		// nginx passes all but NUL, CR and LF): so does the zero hop; and a
		// method or a target over its bounds (lib/method.c, lib/pathnorm.c)
		var raw = r.rawVariables.request_uri;
		if (typeof h !== 'string' || /[\x00-\x1f\x7f]/.test(h) || !plainPath(v.request_uri) ||
		    !raw || raw.length > HEADER_MAX || r.method.length > METHOD_MAX)
			return '';
		// the Host: HTTP_HOST is the client's field (nginx's own fastcgi_params) or $host
		// (Debian's), GATEKEEP_HOST $host (contrib/nginx): either way gatekeep-authz must take it
		var served = v.host, hin = r.headersIn;
		var field = hin.Host;
		if (typeof served !== 'string' || !usualHost(field, served) &&
		    (hostRefused(field, served) || field !== served && hostRefused(served, served)))
			return '';
		// nginx's own parameters whose values the client sets: HTTP_HOST and GATEKEEP_HOST
		// ($host), CONTENT_TYPE and REMOTE_USER (plainHeaders counts those two)
		if (!plainHeaders(r, FCGI_OWN + fcgiParam(11, raw.length) + 2 * served.length))
			return '';
		var both = cookieValues(h, name, name + '_ticket');
		var token = both[0];
		var ticket = both[1];
		if (token === null || ticket === null || token.length === 0 ||
		    token.length > TOKEN_MAX || ticket.length > TICKET_MAX)
			return '';
		// "payload.mac": the payload has no dot (so "token.payload" splits one way only)
		var dot = ticket.indexOf('.');
		if (dot <= 0 || ticket.length - dot - 1 !== MAC_B64)
			return '';
		var payload = ticket.slice(0, dot);
		var key = Buffer.from(hex, 'hex');
		if (key.length !== 32)
			return '';
		// the MAC of lib/ticket.c (a Buffer: comparing bytes costs njs far less than
		// comparing characters)
		if (!sameMac(crypto.createHmac('sha256', key).update(token).update('.').update(payload)
		    .digest(), ticket.slice(dot + 1)))
			return '';
		// from here on, the payload is byte for byte one gatekeep-authz wrote
		var t = JSON.parse(Buffer.from(payload, 'base64url').toString());
		if (t === null || typeof t !== 'object' || typeof t.exp !== 'number' ||
		    !(Date.now() < t.exp * 1000))
			return '';
		// they become request headers for the app: printable text only (a loop: a
		// regular expression costs njs a match block per test)
		if (!printable(t.sub, 1) || (t.grp !== undefined && !printable(t.grp, 0)) ||
		    (t.email !== undefined && !printable(t.email, 0)))
			return '';
		v.gk_zh_user = t.sub;
		v.gk_zh_groups = t.grp || '';
		v.gk_zh_email = t.email || '';
		return '1';
	} catch (e) {
		// a bug, never the client's doing (the MAC came first): say so
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
