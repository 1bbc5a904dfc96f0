/* gatekeep-passwd.c: the htpasswd/htdbm-compatible admin tool: options, commands, exit codes. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "lockout.h"
#include "passwd.h"
#include "secret.h"
#include "userdb.h"
#include "validate.h"

extern char **environ;

/* How long a writer waits for another writer's lock before giving up (exit 1). */
#define LOCK_TIMEOUT_MS 10000

enum mode {
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
	M_LOCKSTAT      /* --lockout-status USER and/or --lockout-status-address ADDR */
};

struct opts {
	enum mode mode;
	const char *mode_name;
	bool create, batch, from_stdin, force, leaked;
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
};

enum {
	OPT_INIT = 256, OPT_SHOW, OPT_GROUPS, OPT_ADD_GROUP, OPT_REMOVE_GROUP, OPT_PERMISSION,
	OPT_EMAIL, OPT_NAME, OPT_LEVEL, OPT_DISABLE, OPT_ENABLE, OPT_REVOKE, OPT_IMPORT,
	OPT_EXPORT, OPT_CHECK, OPT_ROTATE, OPT_LEAKED, OPT_FORCE, OPT_CONFIG, OPT_SECRET, OPT_HELP,
	OPT_VERSION, OPT_UNBAN, OPT_UNBAN_ADDR, OPT_LOCKSTAT, OPT_LOCKSTAT_ADDR
};

static const struct option long_options[] = {
	{ "create", no_argument, NULL, 'c' },
	{ "batch", no_argument, NULL, 'b' },
	{ "stdin", no_argument, NULL, 'i' },
	{ "delete", no_argument, NULL, 'D' },
	{ "verify", no_argument, NULL, 'v' },
	{ "print", no_argument, NULL, 'n' },
	{ "bcrypt", no_argument, NULL, 'B' },
	{ "sha256", no_argument, NULL, '2' },
	{ "sha512", no_argument, NULL, '5' },
	{ "yescrypt", no_argument, NULL, 'y' },
	{ "cost", required_argument, NULL, 'C' },
	{ "list", no_argument, NULL, 'l' },
	{ "init", no_argument, NULL, OPT_INIT },
	{ "show", required_argument, NULL, OPT_SHOW },
	{ "groups", required_argument, NULL, OPT_GROUPS },
	{ "add-group", required_argument, NULL, OPT_ADD_GROUP },
	{ "remove-group", required_argument, NULL, OPT_REMOVE_GROUP },
	{ "permission", required_argument, NULL, OPT_PERMISSION },
	{ "email", required_argument, NULL, OPT_EMAIL },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "level", required_argument, NULL, OPT_LEVEL },
	{ "disable", no_argument, NULL, OPT_DISABLE },
	{ "enable", no_argument, NULL, OPT_ENABLE },
	{ "revoke-sessions", no_argument, NULL, OPT_REVOKE },
	{ "import", required_argument, NULL, OPT_IMPORT },
	{ "export", no_argument, NULL, OPT_EXPORT },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "rotate-secret", no_argument, NULL, OPT_ROTATE },
	{ "leaked", no_argument, NULL, OPT_LEAKED },
	{ "unban", required_argument, NULL, OPT_UNBAN },
	{ "unban-address", required_argument, NULL, OPT_UNBAN_ADDR },
	{ "lockout-status", required_argument, NULL, OPT_LOCKSTAT },
	{ "lockout-status-address", required_argument, NULL, OPT_LOCKSTAT_ADDR },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "secret-file", required_argument, NULL, OPT_SECRET },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 }
};

void
pw_warnx(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
pw_dberr(const char *db, const char *msg)
{
	size_t len = strlen(db);

	if (strncmp(msg, db, len) == 0 && msg[len] == ':')
		pw_warnx("%s", msg);
	else
		pw_warnx("%s: %s", db, msg);
}

const char *
pw_quote(const char *s, char *buf, size_t bufsz)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, need;
	unsigned char c;
	bool esc;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		esc = c < 0x20 || c == 0x7f || c == '\\' || c == '\'';
		need = esc ? 4 : 1;
		if (o + need + 4 > bufsz) {   /* keep room for "..." and the NUL */
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (esc) {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 15];
		} else {
			buf[o++] = (char)c;
		}
	}
	buf[o] = '\0';
	return buf;
}

int
pw_exit_for_status(int status)
{
	switch (status) {
	case GK_OK:
		return EX_PW_OK;
	case GK_NOTFOUND:
		return EX_PW_BADUSER;
	case GK_EIO:
	case GK_EBUSY:
		return EX_PW_FILE;
	case GK_ECORRUPT:
		return EX_PW_INVALID;
	case GK_ETOOLONG:
		return EX_PW_OVERFLOW;
	case GK_EINVAL:
	case GK_EDUP:
		return EX_PW_SYNTAX;
	default:
		return EX_PW_GENERAL;
	}
}

static void
usage_lines(FILE *fp)
{
	fprintf(fp,
	    "Usage: " PROG " [-c] [-B|-2|-5|-y] [-C cost] [ATTRIBUTES] DBFILE USER\n"
	    "       " PROG " -b [-c] [-B|-2|-5|-y] [-C cost] [ATTRIBUTES] DBFILE USER PASSWORD\n"
	    "       " PROG " -i [-c] [-B|-2|-5|-y] [-C cost] [ATTRIBUTES] DBFILE USER < pwfile\n"
	    "       " PROG " ATTRIBUTES DBFILE USER\n"
	    "       " PROG " -D|-x DBFILE USER\n"
	    "       " PROG " -v [-b|-i] DBFILE USER [PASSWORD]\n"
	    "       " PROG " -n [-b|-i] [-B|-2|-5|-y] [-C cost] USER [PASSWORD]\n"
	    "       " PROG " --init | -l | --show USER | --export | --check [DBFILE]\n"
	    "       " PROG " --rotate-secret [--leaked] [DBFILE]\n"
	    "       " PROG " --import FILE [-c] [--force] [ATTRIBUTES] [DBFILE]\n"
	    "       " PROG " --unban USER | --unban-address ADDR [DBFILE]\n"
	    "       " PROG " --lockout-status USER | --lockout-status-address ADDR [DBFILE]\n");
}

static void
help(void)
{
	usage_lines(stdout);
	printf("\nManage the gatekeep user database (GDBM); htpasswd-compatible options.\n"
	    "\n"
	    "Passwords:\n"
	    "  -c, --create          create DBFILE (it must not exist yet)\n"
	    "  -b, --batch           take the password from the command line\n"
	    "  -i, --stdin           read the password from standard input (one line)\n"
	    "  -D, --delete          delete USER (none such: a message, exit 0); -x is the same\n"
	    "  -v, --verify          verify USER's password\n"
	    "  -n, --print           print \"USER:hash\" instead of storing it (no DBFILE)\n"
	    "  -y, --yescrypt        hash with yescrypt (the default: the system's preferred method)\n"
	    "  -B, --bcrypt          hash with bcrypt (cost 12 unless -C)\n"
	    "  -2, --sha256          hash with sha256-crypt ($5$), as htpasswd -2\n"
	    "  -5, --sha512          hash with sha512-crypt ($6$), as htpasswd -5; -6 is the same\n"
	    "  -C, --cost=N          yescrypt 1-11 (default 5), bcrypt 10-31 (12), sha-crypt\n"
	    "                        rounds 1000-999999999 (5000); -r is the same\n"
	    "\n"
	    "Attributes (with USER, or with --import for every imported user):\n"
	    "      --groups=A,B      set the groups (\"\" clears)\n"
	    "      --add-group=A,B   add groups\n"
	    "      --remove-group=A,B remove groups\n"
	    "      --permission=P    none, ro or rw (full = rw)\n"
	    "      --email=ADDR      set the e-mail address (\"\" clears)\n"
	    "      --name=DISPLAY    set the display name (\"\" clears)\n"
	    "      --level=N         set the level, 0 (admin) to 999 (guest)\n"
	    "      --disable         disable the user (and revoke its sessions)\n"
	    "      --enable          enable the user\n"
	    "      --revoke-sessions invalidate every session of the user\n"
	    "\n"
	    "Database:\n"
	    "      --init            create DBFILE and the secret file (both mode 0600)\n"
	    "  -l, --list            list users: name, flags, permission, groups, e-mail\n"
	    "      --show=USER       show one user (never the hash)\n"
	    "      --import=FILE     import an htpasswd file, all or nothing (\"-\" = stdin)\n"
	    "      --force           with --import: replace existing users' passwords\n"
	    "      --export          print htpasswd lines for users with a password\n"
	    "      --check           check the database's integrity\n"
	    "      --rotate-secret   replace the session secret (the old one stays valid a while)\n"
	    "      --leaked          with --rotate-secret: the old key leaked, refuse its cookies now\n"
	    "      --config=FILE     configuration file (default: $GATEKEEP_CONFIG or %s)\n"
	    "      --secret-file=F   the secret file (default: secret_file, or \"secret\" beside DBFILE)\n"
	    "      --help            show this help and exit\n"
	    "      --version         show the version and exit\n"
	    "\n"
	    "Login lockout (the table in state_dir that gatekeep-authz and gatekeep-login share):\n"
	    "      --lockout-status=USER          print USER's failures and ban\n"
	    "      --lockout-status-address=ADDR  the same for a client address (IPv6: its /64)\n"
	    "      --unban=USER                   clear USER's failures and ban\n"
	    "      --unban-address=ADDR           clear an address's failures and ban\n"
	    "  (DBFILE only locates state_dir when the configuration does not set it;\n"
	    "  as root, the table is used as its owner, the services' user)\n"
	    "\n"
	    "Exit status: 0 ok, 1 file problem, 2 usage, 3 password mismatch, 4 interrupted,\n"
	    "5 value too long, 6 bad or unknown user, 7 invalid database or import file,\n"
	    "9 other error, 10 hashing method not supported. See gatekeep-passwd(1).\n",
	    GK_CONFIG_DEFAULT_PATH);
}

static int
usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fprintf(stderr, "Try '" PROG " --help' for more information.\n");
	return EX_PW_SYNTAX;
}

static int
set_mode(struct opts *o, enum mode m, const char *name)
{
	if (o->mode != M_SET && o->mode != m)
		return usage_error("%s and %s cannot be combined", o->mode_name, name);
	o->mode = m;
	o->mode_name = name;
	return EX_PW_OK;
}

static int
set_method(struct opts *o, enum gk_pw_method m)
{
	if (o->method_set && o->method != m)
		return usage_error("choose only one of -B, -2, -5 (-6) and -y");
	o->method_set = true;
	o->method = m;
	return EX_PW_OK;
}

/* --unban[-address], --lockout-status[-address]: at most one user and one address. */
static int
set_ban_target(struct opts *o, int c, const char *arg)
{
	static const char *const names[] = { "--unban", "--unban-address", "--lockout-status",
		"--lockout-status-address" };
	const char *name = names[c - OPT_UNBAN];
	bool is_addr = c == OPT_UNBAN_ADDR || c == OPT_LOCKSTAT_ADDR;
	const char **slot = is_addr ? &o->ban_addr : &o->ban_user;
	int rc;

	rc = set_mode(o, c == OPT_UNBAN || c == OPT_UNBAN_ADDR ? M_UNBAN : M_LOCKSTAT, name);
	if (rc != EX_PW_OK)
		return rc;
	if (*slot != NULL)
		return usage_error("%s given twice (one %s per command)", name,
		    is_addr ? "address" : "user");
	*slot = arg;
	return EX_PW_OK;
}

static int
parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Validates a comma-separated group list given to --groups/--add-group/--remove-group. */
static int
check_groups(const char *opt, const char *s, bool allow_empty)
{
	char q[80];
	size_t len = strlen(s);

	if (len > GK_GROUPS_MAX) {
		pw_warnx("%s: group list too long (at most %d bytes)", opt, GK_GROUPS_MAX);
		return EX_PW_OVERFLOW;
	}
	if ((len == 0 && !allow_empty) || !gk_valid_group_list(s, len)) {
		pw_warnx("%s: invalid group list '%s' (groups are [A-Za-z0-9._-], starting "
		    "with a letter or digit, separated by commas, no duplicates)", opt,
		    pw_quote(s, q, sizeof(q)));
		return EX_PW_SYNTAX;
	}
	return EX_PW_OK;
}

static int
parse_args(int argc, char **argv, struct opts *o)
{
	struct pw_attrs *a = &o->attrs;
	char q[80];
	unsigned long v;
	size_t len;
	int c, rc;

	o->mode_name = "";
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:cbiDxvnyB256C:r:lmsdp", long_options, NULL)) != -1) {
		rc = EX_PW_OK;
		switch (c) {
		case 'c': o->create = true; break;
		case 'b': o->batch = true; break;
		case 'i': o->from_stdin = true; break;
		case 'D':
		case 'x': rc = set_mode(o, M_DELETE, c == 'D' ? "-D" : "-x"); break;
		case 'v': rc = set_mode(o, M_VERIFY, "-v"); break;
		case 'n': rc = set_mode(o, M_PRINT, "-n"); break;
		case 'y': rc = set_method(o, GK_PW_YESCRYPT); break;
		case 'B': rc = set_method(o, GK_PW_BCRYPT); break;
		case '2': rc = set_method(o, GK_PW_SHA256); break;   /* htpasswd's letters */
		case '5':
		case '6': rc = set_method(o, GK_PW_SHA512); break;
		case 'C':
		case 'r':
			if (parse_ulong(optarg, 999999999UL, &o->cost) != 0 || o->cost == 0)
				return usage_error("-%c: invalid cost '%s'", c,
				    pw_quote(optarg, q, sizeof(q)));
			break;
		case 'm':
		case 's':
		case 'd':
		case 'p':
			pw_warnx("-%c: %s hashes are not supported; use -y (default), -B, -5 or -2", c,
			    c == 'm' ? "Apache MD5 ($apr1$)" : c == 's' ? "SHA-1 ({SHA})" :
			    c == 'd' ? "DES crypt" : "plaintext");
			return EX_PW_ALG;
		case 'l': rc = set_mode(o, M_LIST, "--list"); break;
		case OPT_INIT: rc = set_mode(o, M_INIT, "--init"); break;
		case OPT_SHOW:
			rc = set_mode(o, M_SHOW, "--show");
			o->show_user = optarg;
			break;
		case OPT_IMPORT:
			rc = set_mode(o, M_IMPORT, "--import");
			o->import_file = optarg;
			break;
		case OPT_EXPORT: rc = set_mode(o, M_EXPORT, "--export"); break;
		case OPT_CHECK: rc = set_mode(o, M_CHECK, "--check"); break;
		case OPT_ROTATE: rc = set_mode(o, M_ROTATE, "--rotate-secret"); break;
		case OPT_LEAKED: o->leaked = true; break;
		case OPT_FORCE: o->force = true; break;
		case OPT_CONFIG: o->config_path = optarg; break;
		case OPT_SECRET: o->secret_path = optarg; break;
		case OPT_GROUPS:
			if ((rc = check_groups("--groups", optarg, true)) != EX_PW_OK)
				return rc;
			a->groups = optarg;
			o->attr_name = "--groups";
			break;
		case OPT_ADD_GROUP:
			if ((rc = check_groups("--add-group", optarg, false)) != EX_PW_OK)
				return rc;
			a->add_groups = optarg;
			o->attr_name = "--add-group";
			break;
		case OPT_REMOVE_GROUP:
			if ((rc = check_groups("--remove-group", optarg, false)) != EX_PW_OK)
				return rc;
			a->remove_groups = optarg;
			o->attr_name = "--remove-group";
			break;
		case OPT_PERMISSION:
			if (gk_perm_parse(optarg, &a->perm) != GK_OK) {
				pw_warnx("--permission: invalid permission '%s' (none, ro or rw)",
				    pw_quote(optarg, q, sizeof(q)));
				return EX_PW_SYNTAX;
			}
			a->set_perm = true;
			o->attr_name = "--permission";
			break;
		case OPT_EMAIL:
			len = strlen(optarg);
			if (len > GK_EMAIL_MAX) {
				pw_warnx("--email: address too long (at most %d bytes)", GK_EMAIL_MAX);
				return EX_PW_OVERFLOW;
			}
			if (len > 0 && !gk_valid_email(optarg, len)) {
				pw_warnx("--email: invalid e-mail address '%s'",
				    pw_quote(optarg, q, sizeof(q)));
				return EX_PW_SYNTAX;
			}
			a->email = optarg;
			o->attr_name = "--email";
			break;
		case OPT_NAME:
			len = strlen(optarg);
			if (len > GK_DISPLAY_MAX) {
				pw_warnx("--name: display name too long (at most %d bytes)", GK_DISPLAY_MAX);
				return EX_PW_OVERFLOW;
			}
			if (!gk_valid_display(optarg, len)) {
				pw_warnx("--name: invalid display name (control characters or bad UTF-8)");
				return EX_PW_SYNTAX;
			}
			a->display = optarg;
			o->attr_name = "--name";
			break;
		case OPT_LEVEL:
			if (parse_ulong(optarg, GK_LEVEL_GUEST, &v) != 0) {
				pw_warnx("--level: invalid level '%s' (0 to %d)",
				    pw_quote(optarg, q, sizeof(q)), GK_LEVEL_GUEST);
				return EX_PW_SYNTAX;
			}
			a->set_level = true;
			a->level = (uint16_t)v;
			o->attr_name = "--level";
			break;
		case OPT_DISABLE:
		case OPT_ENABLE:
			if (a->disable != 0 && a->disable != (c == OPT_DISABLE ? 1 : -1))
				return usage_error("--disable and --enable cannot be combined");
			a->disable = c == OPT_DISABLE ? 1 : -1;
			o->attr_name = c == OPT_DISABLE ? "--disable" : "--enable";
			break;
		case OPT_REVOKE:
			a->revoke = true;
			o->attr_name = "--revoke-sessions";
			break;
		case OPT_UNBAN:
		case OPT_LOCKSTAT:
		case OPT_UNBAN_ADDR:
		case OPT_LOCKSTAT_ADDR:
			if ((rc = set_ban_target(o, c, optarg)) != EX_PW_OK)
				return rc;
			break;
		case OPT_HELP:
			help();
			exit(fflush(stdout) == 0 && !ferror(stdout) ? EX_PW_OK : EX_PW_FILE);
		case OPT_VERSION:
			printf(PROG " (" PACKAGE_NAME ") " PACKAGE_VERSION "\n");
			exit(fflush(stdout) == 0 && !ferror(stdout) ? EX_PW_OK : EX_PW_FILE);
		case ':':
			if (optopt != 0 && optopt < 256)
				return usage_error("option -%c needs an argument", optopt);
			return usage_error("option %s needs an argument", argv[optind - 1]);
		default:
			if (optopt != 0 && optopt < 256)
				return usage_error("unknown option -%c", optopt);
			return usage_error("unknown option %s", argv[optind - 1]);
		}
		if (rc != EX_PW_OK)
			return rc;
	}
	if (o->mode == M_SET)
		o->mode_name = "setting a password";
	return EX_PW_OK;
}

/*
 * Checks a user name from the command line, saying exactly what is wrong with it.
 * stored: also a name written before names starting with '-' were refused.
 */
static int
check_name(const char *name, bool stored)
{
	size_t len = strlen(name), i;

	if (len > GK_USER_MAX) {
		pw_warnx("user name too long (at most %d bytes)", GK_USER_MAX);
		return EX_PW_OVERFLOW;
	}
	if (stored ? gk_valid_stored_user(name, len) : gk_valid_user(name, len))
		return EX_PW_OK;
	if (len == 0) {
		pw_warnx("empty user name");
		return EX_PW_BADUSER;
	}
	if (name[0] == '-' && gk_valid_stored_user(name, len)) {
		pw_warnx("user name '%s' starts with '-', which scripts would take for an option",
		    name);
		return EX_PW_BADUSER;
	}
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)name[i];

		if (ch == ':' || ch == ',') {
			pw_warnx("user name contains illegal character '%c'", ch);
			return EX_PW_BADUSER;
		}
		if (ch < 0x20 || ch == 0x7f) {
			pw_warnx("user name contains a control character (0x%02x)", ch);
			return EX_PW_BADUSER;
		}
	}
	if (name[0] == ' ' || name[len - 1] == ' ')
		pw_warnx("user name starts or ends with a space");
	else
		pw_warnx("user name is not valid UTF-8 text (or holds a control character)");
	return EX_PW_BADUSER;
}

/* A name for a new or existing user: never one starting with '-'. */
static int
check_user(const char *name)
{
	return check_name(name, false);
}

/* Loads the configuration (only commands that need it do). */
static int
load_config(const struct opts *o, struct gk_config *cfg)
{
	struct gk_err err = { "" };
	int st;

	st = gk_config_load(cfg, o->config_path, environ, &err);
	if (st != GK_OK) {
		pw_warnx("configuration: %s", err.msg);
		return EX_PW_GENERAL;
	}
	return EX_PW_OK;
}

/* "secret" beside path's directory, into out. */
static int
beside(const char *path, const char *file, char *out, size_t outsz)
{
	const char *slash = strrchr(path, '/');
	int n;

	if (slash == NULL)
		n = snprintf(out, outsz, "%s", file);
	else
		n = snprintf(out, outsz, "%.*s/%s", (int)(slash - path), path, file);
	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

/*
 * The secret file: --secret-file, else secret_file when the configuration
 * (file or GATEKEEP_SECRET_FILE) sets it to something other than the
 * built-in default, else "secret" in DBFILE's directory.
 */
static int
resolve_secret(const struct opts *o, const char *dbpath, char *out, size_t outsz)
{
	struct gk_config cfg, def;
	struct gk_err err = { "" };
	int rc;
	bool use_cfg;

	if (o->secret_path != NULL) {
		if (gk_strcpy(out, outsz, o->secret_path) != GK_OK) {
			pw_warnx("--secret-file: path too long");
			return EX_PW_OVERFLOW;
		}
		return EX_PW_OK;
	}
	memset(&cfg, 0, sizeof(cfg));
	memset(&def, 0, sizeof(def));
	if ((rc = load_config(o, &cfg)) != EX_PW_OK) {
		gk_config_free(&cfg);
		return rc;
	}
	if (gk_config_defaults(&def, &err) != GK_OK) {
		pw_warnx("configuration: %s", err.msg);
		gk_config_free(&cfg);
		gk_config_free(&def);
		return EX_PW_GENERAL;
	}
	use_cfg = cfg.secret_file != NULL && cfg.secret_file[0] != '\0' &&
	    (def.secret_file == NULL || strcmp(cfg.secret_file, def.secret_file) != 0);
	if (use_cfg)
		rc = gk_strcpy(out, outsz, cfg.secret_file) == GK_OK ? 0 : -1;
	else
		rc = beside(dbpath, "secret", out, outsz);
	gk_config_free(&cfg);
	gk_config_free(&def);
	if (rc != 0) {
		pw_warnx("secret file path too long");
		return EX_PW_OVERFLOW;
	}
	return EX_PW_OK;
}

/* The database path: the positional DBFILE, or `database` from the configuration. */
static int
resolve_db(const struct opts *o, const char *arg, char *out, size_t outsz)
{
	struct gk_config cfg;
	int rc;

	if (arg != NULL) {
		if (arg[0] == '\0') {
			pw_warnx("empty DBFILE");
			return EX_PW_SYNTAX;
		}
		if (gk_strcpy(out, outsz, arg) != GK_OK) {
			pw_warnx("DBFILE path too long");
			return EX_PW_OVERFLOW;
		}
		return EX_PW_OK;
	}
	memset(&cfg, 0, sizeof(cfg));
	if ((rc = load_config(o, &cfg)) != EX_PW_OK) {
		gk_config_free(&cfg);
		return rc;
	}
	if (cfg.database == NULL || cfg.database[0] == '\0') {
		gk_config_free(&cfg);
		return usage_error("no DBFILE given and the configuration sets no database");
	}
	rc = gk_strcpy(out, outsz, cfg.database) == GK_OK ? EX_PW_OK : EX_PW_OVERFLOW;
	gk_config_free(&cfg);
	if (rc != EX_PW_OK)
		pw_warnx("database path too long");
	return rc;
}

/*
 * The lockout table's directory as the services find it: state_dir when the
 * configuration sets it, else "state" beside the database (lib/conf.c's
 * default), where DBFILE, when given, stands for the configuration's
 * database. Also fills lc; the configuration is freed before returning,
 * so nothing of it outlives a switch to the table owner's uid.
 */
static int
resolve_state_dir(const struct opts *o, const char *dbarg, char *out, size_t outsz,
    struct gk_lockout_conf *lc)
{
	struct gk_config cfg;
	int rc = EX_PW_OK;

	if (dbarg != NULL && dbarg[0] == '\0') {
		pw_warnx("empty DBFILE");
		return EX_PW_SYNTAX;
	}
	memset(&cfg, 0, sizeof(cfg));
	if ((rc = load_config(o, &cfg)) != EX_PW_OK) {
		gk_config_free(&cfg);
		return rc;
	}
	if (dbarg != NULL && cfg.state_dir_derived)
		rc = beside(dbarg, "state", out, outsz) == 0 ? EX_PW_OK : EX_PW_OVERFLOW;
	else
		rc = gk_strcpy(out, outsz, cfg.state_dir) == GK_OK ? EX_PW_OK : EX_PW_OVERFLOW;
	gk_lockout_conf_from(lc, &cfg);
	gk_config_free(&cfg);
	if (rc != EX_PW_OK)
		pw_warnx("state_dir path too long");
	return rc;
}

static int
cmd_lockout(const struct opts *o, const char *dbarg)
{
	struct gk_lockout_conf lc;
	char dir[GK_PATH_MAX], canon[64], shown[64];
	int rc;

	/* Every argument is checked before the configuration or the table is looked at. */
	if (o->ban_user != NULL && (rc = check_user(o->ban_user)) != EX_PW_OK)
		return rc;
	if (o->ban_addr != NULL &&
	    (rc = pw_lockout_addr(o->ban_addr, canon, sizeof(canon), shown, sizeof(shown))) !=
	    EX_PW_OK)
		return rc;
	if ((rc = resolve_state_dir(o, dbarg, dir, sizeof(dir), &lc)) != EX_PW_OK)
		return rc;
	return pw_lockout_run(dir, &lc, o->mode == M_UNBAN, o->ban_user,
	    o->ban_addr != NULL ? canon : NULL, shown);
}

/* Gets the password from argv (-b), stdin (-i) or the terminal. */
static int
get_password(const struct opts *o, char *pwarg, bool confirm, const char *prompt,
    char *buf, size_t bufsz)
{
	if (o->batch) {
		if (gk_strcpy(buf, bufsz, pwarg) != GK_OK) {
			gk_wipe(pwarg, strlen(pwarg));
			pw_warnx("password too long (at most %d bytes)", GK_PASSWORD_MAX);
			return EX_PW_OVERFLOW;
		}
		/* Shorten the window in which ps(1) shows it; the shell may still have it. */
		gk_wipe(pwarg, strlen(pwarg));
		return EX_PW_OK;
	}
	if (o->from_stdin)
		return pw_read_line(stdin, buf, bufsz);
	return pw_prompt(prompt, confirm, buf, bufsz);
}

/* Checks the policy and hashes; the password buffer is left for the caller to wipe. */
static int
make_hash(const struct opts *o, const char *pw, char *hash, size_t hashsz)
{
	struct gk_pw_ctx *ctx;
	struct gk_err err = { "" };
	enum gk_pw_method m = o->method_set ? o->method : GK_PW_PREFERRED;
	int st;

	st = gk_pw_policy_check(m, pw, &err);
	if (st != GK_OK) {
		pw_warnx("%s", err.msg);
		return st == GK_ETOOLONG ? EX_PW_OVERFLOW : EX_PW_SYNTAX;
	}
	ctx = gk_pw_ctx_new(&err);
	if (ctx == NULL) {
		pw_warnx("%s", err.msg);
		return EX_PW_GENERAL;
	}
	st = gk_pw_hash(ctx, m, o->cost, pw, hash, hashsz, &err);
	gk_pw_ctx_free(ctx);
	if (st != GK_OK) {
		pw_warnx("%s", err.msg);
		return st == GK_EINVAL ? EX_PW_SYNTAX : st == GK_ETOOLONG ? EX_PW_OVERFLOW : EX_PW_ALG;
	}
	return EX_PW_OK;
}

static int
begin_txn(const struct opts *o, const char *db, struct gk_userdb_txn **txn)
{
	struct gk_err err = { "" };
	int rc, st;

	if ((rc = pw_db_presence_check(db, o->create)) != EX_PW_OK || (rc = pw_dir_check(db)) != EX_PW_OK)
		return rc;
	st = gk_userdb_begin(db, o->create, LOCK_TIMEOUT_MS, txn, &err);
	if (st != GK_OK) {
		if (st == GK_EBUSY)
			pw_warnx("%s: locked by another writer; try again", db);
		else
			pw_dberr(db, err.msg);
		return pw_exit_for_status(st);
	}
	return EX_PW_OK;
}

static int
commit_txn(const char *db, struct gk_userdb_txn *txn)
{
	struct gk_err err = { "" };
	int st;

	st = gk_userdb_commit(txn, &err);
	if (st != GK_OK) {
		pw_dberr(db, err.msg);
		pw_warnx("%s: nothing was changed", db);
		return pw_exit_for_status(st) == EX_PW_GENERAL ? EX_PW_FILE : pw_exit_for_status(st);
	}
	return EX_PW_OK;
}

/* The default command: add a user or update its password and/or attributes. */
static int
cmd_set(const struct opts *o, const char *db, const char *name, char *pwarg)
{
	struct gk_userdb_txn *txn = NULL;
	struct gk_user u;
	struct gk_err err = { "" };
	char pw[GK_PASSWORD_MAX + 2], hash[GK_HASH_MAX];
	bool want_pw = o->batch || o->from_stdin || !pw_attrs_any(&o->attrs);
	bool existed = false;
	int64_t now = (int64_t)time(NULL);
	int rc, st;

	memset(&u, 0, sizeof(u));
	hash[0] = '\0';
	/* Fail before asking for a password the command could not store. */
	if ((rc = pw_db_presence_check(db, o->create)) != EX_PW_OK || (rc = pw_dir_check(db)) != EX_PW_OK)
		goto out;
	/* Hash before taking the lock: hashing is the slow part. */
	if (want_pw) {
		rc = get_password(o, pwarg, true, "New password: ", pw, sizeof(pw));
		if (rc == EX_PW_OK)
			rc = make_hash(o, pw, hash, sizeof(hash));
		gk_wipe(pw, sizeof(pw));
		if (rc != EX_PW_OK)
			goto out;
	}
	if ((rc = begin_txn(o, db, &txn)) != EX_PW_OK)
		goto out;
	st = gk_userdb_txn_get(txn, name, &u, &err);
	if (st == GK_OK) {
		existed = true;
	} else if (st == GK_NOTFOUND) {
		if (!want_pw) {
			pw_warnx("%s: no such user '%s' (give a password with -b or -i to create it)",
			    db, name);
			rc = EX_PW_BADUSER;
			goto out;
		}
		gk_user_init(&u, name, now);
	} else {
		pw_dberr(db, err.msg);
		rc = pw_exit_for_status(st);
		goto out;
	}
	if (want_pw) {
		memcpy(u.hash, hash, sizeof(u.hash));
		u.flags &= ~GK_USER_EXTERNAL;   /* it has a password of its own now */
		u.pw_changed = now;
	}
	if ((rc = pw_attrs_apply(&o->attrs, &u)) != EX_PW_OK)
		goto out;
	/* A new password, --disable or --revoke-sessions ends every existing session. */
	if (existed && (want_pw || pw_attrs_revokes(&o->attrs)))
		pw_bump_generation(&u);
	u.updated = now;
	st = gk_userdb_txn_put(txn, &u, &err);
	if (st != GK_OK) {
		pw_warnx("%s: user '%s': %s", db, name, err.msg);
		rc = pw_exit_for_status(st);
		goto out;
	}
	rc = commit_txn(db, txn);
	txn = NULL;
	if (rc == EX_PW_OK) {
		if (!want_pw)
			pw_warnx("Updating user %s", name);
		else
			pw_warnx("%s password for user %s", existed ? "Updating" : "Adding", name);
	}
out:
	if (txn != NULL)
		gk_userdb_abort(txn);
	gk_wipe(&u, sizeof(u));
	gk_wipe(hash, sizeof(hash));
	return rc;
}

static int
cmd_delete(const struct opts *o, const char *db, const char *name)
{
	struct gk_userdb_txn *txn = NULL;
	struct gk_err err = { "" };
	int rc, st;

	if ((rc = begin_txn(o, db, &txn)) != EX_PW_OK)
		return rc;
	st = gk_userdb_txn_delete(txn, name, &err);
	if (st != GK_OK) {
		gk_userdb_abort(txn);
		if (st == GK_NOTFOUND) {   /* htpasswd -D too: a message, exit 0 */
			pw_warnx("%s: no such user '%s': nothing to delete", db, name);
			return EX_PW_OK;
		}
		pw_dberr(db, err.msg);
		return pw_exit_for_status(st);
	}
	rc = commit_txn(db, txn);
	if (rc == EX_PW_OK)
		pw_warnx("Deleting user %s", name);
	return rc;
}

static int
open_db(const char *db, struct gk_userdb **out)
{
	struct gk_err err = { "" };
	int st;

	st = gk_userdb_open(db, out, &err);
	if (st != GK_OK) {
		pw_dberr(db, err.msg);
		return pw_exit_for_status(st);
	}
	return EX_PW_OK;
}

static int
cmd_verify(const struct opts *o, const char *db, const char *name, char *pwarg)
{
	struct gk_userdb *udb = NULL;
	struct gk_pw_ctx *ctx = NULL;
	struct gk_user u;
	struct gk_err err = { "" };
	char pw[GK_PASSWORD_MAX + 2];
	enum gk_pw_verdict v;
	int rc, st;

	memset(&u, 0, sizeof(u));
	pw[0] = '\0';
	if ((rc = open_db(db, &udb)) != EX_PW_OK)
		goto out;
	if ((rc = get_password(o, pwarg, false, "Enter password: ", pw, sizeof(pw))) != EX_PW_OK)
		goto out;
	ctx = gk_pw_ctx_new(&err);
	if (ctx == NULL) {
		pw_warnx("%s", err.msg);
		rc = EX_PW_GENERAL;
		goto out;
	}
	st = gk_userdb_lookup(udb, name, &u, &err);
	if (st == GK_NOTFOUND) {
		(void)gk_pw_verify_dummy(ctx, pw);
		pw_warnx("%s: no such user '%s'", db, name);
		rc = EX_PW_BADUSER;
		goto out;
	}
	if (st != GK_OK) {
		pw_dberr(db, err.msg);
		rc = pw_exit_for_status(st);
		goto out;
	}
	v = gk_pw_verify(ctx, pw, u.hash);
	if (v == GK_PW_FAIL) {
		pw_warnx("cannot verify the password (internal error)");
		rc = EX_PW_GENERAL;
	} else if (u.flags & GK_USER_DISABLED) {
		pw_warnx("user '%s' is disabled", name);
		rc = EX_PW_MISMATCH;
	} else if (u.hash[0] == '\0') {
		pw_warnx("user '%s' has no password (external user)", name);
		rc = EX_PW_MISMATCH;
	} else if (v != GK_PW_MATCH) {
		pw_warnx("password verification failed");
		rc = EX_PW_MISMATCH;
	} else {
		pw_warnx("Password for user %s correct.", name);
		rc = EX_PW_OK;
	}
out:
	gk_wipe(pw, sizeof(pw));
	gk_wipe(&u, sizeof(u));
	gk_pw_ctx_free(ctx);
	gk_userdb_close(udb);
	return rc;
}

static int
cmd_print(const struct opts *o, const char *name, char *pwarg)
{
	char pw[GK_PASSWORD_MAX + 2], hash[GK_HASH_MAX];
	int rc;

	rc = get_password(o, pwarg, true, "New password: ", pw, sizeof(pw));
	if (rc == EX_PW_OK)
		rc = make_hash(o, pw, hash, sizeof(hash));
	gk_wipe(pw, sizeof(pw));
	if (rc == EX_PW_OK) {
		printf("%s:%s\n", name, hash);
		if (fflush(stdout) != 0 || ferror(stdout)) {
			pw_warnx("cannot write the output");
			rc = EX_PW_FILE;
		}
	}
	gk_wipe(hash, sizeof(hash));
	return rc;
}

static int
cmd_init(const struct opts *o, const char *db)
{
	struct gk_err err = { "" };
	char secret[GK_PATH_MAX];
	int rc;

	if ((rc = resolve_secret(o, db, secret, sizeof(secret))) != EX_PW_OK)
		return rc;
	/* Refuse before creating anything, so a refusal leaves no half-initialised state. */
	if (pw_path_exists(db)) {
		pw_warnx("%s: database already exists; not overwriting it", db);
		return EX_PW_FILE;
	}
	if (pw_path_exists(secret)) {
		pw_warnx("%s: secret file already exists; not overwriting it", secret);
		return EX_PW_FILE;
	}
	if (gk_userdb_create(db, &err) != GK_OK) {
		pw_dberr(db, err.msg);
		return EX_PW_FILE;
	}
	if (gk_secret_create(secret, &err) != GK_OK) {
		pw_dberr(secret, err.msg);
		if (unlink(db) != 0)
			pw_warnx("%s: cannot remove the new database: %s", db, strerror(errno));
		return EX_PW_FILE;
	}
	pw_warnx("Created database %s and secret file %s", db, secret);
	return EX_PW_OK;
}

static int
cmd_rotate(const struct opts *o, const char *db)
{
	struct gk_err err = { "" };
	char secret[GK_PATH_MAX];
	int rc;

	if ((rc = resolve_secret(o, db, secret, sizeof(secret))) != EX_PW_OK)
		return rc;
	rc = o->leaked ? gk_secret_rotate_leaked(secret, &err) : gk_secret_rotate(secret, &err);
	if (rc != GK_OK) {
		pw_dberr(secret, err.msg);
		return EX_PW_FILE;
	}
	if (o->leaked)
		pw_warnx("Rotated secret %s and removed %s.prev: every session must sign in again",
		    secret, secret);
	else
		pw_warnx("Rotated secret %s (the previous key is kept in %s.prev)", secret, secret);
	return EX_PW_OK;
}

static int
cmd_import(const struct opts *o, const char *db)
{
	struct gk_userdb_txn *txn = NULL;
	size_t added = 0, replaced = 0;
	int rc;

	if ((rc = begin_txn(o, db, &txn)) != EX_PW_OK)
		return rc;
	rc = pw_import_file(o->import_file, txn, &o->attrs, o->force, (int64_t)time(NULL),
	    &added, &replaced);
	if (rc != EX_PW_OK) {
		gk_userdb_abort(txn);
		pw_warnx("%s: nothing imported", db);
		return rc;
	}
	if ((rc = commit_txn(db, txn)) != EX_PW_OK)
		return rc;
	pw_warnx("Imported %zu users into %s (%zu added, %zu replaced)", added + replaced, db,
	    added, replaced);
	return EX_PW_OK;
}

static int
cmd_readonly(const struct opts *o, const char *db)
{
	struct gk_userdb *udb = NULL;
	struct gk_err err = { "" };
	size_t n = 0;
	int rc, st;

	if ((rc = open_db(db, &udb)) != EX_PW_OK)
		return rc;
	switch (o->mode) {
	case M_LIST:
		rc = pw_list(udb, db, stdout);
		break;
	case M_SHOW:
		rc = pw_show(udb, db, o->show_user, stdout);
		break;
	case M_EXPORT:
		rc = pw_export(udb, db, stdout, &n);
		if (rc == EX_PW_OK && n > 0)
			pw_warnx("%zu users without a password or disabled were not exported", n);
		break;
	default:   /* M_CHECK */
		st = gk_userdb_check(udb, &n, &err);
		if (st != GK_OK) {
			pw_dberr(db, err.msg);
			rc = st == GK_EIO ? EX_PW_FILE : EX_PW_INVALID;
		} else {
			printf("%s: ok, %zu users\n", db, n);
			rc = EX_PW_OK;
		}
		break;
	}
	gk_userdb_close(udb);
	return rc;
}

int
main(int argc, char **argv)
{
	struct opts o;
	char db[GK_PATH_MAX];
	char **pos;
	int npos, want, rc;
	bool takes_pw;

	memset(&o, 0, sizeof(o));
	umask(077);
	if ((rc = parse_args(argc, argv, &o)) != EX_PW_OK)
		return rc;
	pos = argv + optind;
	npos = argc - optind;

	if (o.batch && o.from_stdin)
		return usage_error("-b and -i cannot be combined");
	takes_pw = o.mode == M_SET || o.mode == M_VERIFY || o.mode == M_PRINT;
	if ((o.batch || o.from_stdin) && !takes_pw)
		return usage_error("%s takes no password (-b/-i)", o.mode_name);
	if (o.create && o.mode != M_SET && o.mode != M_IMPORT)
		return usage_error("-c cannot be used with %s", o.mode_name);
	if (o.force && o.mode != M_IMPORT)
		return usage_error("--force is only for --import");
	if (o.leaked && o.mode != M_ROTATE)
		return usage_error("--leaked is only for --rotate-secret");
	if ((o.method_set || o.cost != 0) && !takes_pw)
		return usage_error("hash options (-B, -2, -5, -y, -C) cannot be used with %s",
		    o.mode_name);
	if ((rc = pw_cost_check(o.method_set ? o.method : GK_PW_PREFERRED, o.cost)) != EX_PW_OK)
		return rc;
	if (pw_attrs_any(&o.attrs) && o.mode != M_SET && o.mode != M_IMPORT)
		return usage_error("%s cannot be used with %s", o.attr_name, o.mode_name);

	switch (o.mode) {
	case M_SET:
	case M_VERIFY:
		want = o.batch ? 3 : 2;
		if (npos != want)
			return usage_error(npos < want ? "missing arguments (%s)" : "too many arguments (%s)",
			    o.batch ? "DBFILE USER PASSWORD" : "DBFILE USER");
		break;
	case M_DELETE:
		if (npos != 2)
			return usage_error(npos < 2 ? "missing arguments (%s)" : "too many arguments (%s)",
			    "DBFILE USER");
		break;
	case M_PRINT:
		want = o.batch ? 2 : 1;
		if (npos != want)
			return usage_error(npos < want ? "missing arguments (%s)" : "too many arguments (%s)",
			    o.batch ? "USER PASSWORD; -n takes no DBFILE" : "USER; -n takes no DBFILE");
		if ((rc = check_user(pos[0])) != EX_PW_OK)
			return rc;
		return cmd_print(&o, pos[0], o.batch ? pos[1] : NULL);
	default:
		if (npos > 1)
			return usage_error("too many arguments (at most DBFILE)");
		break;
	}

	if (o.mode == M_UNBAN || o.mode == M_LOCKSTAT)
		return cmd_lockout(&o, npos > 0 ? pos[0] : NULL);
	if ((rc = resolve_db(&o, npos > 0 ? pos[0] : NULL, db, sizeof(db))) != EX_PW_OK)
		return rc;
	switch (o.mode) {
	case M_SET:
		if ((rc = check_user(pos[1])) != EX_PW_OK)
			return rc;
		return cmd_set(&o, db, pos[1], o.batch ? pos[2] : NULL);
	case M_VERIFY:
		if ((rc = check_user(pos[1])) != EX_PW_OK)
			return rc;
		return cmd_verify(&o, db, pos[1], o.batch ? pos[2] : NULL);
	case M_DELETE:
		/* A user stored before names starting with '-' were refused can still be deleted. */
		if ((rc = check_name(pos[1], true)) != EX_PW_OK)
			return rc;
		return cmd_delete(&o, db, pos[1]);
	case M_INIT:
		return cmd_init(&o, db);
	case M_ROTATE:
		return cmd_rotate(&o, db);
	case M_IMPORT:
		return cmd_import(&o, db);
	case M_SHOW:
		if ((rc = check_user(o.show_user)) != EX_PW_OK)
			return rc;
		return cmd_readonly(&o, db);
	default:
		return cmd_readonly(&o, db);
	}
}
