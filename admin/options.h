/* options.h: gatekeep-passwd's command line (options.c) and the paths it resolves to (paths.c). */
#ifndef GK_ADMIN_OPTIONS_H
#define GK_ADMIN_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "passwd.h"

/* What the command does (one per command line). */
enum pw_mode {
	M_SET = 0,      /* add a user or change a password and/or attributes (the default) */
	M_DELETE,       /* -D */
	M_VERIFY,       /* -v */
	M_PRINT,        /* -n */
	M_INIT,         /* --init */
	M_LIST,         /* -l, --list */
	M_SHOW,         /* --show USER */
	M_IMPORT,       /* --import FILE */
	M_EXPORT,       /* --export */
	M_CHECK,        /* --check */
	M_ROTATE,       /* --rotate-secret */
	M_UNBAN,        /* --unban USER and/or --unban-address ADDR */
	M_LOCKSTAT,     /* --lockout-status USER and/or --lockout-status-address ADDR */
	M_TOTP_ENROL,   /* --totp-enrol USER (admin/totp.c) */
	M_TOTP_REMOVE,  /* --totp-remove USER */
	M_TOKEN_ADD,    /* --token-add USER (admin/tokens.c) */
	M_TOKEN_LIST,   /* --token-list USER */
	M_TOKEN_REVOKE, /* --token-revoke USER NAME */
	M_ZEROHOP_KEY   /* --zero-hop-key FILE (admin/zerohop_key.c) */
};

/* The command line, parsed. */
struct pw_opts {
	enum pw_mode mode;
	const char *mode_name;
	bool create, batch, from_stdin, force, leaked;
	bool with_creds;        /* --export --with-credentials */
	bool method_set;
	enum gk_pw_method method;
	unsigned long cost;
	const char *show_user;
	const char *ban_user;      /* --unban / --lockout-status */
	const char *ban_addr;      /* --unban-address / --lockout-status-address */
	const char *import_file;
	const char *config_path;
	const char *secret_path;
	struct pw_attrs attrs;
	const char *attr_name;     /* first attribute option seen, for messages */
	const char *totp_user;     /* --totp-enrol / --totp-remove */
	const char *token_user;    /* --token-add / --token-list / --token-revoke */
	const char *token_name;    /* --token-add: --name (else the display name) */
	const char *token_expires; /* --token-add: --expires */
	const char *token_scope;   /* --token-add: --scope */
	const char *zerohop_out;   /* --zero-hop-key FILE */
	bool nginx_module;         /* --zero-hop-key: --nginx-module */
};

/*
 * Parses the options of argv into o (zeroed by the caller) and leaves optind at the first
 * operand.  EX_PW_OK, or an exit code with the message printed.  --help and --version
 * print and exit.
 */
int pw_parse_args(int argc, char **argv, struct pw_opts *o);

/* paths.c: each returns an EX_PW_* code, its message printed. */

/*
 * The secret file, into out: --secret-file, else secret_file when the configuration sets it
 * to something other than the built-in default, else "secret" in dbpath's directory.
 */
int pw_resolve_secret(const struct pw_opts *o, const char *dbpath, char *out, size_t outsz);

/* The database path, into out: the positional DBFILE (arg), or `database` from the configuration. */
int pw_resolve_db(const struct pw_opts *o, const char *arg, char *out, size_t outsz);

/*
 * The lockout table's directory as the services find it, into out: state_dir when the
 * configuration sets it, else "state" beside the database, where dbarg, when not NULL,
 * stands for the configuration's database.  Also fills lc.
 */
struct gk_lockout_conf;
/* state_backend = redis: raises the store's generation of name (a revocation everywhere). */
int pw_revoke_shared(const struct pw_opts *o, const char *name, uint32_t record_gen);
int pw_resolve_state_dir(const struct pw_opts *o, const char *dbarg, char *out, size_t outsz,
    struct gk_lockout_conf *lc);

/* backend.c: EX_PW_OK, or EX_PW_GENERAL (message printed) for a user command on a read-only backend. */
int pw_backend_check(const struct pw_opts *o);
/* totp.c: --totp-enrol / --totp-remove (an EX_PW_* code), and the status --list and --show print. */
struct gk_userdb;
int pw_totp_run(const struct pw_opts *o, const char *db);
const char *pw_totp_flag(struct gk_userdb *db, const char *user);
void pw_totp_show(struct gk_userdb *db, const char *user, FILE *out);

#endif
