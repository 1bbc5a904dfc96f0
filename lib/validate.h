/* validate.h: the one definition of what a valid user name, group, e-mail and header value is. */
#ifndef GK_VALIDATE_H
#define GK_VALIDATE_H

#include "common.h"

/* Valid UTF-8 (no overlongs, no surrogates, no code points above U+10FFFF). */
bool gk_valid_utf8(const char *s, size_t len);

/*
 * User name: 1..GK_USER_MAX bytes of valid UTF-8, no control characters
 * (C0, DEL, C1), no ':' or ',' and no leading or trailing space.
 * Used when names enter the database and again before they leave in a header.
 */
bool gk_valid_user(const char *s, size_t len);

/* Group name: 1..GK_GROUP_MAX bytes of [A-Za-z0-9._-], first byte alphanumeric. */
bool gk_valid_group(const char *s, size_t len);

/* Comma-separated group list ("" allowed): each element a valid group, no duplicates, <= GK_GROUPS_MAX. */
bool gk_valid_group_list(const char *s, size_t len);

/* E-mail: local@domain, printable ASCII without spaces, quotes, '<>', ',' or ';', <= GK_EMAIL_MAX. */
bool gk_valid_email(const char *s, size_t len);

/* Display name: valid UTF-8, no control characters, <= GK_DISPLAY_MAX bytes ("" allowed). */
bool gk_valid_display(const char *s, size_t len);

/* A value that may be written into a response header: no CR, LF, NUL or other control characters. */
bool gk_valid_header_value(const char *s, size_t len);

/* HTTP header field name (RFC 9110 token). */
bool gk_valid_header_name(const char *s, size_t len);

#endif
