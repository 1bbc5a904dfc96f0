/* t_httpfront.c: the HTTP front's pure parts byte for byte: which field-name bytes a head may hold, which fields become which params, the answer's exact bytes. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "fcgiguard.h"
#include "httpconn.h"
#include "httpreq.h"
#include "tap.h"

static struct gk_httpreq hr;
static char env[64 * 1024], *vec[256], out[4096];
static struct gk_fcgiguard_limits lim;

/* nginx's auth head (contrib/nginx/gatekeep-http.conf) with one more field line, or none. */
static int
params(const char *extra, const char **why)
{
	char head[2048];
	int n = snprintf(head, sizeof(head), "GET /_gatekeep HTTP/1.1\r\nHost: gk\r\n"
	    "X-Gatekeep-Method: GET\r\nX-Gatekeep-Uri: /a?b\r\nX-Gatekeep-Addr: 192.0.2.7\r\n"
	    "X-Gatekeep-Scheme: https\r\nX-Gatekeep-Server-Addr: 192.0.2.1\r\n"
	    "X-Gatekeep-Host: app.example\r\n%s\r\n", extra);

	*why = "parse";
	if (gk_httpreq_parse((const unsigned char *)head, (size_t)n, &hr) != GK_OK)
		return GK_EINVAL;
	*why = NULL;
	return gk_httpconn_params(&hr, &lim, env, sizeof(env), vec, 256, why);
}

/* The value of param name in vec, or NULL; how many there are in *count. */
static const char *
param(const char *name, int *count)
{
	const char *v = NULL;
	size_t n = strlen(name), i;

	*count = 0;
	for (i = 0; vec[i] != NULL; i++)
		if (strncmp(vec[i], name, n) == 0 && vec[i][n] == '=') {
			v = vec[i] + n + 1;
			++*count;
		}
	return v;
}

static void
field_name_bytes(void)
{
	const char *tchar = "!#$%&'*+-.^_`|~";
	int c, wrong = 0;

	/* every byte in the middle of a field name: accepted exactly when it is an RFC 9110 tchar */
	for (c = 0; c < 256; c++) {
		unsigned char head[64];
		size_t n = (size_t)snprintf((char *)head, sizeof(head), "GET / HTTP/1.1\r\nAa");
		bool good, want = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || (c != 0 && strchr(tchar, c) != NULL);
		int rc;

		head[n++] = (unsigned char)c;
		memcpy(head + n, "b: v\r\n\r\n", 8);
		rc = gk_httpreq_parse(head, n + 8, &hr);
		/* ':' ends the name "Aa": a field of its own, its value "b: v" */
		good = c == ':' ? rc == GK_OK && hr.fields[0].nlen == 2 && hr.fields[0].vlen == 4 :
		    want ? rc == GK_OK && hr.fields[0].nlen == 4 : rc != GK_OK;
		if (!good) {
			diag("byte 0x%02x: rc %d, want %s", c, rc, want ? "accepted" : "refused");
			wrong++;
		}
	}
	is_int(wrong, 0, "a field name holds exactly the tchar bytes (all 256 tried)");
}

static void
mapped_fields(void)
{
	const char *why;
	int n;

	is_int(params("Remote-User: alice\r\n", &why), GK_OK, "nginx's head: params built");
	is_str(param("REQUEST_METHOD", &n), "GET", "X-Gatekeep-Method is REQUEST_METHOD");
	is_str(param("REQUEST_URI", &n), "/a?b", "X-Gatekeep-Uri is REQUEST_URI");
	is_str(param("REMOTE_ADDR", &n), "192.0.2.7", "X-Gatekeep-Addr is REMOTE_ADDR");
	is_str(param("REQUEST_SCHEME", &n), "https", "X-Gatekeep-Scheme is REQUEST_SCHEME");
	is_str(param("SERVER_ADDR", &n), "192.0.2.1", "X-Gatekeep-Server-Addr is SERVER_ADDR");
	is_str(param("HTTP_HOST", &n), "app.example", "X-Gatekeep-Host is HTTP_HOST (not Host)");
	is_int(n, 1, "one HTTP_HOST");
	is_str(param("DOCUMENT_URI", &n), "/_gatekeep", "DOCUMENT_URI: the request line's path");
	is_str(param("FCGI_ROLE", &n), "RESPONDER", "FCGI_ROLE=RESPONDER");
	is_str(param("HTTP_REMOTE_USER", &n), "alice", "another field: HTTP_ with '-' as '_', upper case");
	/* nginx's own fields are the params above, no client's header (none over FastCGI) */
	is_str(param("HTTP_X_GATEKEEP_URI", &n), NULL, "a mapped field is no HTTP_ param");
	/* one mapped name in other cases: the same field, so a second one is a duplicate */
	is_int(params("x-gatekeep-scheme: http\r\n", &why), GK_EINVAL, "x-gatekeep-scheme again: refused");
	is_str(why, "duplicate-gatekeep-field", "... as a duplicate");
	is_int(params("X-GATEKEEP-SERVER-ADDR: 1\r\n", &why), GK_EINVAL, "X-GATEKEEP-SERVER-ADDR again");
	is_str(why, "duplicate-gatekeep-field", "... as a duplicate");
	is_int(params("X-Gatekeep_Method: POST\r\n", &why), GK_EINVAL, "X-Gatekeep_Method: refused");
	is_str(why, "underscore-gatekeep-field", "... for its underscore");
	is_int(params("X_gatekeep_host: evil\r\n", &why), GK_EINVAL, "X_gatekeep_host: refused");
	is_str(why, "underscore-gatekeep-field", "... for its underscore");
	/* names of a mapped one's length that are not it: ordinary fields */
	is_int(params("X-Gatekeep-Uro: 1\r\nX-Gatekeep-Hosx: 2\r\nX-Gatekeep-Methoe: 3\r\n", &why),
	    GK_OK, "X-Gatekeep-Uro, -Hosx, -Methoe: no mapped names");
	is_str(param("REQUEST_URI", &n), "/a?b", "REQUEST_URI still X-Gatekeep-Uri's");
	is_str(param("HTTP_X_GATEKEEP_HOSX", &n), "2", "X-Gatekeep-Hosx is HTTP_X_GATEKEEP_HOSX");
}

/* The HTTP answer of CGI answer cgi; "" when it does not fit in size bytes. */
static const char *
response(const char *cgi, bool close, size_t size)
{
	size_t n = gk_httpconn_response(cgi, strlen(cgi), close, out, size);

	out[n] = '\0';
	return out;
}

static void
answers(void)
{
	static const char allow[] = "Status: 200\r\nRemote-User: alice\r\nRemote-Groups:\r\n"
	    "Cache-Control: no-store\r\nContent-Length: 0\r\n\r\n";
	static const char ok[] = "HTTP/1.1 200 OK\r\nRemote-User: alice\r\nRemote-Groups:\r\n"
	    "Cache-Control: no-store\r\nContent-Length: 0\r\n\r\n";

	is_str(response(allow, false, sizeof(out)), ok, "an allow: status line, its headers, Content-Length: 0");
	is_str(response(allow, false, sizeof(ok) - 1), ok, "... in exactly its length");
	is_str(response(allow, false, sizeof(ok) - 2), "", "... not in one byte less");
	is_str(response(allow, true, sizeof(out)), "HTTP/1.1 200 OK\r\nRemote-User: alice\r\n"
	    "Remote-Groups:\r\nCache-Control: no-store\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
	    "closing: Connection: close after Content-Length");
	is_str(response("Content-Type: text/plain\r\nStatus: 200\r\n\r\n0123456789ab", false,
	    sizeof(out)), "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 12\r\n\r\n"
	    "0123456789ab", "a 200's body is kept, its length counted");
	is_str(response("Status: 401\r\nWWW-Authenticate: Basic realm=\"r\"\r\n"
	    "Content-Type: text/html\r\n\r\n<html></html>", false, sizeof(out)),
	    "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"r\"\r\nContent-Length: 0\r\n\r\n",
	    "a 401: no body, no Content-Type");
	is_str(response("Status: 403\r\n\r\n", false, sizeof(out)),
	    "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n", "a 403");
	is_str(response("Status: 302\r\nLocation: /login\r\n\r\n", true, sizeof(out)),
	    "HTTP/1.1 302 Found\r\nLocation: /login\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
	    "a 302 that closes");
	is_str(response("Status: 599\r\n\r\n", false, sizeof(out)),
	    "HTTP/1.1 599 Internal Server Error\r\nContent-Length: 0\r\n\r\n", "an unknown status: its digits");
	is_str(response("Status: 99\r\nRemote-User: x\r\n\r\n", false, sizeof(out)),
	    "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n", "a status out of range: a bare 500");
	is_str(response("Remote-User: x\r\n\r\n", false, sizeof(out)),
	    "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n", "no Status: a bare 500");
}

int
main(void)
{
	gk_fcgiguard_defaults(&lim);
	field_name_bytes();
	mapped_fields();
	answers();
	return done_testing();
}
