/* t_authz_answer.c: an allow's CGI answer byte for byte (each identity value checked once, written into several lines), its unsafe values and its exact fit. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "authz_answer.h"
#include "authz_decide.h"
#include "tap.h"

static struct gk_config cfg;
static struct gk_decision d;
static char buf[8192];

static void
user(const char *name, const char *groups, const char *email, const char *display)
{
	memset(&d, 0, sizeof(d));
	d.outcome = GK_OUT_ALLOW;
	d.role = GK_ROLE_RESPONDER;
	d.method = "proxy";
	d.have_user = name != NULL;
	if (name != NULL) {
		snprintf(d.user.name, sizeof(d.user.name), "%s", name);
		snprintf(d.user.groups, sizeof(d.user.groups), "%s", groups);
		snprintf(d.user.email, sizeof(d.user.email), "%s", email);
		snprintf(d.user.display, sizeof(d.user.display), "%s", display);
	}
}

static const char *
answer(size_t size)
{
	size_t n = gk_authz_answer(&cfg, &d, buf, size);

	buf[n < sizeof(buf) ? n : sizeof(buf) - 1] = '\0';
	return buf;
}

int
main(void)
{
	static const char alice[] = "Status: 200\r\nRemote-User: alice\r\nRemote-Groups: staff,ops\r\n"
	    "Remote-Email:\r\nRemote-Name: Alice Ä\r\nX-Auth-Request-User: alice\r\n"
	    "X-Auth-Request-Email:\r\nX-Auth-Request-Groups: staff,ops\r\n"
	    "Variable-REMOTE_USER: alice\r\nCache-Control: no-store\r\nContent-Length: 0\r\n\r\n";
	static const char nobody[] = "Status: 200\r\nRemote-User:\r\nRemote-Groups:\r\n"
	    "Remote-Email:\r\nRemote-Name:\r\nX-Auth-Request-User:\r\n"
	    "X-Auth-Request-Email:\r\nX-Auth-Request-Groups:\r\n"
	    "Variable-REMOTE_USER:\r\nCache-Control: no-store\r\nContent-Length: 0\r\n\r\n";
	size_t fit = sizeof(alice);     /* its bytes and the NUL after them */
	size_t size;
	int wrong;

	user("alice", "staff,ops", "", "Alice Ä");
	is_str(answer(sizeof(buf)), alice, "a responder's allow, every line");
	user(NULL, NULL, NULL, NULL);
	is_str(answer(sizeof(buf)), nobody, "an allow without a user: every line empty");
	/* a value that would split the header: the whole answer is a 500 */
	user("alice", "staff", "a@example.org\r\nSet-Cookie: x=1", "Alice");
	ok(strncmp(answer(sizeof(buf)), "Status: 500\r\n", 13) == 0, "a CR LF in the e-mail: a 500");
	is_str(d.reason, "unsafe-answer", "... logged as unsafe-answer");
	user("alice", "staff", "", "A\x7f");
	ok(strncmp(answer(sizeof(buf)), "Status: 500\r\n", 13) == 0, "a DEL in the name shown: a 500");
	/* the exact fit: the answer and its NUL, not one byte less */
	user("alice", "staff,ops", "", "Alice Ä");
	is_str(answer(fit), alice, "the answer in exactly its size");
	user("alice", "staff,ops", "", "Alice Ä");
	ok(strncmp(answer(fit - 1), "Status: 500\r\n", 13) == 0, "one byte less: the 500 instead");
	/* every size short of it: never a cut allow, never a byte written past the size */
	for (size = 1, wrong = 0; size < fit; size++) {
		size_t n, i;

		user("alice", "staff,ops", "", "Alice Ä");
		memset(buf, 'Z', sizeof(buf));
		n = gk_authz_answer(&cfg, &d, buf, size);
		for (i = size; i < sizeof(buf) && buf[i] == 'Z'; i++)
			;
		if (n >= size || i < sizeof(buf) || (n > 0 && strncmp(buf, "Status: 500\r\n", 13) != 0)) {
			if (wrong++ < 3)
				diag("size %zu: %zu bytes, %.20s", size, n, buf);
		}
	}
	is_int(wrong, 0, "every smaller size: the 500 or nothing, no byte past the size");
	return done_testing();
}
