/* basic.h: RFC 7617 "Authorization: Basic" parsing, strict and bounded. */
#ifndef GK_BASIC_H
#define GK_BASIC_H

#include "common.h"

/*
 * Parses an Authorization header value. Scheme "Basic" is case-insensitive,
 * followed by one or more spaces and strict standard base64 (padding required,
 * no whitespace inside, no trailing garbage). The decoded "user:password" is
 * split at the first ':'. User must be 1..GK_USER_MAX bytes and pass
 * gk_valid_user; password 0..GK_PASSWORD_MAX bytes with no NUL or control
 * characters (other than none: all C0 and DEL are rejected).
 * Returns GK_OK, GK_NOTFOUND if the scheme is not Basic (another scheme is not
 * an error), GK_EINVAL / GK_ETOOLONG for malformed credentials.
 * user must hold GK_USER_MAX+1 bytes and pass GK_PASSWORD_MAX+1; on any
 * non-OK return both are wiped to "".
 */
int gk_basic_parse(const char *header, char *user, char *pass);

#endif
