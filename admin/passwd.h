/* passwd.h: exit codes and the helpers shared by the gatekeep-passwd source files (messages: util.c). */
#ifndef GK_ADMIN_PASSWD_H
#define GK_ADMIN_PASSWD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common.h"
#include "password.h"
#include "record.h"

/*
 * Exit codes: htpasswd's table (Apache support/passwd_common.h) so scripts
 * written for htpasswd keep working; documented in gatekeep-passwd.1.
 */
#define EX_PW_OK        0   /* success */
#define EX_PW_FILE      1   /* a file cannot be read, created, written or locked */
#define EX_PW_SYNTAX    2   /* command-line syntax or an invalid option value */
#define EX_PW_MISMATCH  3   /* verification failed, or the retyped password differed */
#define EX_PW_INTR      4   /* interrupted while prompting */
#define EX_PW_OVERFLOW  5   /* a value is too long */
#define EX_PW_BADUSER   6   /* illegal user name, or no such user */
#define EX_PW_INVALID   7   /* not a valid database, or an invalid line in an import file */
#define EX_PW_GENERAL   9   /* configuration or internal error */
#define EX_PW_ALG       10  /* hashing method not supported */

#define PROG "gatekeep-passwd"

/* Prints "gatekeep-passwd: " + message + newline to stderr. */
void pw_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints a lib/ error about database db, prefixed with db unless the message already names it. */
void pw_dberr(const char *db, const char *msg);

/* Copies s into buf for an error message, control bytes, '\\' and '\'' as \xHH, cut with "..." (bufsz >= 8). */
const char *pw_quote(const char *s, char *buf, size_t bufsz);

/* Maps a lib/ status to an exit code for a database operation. */
int pw_exit_for_status(int status);

/*
 * A user lookup's status st as an exit code, the refusal said: GK_OK is EX_PW_OK;
 * GK_NOTFOUND is "db: no such user 'name'" and EX_PW_BADUSER; an error is errmsg
 * (pw_dberr) and pw_exit_for_status.
 */
int pw_user_status(const char *db, const char *name, int st, const char *errmsg);

/*
 * EX_PW_OK when a NEW user name differs from no user of db only by case ("ALICE" beside
 * "alice": lib/extuser's rule); else the refusal printed, prefixed with where, and
 * EX_PW_BADUSER (EX_PW_FILE when db cannot be read). Call it holding db's writer lock.
 */
int pw_new_name_check(const char *db, const char *where, const char *name);

/* Prints the message and the --help hint to stderr; returns EX_PW_SYNTAX. */
int pw_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Attribute changes from the command line (NULL / false = leave unchanged). attrs.c */
struct pw_attrs {
	const char *groups;          /* --groups: replace the list ("" clears) */
	const char *add_groups;      /* --add-group: comma list to add */
	const char *remove_groups;   /* --remove-group: comma list to remove */
	const char *email;           /* --email ("" clears) */
	const char *display;         /* --name ("" clears) */
	bool set_perm;
	enum gk_perm perm;
	bool set_level;
	uint16_t level;
	int disable;                 /* 1 --disable, -1 --enable, 0 unchanged */
	bool revoke;                 /* --revoke-sessions */
};

/* True if any attribute option was given. */
bool pw_attrs_any(const struct pw_attrs *a);

/* Applies a to u (not its generation: the caller bumps it once). Returns an EX_PW_* code, message printed. */
int pw_attrs_apply(const struct pw_attrs *a, struct gk_user *u);

/* True when applying a should revoke the user's sessions (disable, revoke). */
bool pw_attrs_revokes(const struct pw_attrs *a);

/* Bumps u's token generation (never to 0), which invalidates every session. */
void pw_bump_generation(struct gk_user *u);

/* prompt.c */

/*
 * Prompts on /dev/tty without echo (twice when confirm) and fills buf
 * (bufsz bytes, NUL-terminated). Returns an EX_PW_* code; the buffers it
 * used are wiped before it returns.
 */
int pw_prompt(const char *prompt, bool confirm, char *buf, size_t bufsz);

/*
 * Reads one line from fp: strips one trailing "\n" or "\r\n", refuses NUL
 * bytes and lines that do not fit bufsz. Returns an EX_PW_* code.
 */
int pw_read_line(FILE *fp, char *buf, size_t bufsz);

/* import.c */

/* Which stored hash formats --import accepts (by prefix): bcrypt, sha-crypt, yescrypt, apr1, {SHA}. */
bool pw_import_hash_ok(const char *hash);

/*
 * Parses one htpasswd line (no trailing newline) into name and hash (both
 * NUL-terminated, of GK_USER_MAX + 1 and GK_HASH_MAX bytes). Returns
 * EX_PW_OK, or an exit code with why in err.
 */
int pw_import_parse_line(const char *line, size_t len, char *name, char *hash, struct gk_err *err);

/*
 * Imports an htpasswd file (path, or "-" for standard input) inside txn:
 * every line must be valid or nothing is imported. Existing users are an
 * error unless force (then their hash is replaced), and so is a new name that
 * differs from one of db's or of an earlier line only by case. The "#gatekeep-user"
 * and "#gatekeep-creds" lines of --export --with-credentials are read only with
 * with_creds; without it a file that has one is refused. a is applied to each
 * imported user. Returns an EX_PW_* code; messages are printed.
 */
struct gk_userdb_txn;
int pw_import_file(const char *path, const char *db, struct gk_userdb_txn *txn,
    const struct pw_attrs *a, bool force, bool with_creds, int64_t now, size_t *added,
    size_t *replaced);

/* precheck.c: checks made before any prompt or change, each message printed. */
/* EX_PW_SYNTAX, naming the method's range, when cost (0 = the default) is out of it. */
int pw_cost_check(enum gk_pw_method m, unsigned long cost);
/* EX_PW_FILE, naming the directory and the permission needed, when the directory of db
 * cannot take the new file and the lock file a change writes beside db. */
int pw_dir_check(const char *db);
/* EX_PW_FILE when db exists and create is set (-c), or is missing and create is not. */
int pw_db_presence_check(const char *db, bool create);
/* Whether something is at path (an error other than ENOENT counts as yes). */
bool pw_path_exists(const char *path);

/* listing.c: read-only commands over an open database; each returns an EX_PW_* code. */
struct gk_userdb;
int pw_list(struct gk_userdb *db, const char *dbpath, FILE *out);
int pw_show(struct gk_userdb *db, const char *dbpath, const char *name, FILE *out);
/* with_creds: each user's credentials as a PW_CREDS_LINE after the user's line (creds_io.c). */
int pw_export(struct gk_userdb *db, const char *dbpath, FILE *out, size_t *skipped,
    bool with_creds);

/* creds_io.c: credentials through --export --with-credentials and --import. */
#define PW_CREDS_LINE "#gatekeep-creds"
/* Prints name's line when the user has credentials (*had then set); an EX_PW_* code. */
int pw_creds_export_line(struct gk_userdb *db, const char *name, FILE *out, bool *had);
/*
 * p: just after a "#gatekeep-..." tag. Its " USER " must name last_user (the line
 * before's user): the space after USER, or NULL (the refusal said, kind names the line,
 * shape what follows the tag).
 */
const char *pw_line_user(const char *where, const char *p, const char *last_user, const char *kind,
    const char *shape);
/* Imports one credentials line for last_user (the line before), inside txn; EX_PW_*. */
int pw_creds_import_line(struct gk_userdb_txn *txn, const char *where, const char *line,
    const char *last_user);

/* user_io.c: a user's created time and generation through --export --with-credentials and --import. */
#define PW_USER_LINE "#gatekeep-user"
/* Prints the user's line; an EX_PW_* code. */
int pw_user_export_line(const char *name, int64_t created, uint32_t generation, FILE *out);
/*
 * Imports one user line for last_user (the line before), inside txn: its created time and
 * generation, unless replaced (--force kept the existing user); EX_PW_*.
 */
int pw_user_import_line(struct gk_userdb_txn *txn, const char *where, const char *line,
    const char *last_user, bool replaced, int64_t now);

/* A short name for a stored hash's method: "yescrypt", "bcrypt", ... "none", "unknown". */
const char *pw_hash_method_name(const char *hash);

/* bans.c: the login lockout table (lib/lockout) seen from the admin side. */

/*
 * Parses an IPv4 or IPv6 address: canon gets the text the services count
 * (inet_ntop's), shown the key it falls under (an IPv6 /64). EX_PW_SYNTAX,
 * message printed, if it does not parse.
 */
int pw_lockout_addr(const char *in, char *canon, size_t canonsz, char *shown, size_t shownsz);

/*
 * Prints the failures and ban of user and/or addr (!unban), or clears them
 * (unban), in state_dir's table. Never creates the table; as root, switches
 * to the table's owner first. Returns an EX_PW_* code, messages printed.
 */
struct gk_lockout_conf;
int pw_lockout_run(const char *state_dir, const struct gk_lockout_conf *conf, bool unban,
    const char *user, const char *addr, const char *addr_shown);

/* tokens.c: the --token-* commands (app passwords) over the operands pos (USER's NAME for --token-revoke, DBFILE). */
struct pw_opts;
int pw_token_run(const struct pw_opts *o, char **pos, int npos);
/* zerohop_key.c: --zero-hop-key=FILE [--nginx-module] [DBFILE]: nginx's ticket key include. */
struct pw_opts;
int pw_zerohop_run(const struct pw_opts *o, char **pos, int npos);

#endif
