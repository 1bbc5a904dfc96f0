/* logjson.h: one JSON object a line (log_format = json), built with jansson, for Loki, Vector, journald. */
#ifndef GK_LOGJSON_H
#define GK_LOGJSON_H

#include <stddef.h>

/*
 * Formats one log record as a compact JSON object (no newline) into out; returns out, or
 * NULL when it cannot (then the caller logs the text form).  Every value must already be
 * escaped by lib/log (printable, valid UTF-8); NULL values are left out.  Keys:
 *   time (RFC 3339, UTC, milliseconds), prog, pid, level, then either
 *   msg                                      for an ordinary message, or
 *   event ("allow"|"deny"), user, method, from, reason (deny only), uri
 *                                            for the decision line (same values as its text form).
 */
char *gk_logjson_message(char *out, size_t outsz, const char *prog, const char *level,
    const char *msg);
char *gk_logjson_decision(char *out, size_t outsz, const char *prog, const char *level,
    const char *event, const char *user, const char *method, const char *from,
    const char *reason, const char *uri);

#endif
