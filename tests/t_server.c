/* t_server.c: lib/server: the options both FastCGI programs share, one row per case, and gk_server_run's refusals before the socket. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "server.h"
#include "tap.h"

struct row {
	int line;
	int ch;
	const char *arg;
	int want;               /* gk_server_option's answer */
	mode_t mode;            /* after 'm' */
	long workers;           /* after 'w' */
};

/* gk_server_run in a child (it closes inherited descriptors): its exit status. */
static int
run_child(const char *config, const char *seccomp)
{
	struct gk_server_spec spec;
	pid_t pid;
	int st;

	if ((pid = fork()) == 0) {
		memset(&spec, 0, sizeof(spec));
		spec.prog = "t_server";
		gk_server_opts_init(&spec.opts);
		spec.opts.config = config;
		spec.opts.listen = "unix:/nonexistent-dir/sock";
		spec.workers_max = 4;
		if (seccomp != NULL)
			setenv("GATEKEEP_SECCOMP", seccomp, 1);
		_exit(gk_server_run(&spec));
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

int
main(void)
{
	static const struct row rows[] = {
		{ __LINE__, 'c', "/etc/x.conf", 1, 0660, 0 },
		{ __LINE__, 'l', "unix:/run/x.sock", 1, 0660, 0 },
		{ __LINE__, 'o', "www-data", 1, 0660, 0 },
		{ __LINE__, 'd', NULL, 1, 0660, 0 },
		{ __LINE__, 'm', "0640", 1, 0640, 0 },
		{ __LINE__, 'm', "777", 1, 0777, 0 },
		{ __LINE__, 'm', "0", 1, 0, 0 },
		{ __LINE__, 'm', "1000", -1, 0660, 0 },
		{ __LINE__, 'm', "9", -1, 0660, 0 },
		{ __LINE__, 'm', "", -1, 0660, 0 },
		{ __LINE__, 'm', "-1", -1, 0660, 0 },
		{ __LINE__, 'm', "0640x", -1, 0660, 0 },
		{ __LINE__, 'w', "1", 1, 0660, 1 },
		{ __LINE__, 'w', "256", 1, 0660, 256 },
		{ __LINE__, 'w', "257", -1, 0660, 0 },
		{ __LINE__, 'w', "0", -1, 0660, 0 },
		{ __LINE__, 'w', "-3", -1, 0660, 0 },
		{ __LINE__, 'w', "4x", -1, 0660, 0 },
		{ __LINE__, 'w', "99999999999999999999", -1, 0660, 0 },
		/* The programs' own options are theirs to answer. */
		{ __LINE__, 'C', NULL, 0, 0660, 0 },
		{ __LINE__, 'h', NULL, 0, 0660, 0 },
		{ __LINE__, 'k', "libfcgi", 0, 0660, 0 },
	};
	static const struct option longopts[] = { GK_SERVER_LONGOPTS, { NULL, 0, NULL, 0 } };
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct gk_server_opts o;
		int got;

		gk_server_opts_init(&o);
		got = gk_server_option(&o, "t_server", 256, r->ch, r->arg);
		ok(got == r->want && o.mode == r->mode && o.workers == r->workers &&
		    o.workers_set == (r->workers != 0), "line %d: -%c %s: %d", r->line, r->ch,
		    r->arg ? r->arg : "", r->want);
	}
	/* Every shared long option is either handled here or left to the program (C, h, V). */
	for (i = 0; longopts[i].name != NULL; i++) {
		struct gk_server_opts o;
		int got;

		gk_server_opts_init(&o);
		got = gk_server_option(&o, "t_server", 256, longopts[i].val, "1");
		ok(got == 1 || strchr("ChV", longopts[i].val) != NULL, "--%s has a handler",
		    longopts[i].name);
	}
	/* Refused before any socket is made: an unreadable configuration, an unknown GATEKEEP_SECCOMP. */
	is_int(run_child("/nonexistent/gatekeep.conf", NULL), 1, "missing configuration: exit 1");
	is_int(run_child("/nonexistent/gatekeep.conf", "bogus"), 1, "bad GATEKEEP_SECCOMP: exit 1");
	return done_testing();
}
