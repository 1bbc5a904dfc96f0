/* logjson.c: one JSON object a line (log_format = json), built with jansson, for Loki, Vector, journald. */
#include <config.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "logjson.h"

static json_t *
head(const char *prog, const char *level)
{
	struct timespec ts;
	struct tm tm;
	char when[96];
	json_t *o;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(when, sizeof(when), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
	o = json_object();
	if (o == NULL)
		return NULL;
	if (json_object_set_new(o, "time", json_string(when)) != 0 ||
	    json_object_set_new(o, "prog", json_string(prog)) != 0 ||
	    json_object_set_new(o, "pid", json_integer((json_int_t)getpid())) != 0 ||
	    json_object_set_new(o, "level", json_string(level)) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* Adds key: value unless value is NULL; false when jansson refused (invalid UTF-8, memory). */
static bool
set(json_t *o, const char *key, const char *value)
{
	json_t *v;

	if (value == NULL)
		return true;
	if ((v = json_string(value)) == NULL)
		return false;
	return json_object_set_new(o, key, v) == 0;
}

static char *
finish(json_t *o, bool good, char *out, size_t outsz)
{
	size_t n;

	if (o == NULL)
		return NULL;
	n = good ? json_dumpb(o, out, outsz - 1, JSON_COMPACT | JSON_PRESERVE_ORDER) : 0;
	json_decref(o);
	if (n == 0 || n >= outsz)
		return NULL;
	out[n] = '\0';
	return out;
}

char *
gk_logjson_message(char *out, size_t outsz, const char *prog, const char *level,
    const char *msg)
{
	json_t *o = head(prog, level);

	return finish(o, o != NULL && set(o, "msg", msg), out, outsz);
}

char *
gk_logjson_decision(char *out, size_t outsz, const char *prog, const char *level,
    const char *event, const char *user, const char *method, const char *from,
    const char *reason, const char *uri)
{
	json_t *o = head(prog, level);

	return finish(o, o != NULL && set(o, "event", event) && set(o, "user", user) &&
	    set(o, "method", method) && set(o, "from", from) && set(o, "reason", reason) &&
	    set(o, "uri", uri), out, outsz);
}
