/* t_httpfast.c: the HTTP front's fast paths against byte-wise references: value bytes read eight at a time, name bytes four at a time and through a table, nginx's spellings compared before folding, an answer's lines copied in runs. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fcgiguard.h"
#include "httpconn.h"
#include "httpreq.h"
#include "tap.h"

static struct gk_httpreq hr;
static char env[64 * 1024], *vec[256];
static struct gk_fcgiguard_limits lim;

/* RFC 9110's field-value bytes (VCHAR, obs-text, SP, HTAB), the reference the word-wise read must agree with. */
static bool
vbyte(int c)
{
	return c == ' ' || c == '\t' || (c > 0x20 && c != 0x7f);
}

/*
 * Every byte at every place of a 24-byte value (so at each of a word's eight places, in a
 * first and a second word, and in the bytes after the last whole word): accepted exactly
 * when it is a value byte, and then the value is whole.
 */
static void
value_bytes(void)
{
	int c, p, wrong = 0;

	for (c = 0; c < 256; c++) {
		for (p = 1; p < 23; p++) {
			unsigned char head[128];
			size_t n = (size_t)snprintf((char *)head, sizeof(head), "GET / HTTP/1.1\r\nA: ");
			int rc;
			bool good;

			memset(head + n, 'v', 24);
			head[n + (size_t)p] = (unsigned char)c;
			memcpy(head + n + 24, "\r\nB: w\r\n\r\n", 10);
			rc = gk_httpreq_parse(head, n + 34, &hr);
			good = vbyte(c) ? rc == GK_OK && hr.nfields == 2 && hr.fields[0].vlen == 24 &&
			    memcmp(hr.fields[0].value, head + n, 24) == 0 : rc != GK_OK;
			if (!good && wrong++ < 5)
				diag("byte 0x%02x at %d: rc %d", c, p, rc);
		}
	}
	is_int(wrong, 0, "a value holds exactly the value bytes, at every place of a word (256 x 22 tried)");
}

/* Every byte in a long field name, at each of the four places of a step: exactly the tchars. */
static void
name_bytes(void)
{
	const char *tchar = "!#$%&'*+-.^_`|~";
	int c, p, wrong = 0;

	for (c = 0; c < 256; c++) {
		bool want = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || (c != 0 && strchr(tchar, c) != NULL);

		if (c == ':')
			continue;       /* ends the name: t_httpfront */
		for (p = 1; p < 11; p++) {
			unsigned char head[64];
			size_t n = (size_t)snprintf((char *)head, sizeof(head), "GET / HTTP/1.1\r\n");
			int rc;

			memcpy(head + n, "Abcdefghijkl: v\r\n\r\n", 19);
			head[n + (size_t)p] = (unsigned char)c;
			rc = gk_httpreq_parse(head, n + 19, &hr);
			if ((want ? rc == GK_OK && hr.fields[0].nlen == 12 : rc != GK_OK) == false &&
			    wrong++ < 5)
				diag("byte 0x%02x at %d: rc %d", c, p, rc);
		}
	}
	is_int(wrong, 0, "a long field name holds exactly the tchars, at every place of a step");
	/* the target's bytes: VCHAR only */
	wrong = 0;
	for (c = 0; c < 256; c++) {
		unsigned char head[64];
		size_t n = (size_t)snprintf((char *)head, sizeof(head), "GET /ab");
		int rc;

		head[n - 1] = (unsigned char)c;
		memcpy(head + n, " HTTP/1.1\r\n\r\n", 13);
		rc = gk_httpreq_parse(head, n + 13, &hr);
		if ((c > 0x20 && c < 0x7f ? rc == GK_OK && hr.tlen == 3 : rc != GK_OK) == false &&
		    wrong++ < 5)
			diag("target byte 0x%02x: rc %d", c, rc);
	}
	is_int(wrong, 0, "a target holds exactly the VCHARs (all 256 tried)");
}

/* The head nginx 1.22 sends for contrib's auth location (captured), its own fields first. */
static const char nginx_head[] = "GET /_gatekeep HTTP/1.1\r\nX-Gatekeep-Method: GET\r\n"
    "X-Gatekeep-Uri: /a\r\nX-Gatekeep-Addr: 192.0.2.7\r\nX-Gatekeep-Scheme: https\r\n"
    "X-Gatekeep-Server-Addr: 192.0.2.1\r\nX-Gatekeep-Host: app.example\r\nHost: gk\r\n";

/* The params of nginx's head with the client's field lines extra; *why says what refused it. */
static int
params(const char *extra, const char **why)
{
	static char head[2048];
	int n = snprintf(head, sizeof(head), "%s%s\r\n", nginx_head, extra);

	*why = "parse";
	return gk_httpreq_parse((const unsigned char *)head, (size_t)n, &hr) != GK_OK ? GK_EINVAL :
	    gk_httpconn_params(&hr, &lim, env, sizeof(env), vec, 256, (*why = NULL, why));
}

/* How many params are named name, the last one's value in *v. */
static int
count(const char *name, const char **v)
{
	size_t n = strlen(name), i;
	int k = 0;

	*v = NULL;
	for (i = 0; vec[i] != NULL; i++)
		if (strncmp(vec[i], name, n) == 0 && vec[i][n] == '=') {
			*v = vec[i] + n + 1;
			k++;
		}
	return k;
}

static void
cgi_names(void)
{
	const char *why, *v;
	char name[80], want[80], extra[200];
	int c, wrong = 0;

	/* every tchar through the name table: upper case, '-' as '_', the rest as it is */
	is_int(params("a!#$%&'*+-.^_`|~z09: v\r\n", &why), GK_OK, "a field of every tchar: params");
	is_int(count("HTTP_A!#$%&'*+_.^_`|~Z09", &v), 1, "... is %s", "HTTP_A!#$%&'*+_.^_`|~Z09");
	for (c = 'a'; c <= 'z'; c++) {
		snprintf(name, sizeof(name), "X-%c%c-Q", c, c - 'a' + 'A');
		snprintf(want, sizeof(want), "HTTP_X_%c%c_Q", c - 'a' + 'A', c - 'a' + 'A');
		snprintf(extra, sizeof(extra), "%s: v\r\n", name);
		if (params(extra, &why) != GK_OK || count(want, &v) != 1)
			wrong++;
	}
	is_int(wrong, 0, "every letter in either case is its upper case in an HTTP_ name");
	/* nginx's spelling, compared before any folding: still one each, never an HTTP_ param */
	is_int(params("", &why), GK_OK, "nginx's head: params");
	is_int(count("REQUEST_URI", &v), 1, "X-Gatekeep-Uri is REQUEST_URI");
	is_int(count("HTTP_X_GATEKEEP_URI", &v) + count("HTTP_X_GATEKEEP_SERVER_ADDR", &v) +
	    count("HTTP_X_GATEKEEP_METHOD", &v) + count("HTTP_X_GATEKEEP_HOST", &v), 0,
	    "no X-Gatekeep-* field is an HTTP_ param");
	is_int(count("HTTP_HOST", &v), 1, "one HTTP_HOST (X-Gatekeep-Host's, not Host)");
	is_int(params("X-Gatekeep-Uri: /b\r\n", &why), GK_EINVAL, "X-Gatekeep-Uri twice, spelled as nginx does");
	is_str(why, "duplicate-gatekeep-field", "... a duplicate");
	is_int(params("X-Gatekeep-Server_Addr: 1\r\n", &why), GK_EINVAL, "X-Gatekeep-Server_Addr");
	is_str(why, "underscore-gatekeep-field", "... refused for its underscore");
	/* fields of a mapped one's length and first byte that are not it: the client's */
	is_int(params("X-Gatekeep-Urj: 1\r\nx-gatekeep-server-adds: 2\r\n", &why), GK_OK,
	    "X-Gatekeep-Urj, x-gatekeep-server-adds: params");
	is_int(count("HTTP_X_GATEKEEP_URJ", &v) + count("HTTP_X_GATEKEEP_SERVER_ADDS", &v), 2,
	    "... both HTTP_ params");
}

/* The framing fields in any case, whatever field of their length comes before. */
static void
framing(void)
{
	static const char *const refused[] = {
		"Transfer-Encoding: chunked", "TRANSFER-ENCODING: chunked", "transfer-encoding: x",
		"Content-Length: 5", "CONTENT-LENGTH: 1", "content-length: 0\r\nContent-Length: 0",
	};
	char head[256];
	size_t i;
	int n;

	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		n = snprintf(head, sizeof(head), "GET / HTTP/1.1\r\nX-Gatekeep-Method: GET\r\n"
		    "User-Agent: x\r\n%s\r\n\r\n", refused[i]);
		is_int(gk_httpreq_parse((const unsigned char *)head, (size_t)n, &hr), GK_EINVAL,
		    "refused: %.*s", (int)strcspn(refused[i], "\r"), refused[i]);
	}
	n = snprintf(head, sizeof(head), "GET / HTTP/1.1\r\nUser-Agent: x\r\nCONNECTION: Close\r\n\r\n");
	is_int(gk_httpreq_parse((const unsigned char *)head, (size_t)n, &hr), GK_OK, "CONNECTION: Close");
	is_int(hr.close, 1, "... closes");
	n = snprintf(head, sizeof(head), "GET / HTTP/1.1\r\nUser-Agent: close\r\n\r\n");
	is_int(gk_httpreq_parse((const unsigned char *)head, (size_t)n, &hr), GK_OK, "User-Agent: close");
	is_int(hr.close, 0, "... keeps the connection");
}

/* The HTTP answer a CGI answer must give, worked out line by line on its own (no shortcut). */
static size_t
expected(const char *cgi, bool close, char *o, size_t size)
{
	const char *p = cgi, *body = NULL, *nl;
	int status = 0;
	size_t len, blen;
	char line[512];

	for (; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		size_t ll = (size_t)(nl - p) - (nl > p && nl[-1] == '\r');

		if (ll == 0) {
			body = nl + 1;
			break;
		}
		if (status == 0 && ll > 6 && strncasecmp(p, "status:", 7) == 0)
			status = atoi(p + 7) < 200 || atoi(p + 7) > 599 ? 500 : atoi(p + 7);
	}
	if (body == NULL || status == 0)
		status = 500;
	blen = status == 200 ? strlen(body) : 0;
	len = (size_t)snprintf(o, size, "HTTP/1.1 %d %s\r\n", status, status == 200 ? "OK" :
	    status == 401 ? "Unauthorized" : status == 403 ? "Forbidden" : "Internal Server Error");
	for (p = cgi; status != 500 && p < body; p = nl + 1) {
		size_t ll;

		nl = strchr(p, '\n');
		ll = (size_t)(nl - p) - (nl > p && nl[-1] == '\r');
		if (ll == 0 || ll >= sizeof(line))
			continue;
		memcpy(line, p, ll);
		line[ll] = '\0';
		if (strncasecmp(line, "status:", 7) == 0 || strncasecmp(line, "content-length:", 15) == 0 ||
		    (blen == 0 && strncasecmp(line, "content-type:", 13) == 0))
			continue;
		len += (size_t)snprintf(o + len, size - len, "%s\r\n", line);
	}
	len += (size_t)snprintf(o + len, size - len, "Content-Length: %zu\r\n%s\r\n%.*s", blen,
	    close ? "Connection: close\r\n" : "", (int)blen, body != NULL ? body : "");
	return len;
}

/*
 * Answers of random lines (a pool of kept and dropped ones in several spellings, CRLF or a
 * bare LF, a body or none, up to 40 lines so that more than the dropped lines a walk keeps
 * come too): each HTTP answer as worked out line by line, in exactly its size, and none in
 * one byte less.
 */
static void
answers(void)
{
	static const char *const pool[] = {
		"Status: 200", "Status: 401", "status: 403", "Content-Length: 5", "CONTENT-LENGTH: 0",
		"Content-Type: text/html", "content-type: x", "Content-Typo: y", "Status-X: 1",
		"Remote-User: alice", "X-A:", "Cache-Control: no-store", "Content-Lengthy: 1",
		"Status", "Location: /l?a=1",
	};
	static char cgi[8192], got[8192], want[8192];
	unsigned seed = 12345;
	int t, wrong = 0, cut = 0;

	for (t = 0; t < 3000; t++) {
		size_t n = 0, lines, i, wl, gl;
		bool close = (t & 1) != 0;

		seed = seed * 1103515245u + 12345u;
		lines = (seed >> 16) % (t % 10 == 0 ? 41 : 12);
		for (i = 0; i < lines; i++) {
			seed = seed * 1103515245u + 12345u;
			n += (size_t)snprintf(cgi + n, sizeof(cgi) - n, "%s%s",
			    pool[(seed >> 16) % (sizeof(pool) / sizeof(pool[0]))],
			    (seed >> 8) % 23 == 0 ? "\n" : "\r\n");
		}
		n += (size_t)snprintf(cgi + n, sizeof(cgi) - n, "%s%s", (seed >> 4) % 7 == 0 ? "\n" : "\r\n",
		    (seed >> 12) % 3 == 0 ? "<p>body</p>" : "");
		wl = expected(cgi, close, want, sizeof(want));
		gl = gk_httpconn_response(cgi, n, close, got, sizeof(got));
		if (gl != wl || memcmp(got, want, wl) != 0) {
			if (wrong++ < 3)
				diag("answer %d: got %zu bytes, want %zu: %.*s", t, gl, wl, (int)n, cgi);
			continue;
		}
		if (gk_httpconn_response(cgi, n, close, got, wl) != wl || memcmp(got, want, wl) != 0)
			cut++;
		/* every smaller size (a tenth of the answers): nothing, and no byte written past it */
		for (i = t % 10 == 0 ? 1 : wl - 1; i < wl; i++) {
			size_t z;

			memset(got, 'Z', wl + 64);
			if (gk_httpconn_response(cgi, n, close, got, i) != 0) {
				cut++;
				break;
			}
			for (z = i; z < wl + 64 && got[z] == 'Z'; z++)
				;
			if (z < wl + 64) {
				if (cut++ < 3)
					diag("answer %d in %zu bytes: byte %zu written", t, i, z);
				break;
			}
		}
	}
	is_int(wrong, 0, "3000 random CGI answers: each HTTP answer as worked out line by line");
	is_int(cut, 0, "... each in exactly its size; in less, none and no byte past the size");
}

int
main(void)
{
	gk_fcgiguard_defaults(&lim);
	value_bytes();
	name_bytes();
	cgi_names();
	framing();
	answers();
	return done_testing();
}
