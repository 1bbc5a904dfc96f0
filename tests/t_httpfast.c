/* t_httpfast.c: the HTTP front's fast paths against byte-wise references: value bytes read eight at a time, name bytes four at a time and through a table, nginx's spellings compared before folding. */
#include <config.h>

#include <stdio.h>
#include <string.h>

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

static int
params(const char *extra, const char **why)
{
	char head[2048];
	int n = snprintf(head, sizeof(head), "GET /_gatekeep HTTP/1.1\r\n"
	    "X-Gatekeep-Method: GET\r\nX-Gatekeep-Uri: /a\r\nX-Gatekeep-Addr: 192.0.2.7\r\n"
	    "X-Gatekeep-Scheme: https\r\nX-Gatekeep-Server-Addr: 192.0.2.1\r\n"
	    "X-Gatekeep-Host: app.example\r\nHost: gk\r\n%s\r\n", extra);

	*why = "parse";
	if (gk_httpreq_parse((const unsigned char *)head, (size_t)n, &hr) != GK_OK)
		return GK_EINVAL;
	*why = NULL;
	return gk_httpconn_params(&hr, &lim, env, sizeof(env), vec, 256, why);
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

int
main(void)
{
	gk_fcgiguard_defaults(&lim);
	value_bytes();
	name_bytes();
	cgi_names();
	framing();
	return done_testing();
}
