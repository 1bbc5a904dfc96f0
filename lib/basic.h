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

/*
 * Checks a Basic pair a web server parsed itself (Apache's REMOTE_USER and
 * REMOTE_PASSWD, from a lenient parser that cuts at a NUL, ignores bytes
 * after the base64 and takes the first of two comma-merged headers) before
 * gatekeep relies on it. With the client's Authorization header (header
 * non-NULL: Apache's CGIPassAuth On), the header must pass gk_basic_parse
 * and yield exactly this pair. Without it, the pair must meet the same
 * limits: a valid user name of at most GK_USER_MAX bytes, a password of at
 * most GK_PASSWORD_MAX bytes without C0 or DEL.
 * Returns GK_OK with the pair copied into user (GK_USER_MAX+1 bytes) and
 * pass (GK_PASSWORD_MAX+1 bytes); GK_EINVAL when the header is not the same
 * pair (*mismatch true) or the pair breaks a limit (*mismatch false). On
 * any non-OK return both buffers are wiped to "".
 */
int gk_basic_pair_check(const char *remote_user, const char *remote_passwd,
    const char *header, char *user, char *pass, bool *mismatch);

#endif
