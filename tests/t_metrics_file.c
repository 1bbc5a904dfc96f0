/* t_metrics_file.c: the counters file in state_dir: shared by processes that open it on their own, its checks, gatekeep-login's series added by a peer file, the largest exposition. */
#include <config.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "metrics.h"
#include "opsanswer.h"
#include "tap.h"

static char buf[GK_OPS_ANSWER_MAX];

static bool
has(const char *line)
{
	return strstr(buf, line) != NULL;
}

/* A process of its own that maps path itself (as a web server's spawned copy does) and counts n. */
static void
count_in_child(const char *path, int n, bool kill_self)
{
	struct gk_err err = { "" };
	pid_t pid;
	int st, k;

	if ((pid = fork()) == 0) {
		gk_metrics_close();
		if (gk_metrics_open_file(path, &err) != GK_OK)
			_exit(2);
		for (k = 0; k < n; k++)
			gk_metrics_decision(200, false, "basic", NULL);
		if (kill_self)
			raise(SIGKILL);
		_exit(0);
	}
	waitpid(pid, &st, 0);
}

/* --fill PATH: a counters file with every series at a 20-digit value (tests/ops2_servers.sh). */
static int
fill(const char *path)
{
	struct gk_err err = { "" };

	if (gk_metrics_open_file(path, &err) != GK_OK) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	gk_metrics_fill(UINT64_C(12345678901234567890), (int64_t)time(NULL) + 86400);
	return 0;
}

int
main(int argc, char **argv)
{
	struct gk_err err = { "" };
	char dir[] = "/tmp/gk-metrics-XXXXXX", path[256], login[256], other[256], cmd[512];
	struct stat st;
	size_t n;
	FILE *f;
	int fd;

	if (argc == 3 && strcmp(argv[1], "--fill") == 0)
		return fill(argv[2]);
	if (mkdtemp(dir) == NULL)
		return 99;
	snprintf(path, sizeof(path), "%s/" GK_METRICS_FILE_AUTHZ, dir);
	snprintf(login, sizeof(login), "%s/" GK_METRICS_FILE_LOGIN, dir);
	snprintf(other, sizeof(other), "%s/elsewhere", dir);

	/* Processes that each open the file themselves (lighttpd bin-path, mod_fcgid) share it. */
	ok(gk_metrics_open_file(path, &err) == GK_OK, "file made and mapped: %s", err.msg);
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600 && st.st_uid == geteuid(),
	    "... mode 0600, ours");
	count_in_child(path, 300, false);
	count_in_child(path, 200, true);        /* SIGKILL after counting: nothing lost */
	gk_metrics_decision(200, false, "basic", NULL);
	n = gk_metrics_render(buf, sizeof(buf), 0);
	ok(n > 0 && has("gatekeep_decisions_total{outcome=\"allow\",method=\"basic\",reason=\"none\"} 501\n"),
	    "three processes that mapped the file on their own: 501 counted");

	/* A restart maps the same file: counters never go backwards. */
	gk_metrics_close();
	ok(gk_metrics_open_file(path, &err) == GK_OK, "mapped again (a restart)");
	gk_metrics_render(buf, sizeof(buf), 0);
	ok(has("method=\"basic\",reason=\"none\"} 501\n"), "... the counts survive it");
	gk_metrics_close();

	/* Bad files: an error to log and metrics off, never a crash. */
	ok(symlink(path, other) == 0, "a symlink to the file");
	ok(gk_metrics_open_file(other, &err) == GK_ERR && !gk_metrics_enabled(),
	    "a symlink is refused, metrics off: %s", err.msg);
	gk_metrics_decision(200, false, "basic", NULL);  /* a no-op, not a crash */
	unlink(other);
	ok((fd = open(other, O_CREAT | O_WRONLY, 0600)) >= 0 && fchmod(fd, 0620) == 0, "a group-writable file");
	close(fd);
	ok(gk_metrics_open_file(other, &err) == GK_ERR && strstr(err.msg, "group/other") != NULL,
	    "... refused: %s", err.msg);
	unlink(other);
	if (geteuid() == 0) {
		ok((fd = open(other, O_CREAT | O_WRONLY, 0600)) >= 0 && fchown(fd, 65534, 65534) == 0,
		    "a file of another user");
		close(fd);
		ok(gk_metrics_open_file(other, &err) == GK_ERR, "... refused: %s", err.msg);
		unlink(other);
	} else {
		ok(1, "# SKIP not root: cannot make a file of another user");
		ok(1, "# SKIP not root");
	}
	ok(mkdir(other, 0700) == 0 && gk_metrics_open_file(other, &err) == GK_ERR,
	    "a directory is refused: %s", err.msg);
	rmdir(other);
	/* Another build's layout (an upgrade): replaced by a zeroed file, never misread. */
	ok((f = fopen(other, "w")) != NULL && fputs("not a metrics file", f) >= 0 && fclose(f) == 0 &&
	    chmod(other, 0600) == 0, "a file of another layout");
	ok(gk_metrics_open_file(other, &err) == GK_OK && stat(other, &st) == 0 &&
	    st.st_size > 4096, "... replaced by one of this layout");
	gk_metrics_render(buf, sizeof(buf), 0);
	ok(has("method=\"basic\",reason=\"none\"} 0\n"), "... starting from zero");
	gk_metrics_close();

	/* gatekeep-login's file: sign-ins, tokens, sign-outs, added into gatekeep-authz's render. */
	ok(gk_metrics_open_file(login, &err) == GK_OK, "gatekeep-login's file");
	gk_metrics_login("form", NULL);
	gk_metrics_login("form", NULL);
	gk_metrics_login("oidc", NULL);
	gk_metrics_login("form", "bad-password");
	gk_metrics_login("form", "banned");
	gk_metrics_login("oidc", "wrong-nonce");
	gk_metrics_login("form", "a-reason-nobody-knows");
	gk_metrics_token_issued();
	gk_metrics_token_issued();
	gk_metrics_token_issued();
	gk_metrics_signout(false);
	gk_metrics_signout(true);
	gk_metrics_decision(200, false, "basic", NULL);  /* never counted by login; summed if it were */
	gk_metrics_close();
	ok(gk_metrics_open_file(path, &err) == GK_OK, "gatekeep-authz's file again");
	gk_metrics_render(buf, sizeof(buf), 0);
	ok(has("gatekeep_logins_total{method=\"form\",outcome=\"success\",reason=\"none\"} 0\n"),
	    "without the peer: no sign-ins");
	gk_metrics_peer(login);
	n = gk_metrics_render(buf, sizeof(buf), 0);
	ok(has("gatekeep_logins_total{method=\"form\",outcome=\"success\",reason=\"none\"} 2\n") &&
	    has("gatekeep_logins_total{method=\"oidc\",outcome=\"success\",reason=\"none\"} 1\n"),
	    "with it: sign-ins by method");
	ok(has("gatekeep_logins_total{method=\"form\",outcome=\"denied\",reason=\"bad-password\"} 1\n") &&
	    has("gatekeep_logins_total{method=\"form\",outcome=\"denied\",reason=\"banned\"} 1\n") &&
	    has("gatekeep_logins_total{method=\"oidc\",outcome=\"denied\",reason=\"wrong-nonce\"} 1\n") &&
	    has("gatekeep_logins_total{method=\"form\",outcome=\"denied\",reason=\"other\"} 1\n"),
	    "... refusals by reason (an unknown one: other)");
	ok(has("gatekeep_session_tokens_issued_total 3\n"), "tokens issued");
	ok(has("gatekeep_signouts_total{scope=\"session\"} 1\n") &&
	    has("gatekeep_signouts_total{scope=\"everywhere\"} 1\n"), "sign-outs by scope");
	ok(has("method=\"basic\",reason=\"none\"} 502\n"), "counters of both files summed");
	ok(chmod(login, 0666) == 0 && gk_metrics_render(buf, sizeof(buf), 0) > 0 &&
	    has("gatekeep_session_tokens_issued_total 0\n"),
	    "a world-writable peer file is left out (its counts could be forged)");
	chmod(login, 0600);
	gk_metrics_peer(NULL);
	gk_metrics_close();

	/* The largest exposition: every series at a 20-digit value fits the answer buffer. */
	ok(gk_metrics_open_file(path, &err) == GK_OK, "mapped for the worst case");
	gk_metrics_peer(login);
	gk_metrics_fill(UINT64_C(12345678901234567890), (int64_t)time(NULL) + 86400);
	n = gk_metrics_render(buf, sizeof(buf), (int64_t)time(NULL));
	diag("worst-case exposition: %zu bytes of %d", n, GK_OPS_ANSWER_MAX);
	ok(n > 65536 && n + 256 < sizeof(buf), "the worst case (%zu bytes) fits, header included", n);
	if (getenv("T_METRICS_OUT") != NULL && (f = fopen(getenv("T_METRICS_OUT"), "w")) != NULL) {
		fwrite(buf, 1, n, f);
		fclose(f);
	}
	gk_metrics_close();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
	return done_testing();
}
