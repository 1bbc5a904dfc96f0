/* validate.h: the one definition of what a valid user name, group, e-mail, host name and header value is. */
#ifndef GK_VALIDATE_H
#define GK_VALIDATE_H

#include "common.h"

/* Valid UTF-8 (no overlongs, no surrogates, no code points above U+10FFFF). */
bool gk_valid_utf8(const char *s, size_t len);

/*
 * User name: 1..GK_USER_MAX bytes of valid UTF-8, no control characters
 * (C0, DEL, C1), no ':' or ',' and no leading or trailing space.
 * Also refused (they forge log lines or reorder what an admin sees): U+2028,
 * U+2029, bidi embeddings/overrides/isolates U+202A..U+202E and
 * U+2066..U+2069, and noncharacters (U+FDD0..U+FDEF, U+xxFFFE/U+xxFFFF).
 * Nor may a name start with '-': admin scripts pass names as arguments, where
 * "-x" reads as an option.
 * Names are compared as bytes: no Unicode normalisation is applied.
 * Used when names enter the database, arrive in a request and again before
 * they leave in a header.
 */
bool gk_valid_user(const char *s, size_t len);

/*
 * A name a stored record may carry: gk_valid_user's rules, except that a
 * leading '-' is allowed, because records written before that rule must stay
 * readable (a database with one must not block every write or scan). Such a
 * user can be listed and deleted, never signs in and is never written again.
 */
bool gk_valid_stored_user(const char *s, size_t len);

/* Group name: 1..GK_GROUP_MAX bytes of [A-Za-z0-9._-], first byte alphanumeric. */
bool gk_valid_group(const char *s, size_t len);

/*
 * Comma-separated group list ("" allowed): each element a valid group, no
 * duplicates (byte comparison), no empty element (",," or a trailing ','),
 * no spaces, <= GK_GROUPS_MAX bytes.
 */
bool gk_valid_group_list(const char *s, size_t len);

/*
 * E-mail: local@domain, <= GK_EMAIL_MAX bytes. Local part: 1..64 bytes of
 * RFC 5322 dot-atom (atext and single inner dots; so no spaces, '"', '<>',
 * ',', ';', '\\', '()' or '[]'). Domain: dot-separated LDH labels of 1..63
 * bytes, no leading/trailing '-' (IDNs in xn-- form; no address literals).
 */
bool gk_valid_email(const char *s, size_t len);

/*
 * Host name: dot-separated labels of [A-Za-z0-9-], each 1..63 bytes, 1..253 bytes in
 * all (so no leading, trailing or double dot). No rule on '-' placement: callers that
 * take a host from configuration or a Host header only need it to be one DNS name.
 */
bool gk_valid_hostname(const char *s, size_t len);

/* What follows "https://" or "http://" (lower-case scheme, as configured origins and URLs are written), or NULL. */
const char *gk_http_url_rest(const char *s);

/* Display name: valid UTF-8, no control characters, <= GK_DISPLAY_MAX bytes ("" allowed); same extra refusals as user names. */
bool gk_valid_display(const char *s, size_t len);

/*
 * A value that may be written into a response header: <= GK_HEADER_MAX bytes,
 * no byte 0x00..0x1F (CR, LF, NUL, HTAB included) and no DEL. Bytes >= 0x80 pass.
 */
bool gk_valid_header_value(const char *s, size_t len);

/* gk_valid_header_value's byte rule alone, for a caller that bounds len itself (a Cookie header). */
bool gk_valid_header_bytes(const char *s, size_t len);

#define GK_HEADER_NAME_MAX 256   /* the longest header field name gatekeep reads */

/* HTTP header field name (RFC 9110 token), 1..GK_HEADER_NAME_MAX bytes. */
bool gk_valid_header_name(const char *s, size_t len);

/* Visible ASCII only (RFC 5234 VCHAR, 0x21..0x7E: no space, no control); "" passes. */
bool gk_valid_vchar(const char *s, size_t len);

#endif
