/* options.c: gatekeep-passwd's command line: the options, --help, and the checks of their values. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "options.h"
#include "validate.h"

enum {
	OPT_GROUPS = 256, OPT_ADD_GROUP, OPT_REMOVE_GROUP, OPT_PERMISSION, OPT_EMAIL, OPT_NAME,
	OPT_LEVEL, OPT_DISABLE, OPT_ENABLE, OPT_REVOKE, OPT_LEAKED, OPT_FORCE, OPT_WITH_CREDS,
	OPT_CONFIG, OPT_SECRET, OPT_HELP, OPT_VERSION, OPT_UNBAN, OPT_UNBAN_ADDR, OPT_LOCKSTAT,
	OPT_LOCKSTAT_ADDR, OPT_NGINX_MODULE, OPT_EXPIRES, OPT_SCOPE,
	OPT_MODE_BASE           /* OPT_MODE_BASE + i: mode_options[i] when it has no letter */
};

/* The options that are neither a command nor a hash method (those come from their tables). */
static const struct option plain_options[] = {
	{ "create", no_argument, NULL, 'c' },
	{ "batch", no_argument, NULL, 'b' },
	{ "stdin", no_argument, NULL, 'i' },
	{ "cost", required_argument, NULL, 'C' },
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
	{ "leaked", no_argument, NULL, OPT_LEAKED },
	{ "unban", required_argument, NULL, OPT_UNBAN },
	{ "unban-address", required_argument, NULL, OPT_UNBAN_ADDR },
	{ "lockout-status", required_argument, NULL, OPT_LOCKSTAT },
	{ "lockout-status-address", required_argument, NULL, OPT_LOCKSTAT_ADDR },
	{ "nginx-module", no_argument, NULL, OPT_NGINX_MODULE },
	{ "expires", required_argument, NULL, OPT_EXPIRES },
	{ "scope", required_argument, NULL, OPT_SCOPE },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "with-credentials", no_argument, NULL, OPT_WITH_CREDS },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "secret-file", required_argument, NULL, OPT_SECRET },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
};

/* The hash methods: htpasswd's letter (-6 is also sha512), the long option and the method. */
static const struct {
	int letter;
	const char *name;
	enum gk_pw_method method;
} method_options[] = {
	{ 'y', "yescrypt", GK_PW_YESCRYPT },
	{ 'B', "bcrypt", GK_PW_BCRYPT },
	{ '2', "sha256", GK_PW_SHA256 },
	{ '5', "sha512", GK_PW_SHA512 },
};

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
	    "       " PROG " --lockout-status USER | --lockout-status-address ADDR [DBFILE]\n"
	    "       " PROG " --totp-enrol USER | --totp-remove USER [DBFILE]\n"
	    "       " PROG " --token-add USER [--name N] [--expires D] [--scope S] [DBFILE]\n"
	    "       " PROG " --token-list USER | --token-revoke USER NAME [DBFILE]\n");
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
	    "  -C, --cost=N          yescrypt 1-11 (default 5), bcrypt 10-15 (12), sha-crypt\n"
	    "                        rounds 1000-5000000 (5000); -r is the same\n"
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
	    "      --with-credentials  with --export: also tokens, TOTP, recovery codes, passkeys;\n"
	    "                        with --import: read them back (a file with them needs it)\n"
	    "      --check           check the database's integrity\n"
	    "      --rotate-secret   replace the session secret (the old one stays valid a while)\n"
	    "      --leaked          with --rotate-secret: the old key leaked, refuse its cookies now\n"
	    "      --zero-hop-key=FILE  write nginx's zero-hop ticket key include (mode 0600)\n"
	    "      --nginx-module    with --zero-hop-key: the native module's directive, not njs's\n"
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
	    "      --totp-enrol=USER              give USER a TOTP second factor: prints the\n"
	    "                                     otpauth:// URI, a QR code and 10 recovery codes\n"
	    "      --totp-remove=USER             remove USER's TOTP and recovery codes\n"
	    "  (DBFILE only locates state_dir when the configuration does not set it;\n"
	    "  as root, the table is used as its owner, the services' user)\n"
	    "\n"
	    "App passwords / API tokens: sent as the Basic password or as\n"
	    "\"Authorization: Bearer\", never accepted by the login form.\n"
	    "      --token-add=USER     add a token; printed once, only a keyed hash is stored\n"
	    "      --token-list=USER    list USER's tokens\n"
	    "      --token-revoke=USER NAME  revoke one token\n"
	    "      --name=N      with --token-add: the token's name, 1-64 of [A-Za-z0-9._@+-]\n"
	    "                    (default token1, token2...)\n"
	    "      --expires=D   with --token-add: never (default), a duration (90d, 12h, 30m,\n"
	    "                    2w) or a date YYYY-MM-DD (UTC)\n"
	    "      --scope=S     with --token-add: path=/prefix and/or method=GET+PROPFIND\n"
	    "  Changing the user's password, --revoke-sessions and --disable revoke every\n"
	    "  token of the user.\n"
	    "\n"
	    "Exit status: 0 ok, 1 file problem, 2 usage, 3 password mismatch, 4 interrupted,\n"
	    "5 value too long, 6 bad or unknown user, 7 invalid database or import file,\n"
	    "9 other error, 10 hashing method not supported. See gatekeep-passwd(1).\n",
	    GK_CONFIG_DEFAULT_PATH);
}

static int
set_mode(struct pw_opts *o, enum pw_mode m, const char *name)
{
	if (o->mode != M_SET && o->mode != m)
		return pw_usage_error("%s and %s cannot be combined", o->mode_name, name);
	o->mode = m;
	o->mode_name = name;
	return EX_PW_OK;
}

#define NO_OPERAND ((size_t)-1)
#define OPERAND(field) offsetof(struct pw_opts, field)
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/*
 * The commands that are one option: the long option, the short letter (0: none), the name
 * messages use, the mode it sets and where its operand goes (an operand makes the option
 * take a value).  Their getopt_long rows are made from this table.
 */
static const struct {
	const char *long_name;
	int letter;
	const char *name;
	enum pw_mode mode;
	size_t operand;         /* OPERAND(field), a const char * of struct pw_opts, or NO_OPERAND */
} mode_options[] = {
	{ "delete", 'D', "-D", M_DELETE, NO_OPERAND },
	{ "verify", 'v', "-v", M_VERIFY, NO_OPERAND },
	{ "print", 'n', "-n", M_PRINT, NO_OPERAND },
	{ "list", 'l', "--list", M_LIST, NO_OPERAND },
	{ "init", 0, "--init", M_INIT, NO_OPERAND },
	{ "show", 0, "--show", M_SHOW, OPERAND(show_user) },
	{ "import", 0, "--import", M_IMPORT, OPERAND(import_file) },
	{ "export", 0, "--export", M_EXPORT, NO_OPERAND },
	{ "check", 0, "--check", M_CHECK, NO_OPERAND },
	{ "rotate-secret", 0, "--rotate-secret", M_ROTATE, NO_OPERAND },
	{ "zero-hop-key", 0, "--zero-hop-key", M_ZEROHOP_KEY, OPERAND(zerohop_out) },
	{ "token-add", 0, "--token-add", M_TOKEN_ADD, OPERAND(token_user) },
	{ "token-list", 0, "--token-list", M_TOKEN_LIST, OPERAND(token_user) },
	{ "token-revoke", 0, "--token-revoke", M_TOKEN_REVOKE, OPERAND(token_user) },
	{ "totp-enrol", 0, "--totp-enrol", M_TOTP_ENROL, OPERAND(totp_user) },
	{ "totp-remove", 0, "--totp-remove", M_TOTP_REMOVE, OPERAND(totp_user) },
};

/* What getopt_long returns for mode_options[i]. */
static int
mode_option_code(size_t i)
{
	return mode_options[i].letter != 0 ? mode_options[i].letter : OPT_MODE_BASE + (int)i;
}

/* getopt_long's table: the plain options, the hash methods and the commands, and the end row. */
static struct option long_options[COUNT(plain_options) + COUNT(method_options) +
    COUNT(mode_options) + 1];

static void
fill_long_options(void)
{
	size_t i, n = 0;

	for (i = 0; i < COUNT(plain_options); i++)
		long_options[n++] = plain_options[i];
	for (i = 0; i < COUNT(method_options); i++)
		long_options[n++] = (struct option){ method_options[i].name, no_argument, NULL,
		    method_options[i].letter };
	for (i = 0; i < COUNT(mode_options); i++)
		long_options[n++] = (struct option){ mode_options[i].long_name,
		    mode_options[i].operand == NO_OPERAND ? no_argument : required_argument, NULL,
		    mode_option_code(i) };
	long_options[n] = (struct option){ NULL, 0, NULL, 0 };
}

/* Option c, if it is a command: its mode set (or a conflict refused) and its operand kept. */
static bool
take_mode_option(struct pw_opts *o, int c, const char *arg, int *rc)
{
	size_t i;

	for (i = 0; i < COUNT(mode_options); i++) {
		if (mode_option_code(i) != c)
			continue;
		*rc = set_mode(o, mode_options[i].mode, mode_options[i].name);
		if (mode_options[i].operand != NO_OPERAND)
			*(const char **)(void *)((char *)o + mode_options[i].operand) = arg;
		return true;
	}
	return false;
}

/* Option c, if it is a hash method (-6 is -5): the method set, or a second one refused. */
static bool
take_method_option(struct pw_opts *o, int c, int *rc)
{
	size_t i;

	for (i = 0; i < COUNT(method_options); i++) {
		if (method_options[i].letter != (c == '6' ? '5' : c))
			continue;
		if (o->method_set && o->method != method_options[i].method) {
			*rc = pw_usage_error("choose only one of -B, -2, -5 (-6) and -y");
			return true;
		}
		o->method_set = true;
		o->method = method_options[i].method;
		return true;
	}
	return false;
}

/* --unban[-address], --lockout-status[-address]: at most one user and one address. */
static int
set_ban_target(struct pw_opts *o, int c, const char *arg)
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
		return pw_usage_error("%s given twice (one %s per command)", name,
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

/* --groups, --add-group, --remove-group: a checked list into its slot. */
static int
set_groups(struct pw_opts *o, const char *opt, const char **slot, bool allow_empty,
    const char *arg)
{
	int rc = check_groups(opt, arg, allow_empty);

	if (rc == EX_PW_OK) {
		*slot = arg;
		o->attr_name = opt;
	}
	return rc;
}

/* A free-text attribute: its option, what it is, its cap and its rule ("" always clears). */
struct text_attr {
	const char *opt, *what, *rule;
	size_t max;
	bool (*valid)(const char *s, size_t len);
};

static const struct text_attr email_attr = {
	"--email", "e-mail address", "", GK_EMAIL_MAX, gk_valid_email
};
static const struct text_attr display_attr = {
	"--name", "display name", " (control characters or bad UTF-8)", GK_DISPLAY_MAX,
	gk_valid_display
};

/* --email, --name: a value within its cap that its rule accepts, into its slot. */
static int
set_text(struct pw_opts *o, const struct text_attr *t, const char **slot, const char *arg)
{
	size_t len = strlen(arg);
	char q[80];

	if (len > t->max) {
		pw_warnx("%s: %s too long (at most %zu bytes)", t->opt, t->what, t->max);
		return EX_PW_OVERFLOW;
	}
	if (len > 0 && !t->valid(arg, len)) {
		pw_warnx("%s: invalid %s '%s'%s", t->opt, t->what, pw_quote(arg, q, sizeof(q)),
		    t->rule);
		return EX_PW_SYNTAX;
	}
	*slot = arg;
	o->attr_name = t->opt;
	return EX_PW_OK;
}

int
pw_parse_args(int argc, char **argv, struct pw_opts *o)
{
	struct pw_attrs *a = &o->attrs;
	char q[80];
	unsigned long v;
	int c, rc;

	o->mode_name = "";
	opterr = 0;
	fill_long_options();
	while ((c = getopt_long(argc, argv, "+:cbiDxvnyB256C:r:lmsdp", long_options, NULL)) != -1) {
		rc = EX_PW_OK;
		if (take_mode_option(o, c, optarg, &rc) || take_method_option(o, c, &rc)) {
			if (rc != EX_PW_OK)
				return rc;
			continue;
		}
		switch (c) {
		case 'c': o->create = true; break;
		case 'b': o->batch = true; break;
		case 'i': o->from_stdin = true; break;
		case 'x': rc = set_mode(o, M_DELETE, "-x"); break;     /* htpasswd's -D */
		case 'C':
		case 'r':
			if (parse_ulong(optarg, 999999999UL, &o->cost) != 0 || o->cost == 0)
				return pw_usage_error("-%c: invalid cost '%s'", c,
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
		case OPT_NGINX_MODULE: o->nginx_module = true; break;
		case OPT_EXPIRES: o->token_expires = optarg; break;
		case OPT_SCOPE: o->token_scope = optarg; break;
		case OPT_LEAKED: o->leaked = true; break;
		case OPT_FORCE: o->force = true; break;
		case OPT_WITH_CREDS: o->with_creds = true; break;
		case OPT_CONFIG: o->config_path = optarg; break;
		case OPT_SECRET: o->secret_path = optarg; break;
		case OPT_GROUPS:
			rc = set_groups(o, "--groups", &a->groups, true, optarg);
			break;
		case OPT_ADD_GROUP:
			rc = set_groups(o, "--add-group", &a->add_groups, false, optarg);
			break;
		case OPT_REMOVE_GROUP:
			rc = set_groups(o, "--remove-group", &a->remove_groups, false, optarg);
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
			rc = set_text(o, &email_attr, &a->email, optarg);
			break;
		case OPT_NAME:          /* the display name, or the token's: known after the loop */
			o->token_name = optarg;
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
				return pw_usage_error("--disable and --enable cannot be combined");
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
				return pw_usage_error("option -%c needs an argument", optopt);
			return pw_usage_error("option %s needs an argument", argv[optind - 1]);
		default:
			if (optopt != 0 && optopt < 256)
				return pw_usage_error("unknown option -%c", optopt);
			return pw_usage_error("unknown option %s", argv[optind - 1]);
		}
		if (rc != EX_PW_OK)
			return rc;
	}
	if (o->mode == M_SET)
		o->mode_name = "setting a password";
	if (o->nginx_module && o->mode != M_ZEROHOP_KEY)
		return pw_usage_error("--nginx-module is only for --zero-hop-key");
	if (o->mode != M_TOKEN_ADD) {
		if (o->token_expires != NULL || o->token_scope != NULL)
			return pw_usage_error("--expires and --scope are only for --token-add");
		if (o->token_name != NULL) {
			rc = set_text(o, &display_attr, &a->display, o->token_name);
			o->token_name = NULL;
			return rc;
		}
	}
	return EX_PW_OK;
}
