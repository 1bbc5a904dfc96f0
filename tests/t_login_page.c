/* t_login_page.c: the page template (every value and section by name, the check's refusals) and the form reader of lib/liblogin, table-driven. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "common.h"
#include "login_page.h"
#include "login_request.h"
#include "tap.h"

/* Renders tpl with v into a string (NUL-terminated in b). */
static const char *
render(const char *tpl, const struct login_vars *v, struct login_buf *b)
{
	login_buf_reset(b);
	login_render(tpl, v, b);
	login_buf_add(b, "", 1);
	return b->failed ? "(failed)" : b->p;
}

int
main(void)
{
	struct login_vars v = { .title = "T<1>", .realm = "R", .action = "/a", .csrf = "C", .rd = "/r",
		.user = "u&s", .error = "E", .message = "M", .login_url = "/l", .oidc_url = "/o",
		.oidc_label = "OL", .pending = "P", .passkey_url = "/p" };
	/* Each name the template knows as a value, and what v holds there (escaped). */
	static const struct { const char *tpl, *want; } values[] = {
		{ "{{title}}", "T&lt;1&gt;" }, { "{{realm}}", "R" }, { "{{action}}", "/a" },
		{ "{{csrf}}", "C" }, { "{{rd}}", "/r" }, { "{{user}}", "u&amp;s" }, { "{{error}}", "E" },
		{ "{{message}}", "M" }, { "{{login_url}}", "/l" }, { "{{oidc_url}}", "/o" },
		{ "{{oidc_label}}", "OL" }, { "{{pending}}", "P" }, { "{{passkey_url}}", "/p" },
	};
	static const char base[] = "{{#login}}{{action}}{{csrf}}{{/login}}{{#logout}}{{/logout}}"
	    "{{#message}}{{/message}}";
	static const struct { int line; const char *tpl; int rc; const char *msg; } checks[] = {
		{ __LINE__, base, GK_OK, NULL },
		{ __LINE__, "{{#login}}{{action}}{{/login}}{{#logout}}{{/logout}}{{#message}}{{/message}}",
		  GK_EINVAL, "{{csrf}} is missing" },
		{ __LINE__, "{{action}}{{csrf}}{{#logout}}{{/logout}}{{#message}}{{/message}}", GK_EINVAL,
		  "{{#login}} is missing" },
		{ __LINE__, "{{#login}}{{action}}{{csrf}}{{/login}}{{#logout}}{{/logout}}{{message}}",
		  GK_EINVAL, "{{#message}} is missing" },
		{ __LINE__, "{{#login}}{{action}}{{csrf}}{{nope}}{{/login}}", GK_EINVAL, "unknown placeholder" },
		{ __LINE__, "{{login}}{{#login}}{{action}}{{csrf}}{{/login}}", GK_EINVAL, "is a section" },
		{ __LINE__, "{{#code}}{{/login}}", GK_EINVAL, "closes nothing" },
		{ __LINE__, "{{#code}}{{pending}}{{/code}}{{passkey_url}}{{oidc_label}}", GK_EINVAL,
		  "{{action}} is missing" },
	};
	struct login_vars none = { .title = NULL };
	struct login_buf b;
	struct gk_err err;
	char csrf[16], rd[16], code[4];
	const struct login_field fields[] = { LOGIN_FIELD("csrf", csrf, true), LOGIN_FIELD("rd", rd, false),
		LOGIN_FIELD("code", code, false) };
	size_t i, n = sizeof(fields) / sizeof(fields[0]);

	login_buf_init(&b);
	is_int(login_template_check(login_template_default(), &err), GK_OK, "the built-in template passes");
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		is_str(render(values[i].tpl, &v, &b), values[i].want, "%s is its own field", values[i].tpl);
	is_str(render("[{{title}}{{user}}]", &none, &b), "[]", "an unset value reads as empty");
	for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		memset(&err, 0, sizeof(err));
		is_int(login_template_check(checks[i].tpl, &err), checks[i].rc, "line %d: status", checks[i].line);
		if (checks[i].msg != NULL)
			ok(strstr(err.msg, checks[i].msg) != NULL, "line %d: '%s' in '%s'", checks[i].line,
			    checks[i].msg, err.msg);
	}
	/* Sections: the page flags, and a value that is set. */
	v.login = true;
	is_str(render("{{#login}}L{{/login}}{{#logout}}O{{/logout}}{{#message}}M{{/message}}{{#error}}E{{/error}}",
	    &v, &b), "LE", "login page: its section and a set value's, no message");
	v.login = false;
	v.code = true;
	is_str(render("{{#code}}C{{/code}}{{#message}}M{{/message}}{{#pending}}P{{/pending}}", &v, &b), "CP",
	    "code page: its section, no message");
	is_str(render("{{#message}}M{{/message}}{{#error}}E{{/error}}", &none, &b), "M",
	    "no flag: the message page; an empty value's section is off");
	login_buf_free(&b);

	/* The form reader: required and optional fields, in order, refusing what gk_form_get refuses. */
	ok(login_form_read("csrf=abc&code=12", 16, fields, n) && strcmp(csrf, "abc") == 0 &&
	    rd[0] == '\0' && strcmp(code, "12") == 0, "an absent optional field reads as empty");
	ok(!login_form_read("rd=%2F&code=1", 13, fields, n), "an absent required field: refused");
	ok(!login_form_read("csrf=a&rd=x&rd=y", 16, fields, n), "a field sent twice: refused");
	ok(!login_form_read("csrf=a&code=12345", 17, fields, n), "a value too long for its field: refused");
	ok(!login_form_read("csrf=a&rd=%zz", 13, fields, n), "a bad escape: refused");
	ok(login_form_read("", 0, fields, 0), "no fields: nothing to refuse");
	return done_testing();
}
