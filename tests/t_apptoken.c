/* t_apptoken.c: app tokens in-process: format, keyed hash, lib/auth's token check (lockout, expiry, generation), scope, coalesced last use. */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "apptoken.h"
#include "auth.h"
#include "tokenuse.h"
#include "tap.h"
#include "tokenfix.h"
#include "userdb.h"

static void
test_format(void)
{
	char tok[GK_APPTOKEN_MAX + 1], bad[512], longname[GK_USER_MAX + 1];
	struct gk_apptoken t;
	struct gk_err err;
	size_t n;

	is_int(gk_apptoken_add(dbpath, "alice", "phone", 0, "", T0, tok, &err), GK_OK, "add a token");
	n = strlen(tok);
	ok(strncmp(tok, "gk1.YWxpY2U.", 12) == 0 && n == 12 + 16 + 1 + 43, "format: %s", tok);
	is_int(gk_apptoken_parse(tok, &t), GK_OK, "it parses");
	is_str(t.user, "alice", "  naming its user");
	is_int(gk_apptoken_add(dbpath, "alice", "phone", 0, "", T0, tok, &err), GK_EDUP,
	    "a second token of that name is refused");
	ok(tok[0] == '\0', "  and prints nothing");
	is_int(gk_apptoken_add(dbpath, "nobody", NULL, 0, "", T0, tok, &err), GK_NOTFOUND,
	    "no token for a user that does not exist");

	/* The longest user name still gives a token under GK_PASSWORD_MAX. */
	memset(longname, 'x', GK_USER_MAX);
	longname[GK_USER_MAX] = '\0';
	edit_user(longname, 0, 0);
	is_int(gk_apptoken_add(dbpath, longname, NULL, 0, "", T0, tok, &err), GK_OK,
	    "a token for a 128-byte name");
	ok(strlen(tok) == GK_APPTOKEN_MAX && GK_APPTOKEN_MAX <= GK_PASSWORD_MAX,
	    "  is %zu bytes, at most a password's", strlen(tok));
	is_int(gk_apptoken_parse(tok, &t), GK_OK, "  and parses");

	gk_apptoken_add(dbpath, "alice", "fmt", 0, "", T0, tok, &err);
	n = strlen(tok);
	/* Every malformed variation is GK_EINVAL. */
	snprintf(bad, sizeof(bad), "%.*s", (int)n - 1, tok);
	is_int(gk_apptoken_parse(bad, &t), GK_EINVAL, "one character short");
	snprintf(bad, sizeof(bad), "%sA", tok);
	is_int(gk_apptoken_parse(bad, &t), GK_EINVAL, "one character more");
	snprintf(bad, sizeof(bad), "%s, %s", tok, tok);
	is_int(gk_apptoken_parse(bad, &t), GK_EINVAL, "two tokens comma-merged");
	snprintf(bad, sizeof(bad), "%s ", tok);
	is_int(gk_apptoken_parse(bad, &t), GK_EINVAL, "a trailing space");
	strcpy(bad, tok);
	bad[12] = (char)(bad[12] >= 'a' ? bad[12] - 32 : 'A');
	is_int(gk_apptoken_parse(bad, &t), GK_EINVAL, "an upper-case hex digit in the id");
	strcpy(bad, tok);
	bad[n - 1] = bad[n - 1] == 'B' ? 'C' : 'B';     /* 43 chars carry 258 bits: 2 must be 0 */
	ok(gk_apptoken_parse(bad, &t) == GK_EINVAL || (bad[n - 1] - 'A') % 4 == 0,
	    "a non-canonical last character");
	strcpy(bad, tok);
	bad[28] = ',';
	is_int(gk_apptoken_parse(bad, &t), GK_EINVAL, "a comma in the id");
	is_int(gk_apptoken_parse("gk1.LWFsaWNl.0123456789abcdef.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	    &t), GK_EINVAL, "a user name that cannot be (-alice)");
	is_int(gk_apptoken_parse("gk1..0123456789abcdef.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	    &t), GK_EINVAL, "no user");
	ok(gk_apptoken_shaped(tok) && !gk_apptoken_shaped("gk1") && !gk_apptoken_shaped("hunter2"),
	    "shaped by the prefix");
}

static void
test_auth(void)
{
	char tok[GK_APPTOKEN_MAX + 1], wrong[GK_APPTOKEN_MAX + 1], exp[GK_APPTOKEN_MAX + 1];
	struct gk_cred used;
	struct gk_auth a;
	struct gk_user u;
	struct gk_err err;
	const int64_t t = T0 + 10000;

	edit_user("bob", 0, 0);
	edit_user("carol", 0, 0);
	gk_apptoken_add(dbpath, "bob", "dav", 0, "path=/dav/", T0, tok, &err);
	gk_apptoken_add(dbpath, "bob", "short", T0 + 100, "", T0, exp, &err);
	gk_userdb_refresh(db, &err);
	auth_new(&a);

	is_int(try_tok(&a, "bob", tok, "192.0.2.1", t, &used), GK_AUTH_OK, "the token as bob's Basic password");
	is_str(used.name, "dav", "  the entry comes back");
	is_str(used.scope, "path=/dav/", "  with its scope");
	ok(used.datalen == 0 && used.data[0] == 0, "  but not its hash");
	is_int(try_tok(&a, NULL, tok, "192.0.2.1", t, NULL), GK_AUTH_OK, "the token as Bearer");
	is_int(try_tok(&a, "carol", tok, "192.0.2.2", t, NULL), GK_AUTH_BAD_TOKEN,
	    "bob's token as carol's password");
	is_int(gk_auth_password(&a, "bob", tok, "192.0.2.3", t, &u), GK_AUTH_BAD_PASSWORD,
	    "the password check (the login form's) never takes a token");
	is_int(try_tok(&a, "bob", exp, "192.0.2.4", T0 + 99, NULL), GK_AUTH_OK, "before expiry");
	is_int(try_tok(&a, "bob", exp, "192.0.2.4", T0 + 100, NULL), GK_AUTH_TOKEN_EXPIRED,
	    "at expiry: refused");

	/* Wrong tokens count like wrong passwords: MAXF from one address ban even the right one. */
	strcpy(wrong, tok);
	wrong[strlen(wrong) - 5] ^= 1;
	is_int(try_tok(&a, "bob", wrong, "198.51.100.1", t, NULL), GK_AUTH_BAD_TOKEN, "wrong 1");
	is_int(try_tok(&a, NULL, wrong, "198.51.100.1", t, NULL), GK_AUTH_BAD_TOKEN, "wrong 2 (Bearer)");
	is_int(try_tok(&a, "bob", "gk1.garbage", "198.51.100.1", t, NULL), GK_AUTH_BAD_TOKEN,
	    "malformed 3");
	is_int(try_tok(&a, "bob", tok, "198.51.100.1", t + 1, NULL), GK_AUTH_BANNED,
	    "then the right token is banned there");
	is_int(try_tok(&a, "bob", tok, "198.51.100.2", t + 1, NULL), GK_AUTH_OK, "  not elsewhere");
	/* A right but expired token is no guess: never counted. */
	is_int(try_tok(&a, "bob", exp, "198.51.100.3", t, NULL), GK_AUTH_TOKEN_EXPIRED, "expired 1");
	is_int(try_tok(&a, "bob", exp, "198.51.100.3", t, NULL), GK_AUTH_TOKEN_EXPIRED, "expired 2");
	is_int(try_tok(&a, "bob", exp, "198.51.100.3", t, NULL), GK_AUTH_TOKEN_EXPIRED, "expired 3");
	is_int(try_tok(&a, "bob", tok, "198.51.100.3", t, NULL), GK_AUTH_OK,
	    "  the good token still works from there");

	/* Revocation: by name, and by the user's generation bump. */
	is_int(gk_apptoken_revoke(dbpath, "bob", "short", &err), GK_OK, "revoke by name");
	is_int(gk_apptoken_revoke(dbpath, "bob", "short", &err), GK_NOTFOUND, "  once");
	is_int(try_tok(&a, "bob", exp, "192.0.2.5", T0 + 50, NULL), GK_AUTH_BAD_TOKEN,
	    "a revoked token is unknown");
	edit_user("bob", 1, 0);
	is_int(try_tok(&a, "bob", tok, "192.0.2.6", t, NULL), GK_AUTH_TOKEN_REVOKED,
	    "a generation bump revokes it");
	edit_user("bob", 0, GK_USER_DISABLED);
	is_int(try_tok(&a, "bob", tok, "192.0.2.7", t, NULL), GK_AUTH_DISABLED, "a disabled user");
	a.creds = NULL;
	is_int(try_tok(&a, "bob", tok, "192.0.2.8", t, NULL), GK_AUTH_INTERNAL,
	    "no credentials lookup: refused");
	gk_pw_ctx_free(a.pw);
	gk_lockout_close(a.lk);
}

static void
test_scope(void)
{
	char s[GK_CRED_SCOPE_MAX + 1];
	struct gk_path_readings pr;
	struct gk_methods ms;
	struct gk_err err;

	is_int(gk_apptoken_scope_parse("method=get,path=/dav/./x/../,method=PROPFIND+get|Put", s,
	    sizeof(s), &err), GK_OK, "parse a scope");
	is_str(s, "path=/dav/,method=GET+PROPFIND+PUT", "  canonical, path normalised");
	is_int(gk_apptoken_scope_parse("path=/a,path=/b", s, sizeof(s), &err), GK_EINVAL, "two paths");
	is_int(gk_apptoken_scope_parse("host=x", s, sizeof(s), &err), GK_EINVAL, "an unknown item");
	is_int(gk_apptoken_scope_parse("method=GET+", s, sizeof(s), &err), GK_EINVAL, "an empty method");
	is_int(gk_apptoken_scope_parse("method=G(T", s, sizeof(s), &err), GK_EINVAL, "not a token");
	is_int(gk_apptoken_scope_parse("path=dav", s, sizeof(s), &err), GK_EINVAL, "a relative path");
	is_int(gk_apptoken_scope_parse("path=/a%5Cb", s, sizeof(s), &err), GK_EINVAL, "an ambiguous path");
	is_int(gk_apptoken_scope_parse("path=/a%20b", s, sizeof(s), &err), GK_EINVAL, "a space");

#define ALLOWS(scope, target, method) \
	(gk_path_readings(target, &pr) == GK_OK && \
	 gk_method_readings(NULL, method, target, &ms) == GK_OK && \
	 gk_apptoken_scope_allows(scope, &pr, &ms))
	ok(ALLOWS("path=/dav/,method=GET+PROPFIND", "/dav/a.txt", "GET"), "in scope");
	ok(ALLOWS("path=/dav/,method=GET+PROPFIND", "/dav/a.txt", "propfind"), "  method case ignored");
	ok(!ALLOWS("path=/dav/,method=GET+PROPFIND", "/dav/a.txt", "PUT"), "a method out of scope");
	ok(ALLOWS("method=GET", "/dav/a.txt", "HEAD") && ALLOWS("method=get", "/x", "head"),
	    "  GET includes HEAD (RFC 9110 9.3.2; Apache's <Limit GET>)");
	ok(!ALLOWS("method=GET", "/x?_method=POST", "HEAD"), "  but not a HEAD overridden to POST");
	ok(!ALLOWS("method=HEAD", "/x", "GET"), "  HEAD alone does not include GET");
	ok(!ALLOWS("method=PROPFIND", "/x", "HEAD"), "  nor does another method include HEAD");
	ok(!ALLOWS("path=/dav/,method=GET+PROPFIND", "/dav/a.txt?_method=DELETE", "GET"),
	    "  also as a _method override");
	ok(!ALLOWS("path=/dav/", "/admin/", "GET"), "a path out of scope");
	ok(!ALLOWS("path=/dav/", "/DAV/a", "GET"), "  another case is out (exact, as a bypass)");
	ok(!ALLOWS("path=/dav/", "/dav/../admin/", "GET"), "  dot segments resolved first");
	ok(!ALLOWS("path=/dav/", "/dav/..;/admin/", "GET"), "  every reading must be inside (..;)");
	ok(!ALLOWS("path=/dav/", "/dav%2F..%2Fadmin", "GET"), "  an ambiguous path is out");
	ok(!ALLOWS("path=/dav/", "/d%61v/x", "GET"), "  an encoded path is out (a raw router reads it as sent)");
	ok(ALLOWS("path=/dav/", "/dav//x/./y", "DELETE"), "  a path normalised inside is in");
	ok(!ALLOWS("path=/dav", "/davx", "GET"), "segment-aware prefix");
	ok(ALLOWS("", "/anything", "DELETE"), "no scope: everything (the rules still apply)");
	ok(!ALLOWS("weird=1", "/anything", "GET"), "a scope not understood grants nothing");
}

/* Lists user's tokens (with the last-use file in state) into buf. */
static void
list_into(const char *user, char *buf, size_t sz)
{
	struct gk_err err;
	FILE *f = fmemopen(buf, sz, "w");

	buf[0] = '\0';
	if (f == NULL)
		return;
	gk_apptoken_list(dbpath, state, user, T0 + 9999, f, &err);
	fclose(f);
}

static void
test_touch(void)
{
	char tok[GK_APPTOKEN_MAX + 1], out[1024], path[256];
	struct gk_cred used;
	struct gk_auth a;
	struct gk_err err;
	struct stat st0, st1;
	FILE *f;

	edit_user("dave", 0, 0);
	gk_apptoken_add(dbpath, "dave", "t", 0, "", T0, tok, &err);
	gk_userdb_refresh(db, &err);
	auth_new(&a);
	is_int(try_tok(&a, "dave", tok, "192.0.2.9", T0 + 5000, &used), GK_AUTH_OK, "dave's token");
	stat(dbpath, &st0);
	is_int(gk_apptoken_touch(state, &used, T0 + 5000, &err), GK_OK, "touch");
	stat(dbpath, &st1);
	ok(st0.st_ino == st1.st_ino && st0.st_mtim.tv_sec == st1.st_mtim.tv_sec &&
	    st0.st_mtim.tv_nsec == st1.st_mtim.tv_nsec && st0.st_size == st1.st_size,
	    "  the user database is not written (same inode, mtime, size)");
	list_into("dave", out, sizeof(out));
	ok(strstr(out, "last-used=2023-11-14T23:36:40Z") != NULL, "  --token-list shows the recorded use");
	is_int(try_tok(&a, "dave", tok, "192.0.2.9", T0 + 5001, &used), GK_AUTH_OK, "used again");
	gk_apptoken_touch(state, &used, T0 + 5001, &err);
	list_into("dave", out, sizeof(out));
	ok(strstr(out, "last-used=2023-11-14T23:36:40Z") != NULL, "  within a minute in this process: no write");
	gk_apptoken_touch(state, &used, T0 + 5000 + GK_APPTOKEN_TOUCH_EVERY, &err);
	list_into("dave", out, sizeof(out));
	ok(strstr(out, "last-used=2023-11-14T23:37:40Z") != NULL, "  a minute later: written again");
	stat(dbpath, &st1);
	ok(st0.st_ino == st1.st_ino && st0.st_mtim.tv_nsec == st1.st_mtim.tv_nsec,
	    "  still no database write");
	/* A bad file only loses the times: never an error for the request path's caller to deny on. */
	snprintf(path, sizeof(path), "%s/" GK_TOKENUSE_FILE, state);
	f = fopen(path, "w");
	fputs("garbage", f);
	fclose(f);
	ok(gk_apptoken_touch(state, &used, T0 + 5000 + 3 * GK_APPTOKEN_TOUCH_EVERY, &err) != GK_OK,
	    "a mangled last-use file is not written (the caller only logs)");
	list_into("dave", out, sizeof(out));
	ok(strstr(out, "last-used=never") != NULL, "  and reads as never used");
	chmod(path, 0666);
	unlink(path);
	is_int(gk_apptoken_touch(state, &used, T0 + 5000 + 5 * GK_APPTOKEN_TOUCH_EVERY, &err), GK_OK,
	    "removed: started afresh");
	chmod(path, 0622);
	list_into("dave", out, sizeof(out));
	ok(strstr(out, "last-used=never") != NULL, "a group-writable file is not believed");
	gk_pw_ctx_free(a.pw);
	gk_lockout_close(a.lk);
}

int
main(void)
{
	if (tokenfix_open("t_apptoken") != 0)
		return 99;
	test_format();
	test_auth();
	test_scope();
	test_touch();
	tokenfix_close();
	return done_testing();
}
