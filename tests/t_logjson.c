/* t_logjson.c: log_format = json: one valid JSON object a line, the decision line's fields and values. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "log.h"
#include "tap.h"

static char out[16384];

/* Runs the logging in between with stderr going to a file; out gets what was written. */
static FILE *cap;
static int saved_fd;

static void
capture(void)
{
	fflush(stderr);
	cap = tmpfile();
	saved_fd = dup(STDERR_FILENO);
	dup2(fileno(cap), STDERR_FILENO);
}

static void
release(void)
{
	size_t n;

	dup2(saved_fd, STDERR_FILENO);
	close(saved_fd);
	rewind(cap);
	n = fread(out, 1, sizeof(out) - 1, cap);
	out[n] = '\0';
	fclose(cap);
}

static const char *
str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

int
main(void)
{
	struct gk_log log;
	json_error_t jerr;
	json_t *o;
	char *nl;

	gk_log_init(&log, "gatekeep-authz", GK_LOG_STDERR, LOG_DEBUG);
	capture();
	gk_log_decision(&log, false, "al\"ice \x01\xff", "basic", "203.0.113.7", "bad-password",
	    "/admin");
	release();
	ok(strstr(out, ": deny user=al\\x22ice\\x20\\x01\\xff method=basic from=203.0.113.7 "
	    "reason=bad-password uri=/admin\n") != NULL, "text: the fail2ban line, unchanged");

	gk_log_set_format(&log, GK_LOG_FORMAT_JSON);
	capture();
	gk_log_decision(&log, false, "al\"ice \x01\xff", "basic", "203.0.113.7", "bad-password",
	    "/admin");
	gk_log_decision(&log, true, "bob", "session", NULL, NULL, "/x\ny");
	gk_log(&log, LOG_ERR, "database %s: broken\n\"forged\"", "/var/lib/\xc3\xa9");
	release();
	nl = strchr(out, '\n');
	ok(nl != NULL, "one line per record");
	*nl = '\0';
	o = json_loads(out, 0, &jerr);
	ok(o != NULL && json_is_object(o), "deny: a JSON object (%s)", o ? "" : jerr.text);
	is_str(str(o, "event"), "deny", "event");
	is_str(str(o, "user"), "al\\x22ice\\x20\\x01\\xff", "user: the text line's escaped value");
	is_str(str(o, "method"), "basic", "method");
	is_str(str(o, "from"), "203.0.113.7", "from");
	is_str(str(o, "reason"), "bad-password", "reason");
	is_str(str(o, "uri"), "/admin", "uri");
	is_str(str(o, "level"), "notice", "level");
	is_str(str(o, "prog"), "gatekeep-authz", "prog");
	ok(json_integer_value(json_object_get(o, "pid")) == getpid(), "pid");
	ok(str(o, "time") != NULL && strlen(str(o, "time")) == 24, "time, RFC 3339 with ms");
	json_decref(o);

	memmove(out, nl + 1, strlen(nl + 1) + 1);
	nl = strchr(out, '\n');
	ok(nl != NULL, "second line");
	*nl = '\0';
	o = json_loads(out, 0, &jerr);
	ok(o != NULL, "allow: a JSON object");
	is_str(str(o, "event"), "allow", "event allow");
	ok(json_object_get(o, "reason") == NULL, "allow: no reason, as in the text line");
	is_str(str(o, "from"), "-", "absent from: \"-\", as in the text line");
	is_str(str(o, "uri"), "/x\\x0ay", "a newline in the uri stays escaped");
	json_decref(o);

	memmove(out, nl + 1, strlen(nl + 1) + 1);
	nl = strchr(out, '\n');
	ok(nl != NULL && nl[1] == '\0', "third line, the last");
	*nl = '\0';
	o = json_loads(out, 0, &jerr);
	ok(o != NULL, "message: a JSON object");
	is_str(str(o, "level"), "err", "message level");
	ok(str(o, "msg") != NULL && strstr(str(o, "msg"), "\n") == NULL &&
	    strstr(str(o, "msg"), "/var/lib/\xc3\xa9") != NULL, "message: escaped, UTF-8 kept");
	json_decref(o);

	/*
	 * The longest message, all of it bytes the escaper writes as \xHH (a value with
	 * control bytes or broken UTF-8): its JSON doubles every backslash, so it is larger
	 * than the escaped line; it must still be one JSON object, never the text form or a
	 * line cut in the middle of the object.
	 */
	{
		char raw[1500], q[1500];

		memset(raw, '\x01', sizeof(raw) - 1);
		raw[sizeof(raw) - 1] = '\0';
		memset(q, '"', sizeof(q) - 1);
		q[sizeof(q) - 1] = '\0';
		capture();
		gk_log(&log, LOG_ERR, "bad value %s", raw);
		gk_log(&log, LOG_ERR, "%s%s", q, raw);
		release();
		nl = strchr(out, '\n');
		ok(nl != NULL, "long message: one line");
		if (nl != NULL)
			*nl = '\0';
		o = json_loads(out, 0, &jerr);
		ok(o != NULL && json_is_object(o), "long message of control bytes: a JSON object (%s)",
		    o ? "" : jerr.text);
		ok(o != NULL && str(o, "msg") != NULL && strncmp(str(o, "msg"), "bad value \\x01", 14) == 0,
		    "... its msg escaped");
		json_decref(o);
		if (nl != NULL) {
			memmove(out, nl + 1, strlen(nl + 1) + 1);
			nl = strchr(out, '\n');
			ok(nl != NULL && nl[1] == '\0', "quotes and control bytes: one more line, the last");
			if (nl != NULL)
				*nl = '\0';
			o = json_loads(out, 0, &jerr);
			ok(o != NULL && json_is_object(o), "quotes and control bytes: a JSON object (%s)",
			    o ? "" : jerr.text);
			json_decref(o);
		}
	}
	return done_testing();
}
