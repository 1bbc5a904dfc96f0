/* login_html.c: the pieces gatekeep-login's own pages (account, app passwords, passkeys) are built of: head, notices, a form's start. */
#include <config.h>

#include "login_html.h"

static const char page_css[] =
    ":root { color-scheme: light dark; }\n"
    "body { font: 16px/1.5 system-ui, sans-serif; max-width: 48rem; margin: 2rem auto; padding: 0 1rem; }\n"
    "section { border: 1px solid #7d8696; border-radius: 8px; padding: 0 1rem 1rem; margin: 1rem 0; }\n"
    "label { display: block; font-weight: 600; margin: .75rem 0 .25rem; }\n"
    "input[type=password], input[type=text] { width: 100%; box-sizing: border-box; padding: .5rem; font: inherit; }\n"
    "button { margin-top: 1rem; padding: .5rem 1rem; font: inherit; }\n"
    "table { border-collapse: collapse; } th, td { text-align: left; padding: .25rem .5rem; }\n"
    ".error { color: #b00020; } .note { color: #1b6e2a; } code { word-break: break-all; }\n";

static void
notice(struct login_buf *b, const char *attrs, const char *text)
{
	if (text == NULL || text[0] == '\0')
		return;
	login_buf_printf(b, "<p %s>", attrs);
	login_buf_html(b, text);
	login_buf_puts(b, "</p>\n");
}

void
login_html_start(struct rq *q, int status, const char *title, const char *note, const char *error)
{
	struct login_buf *b = &q->r.body;

	q->r.status = status;
	q->r.ctype = "text/html; charset=utf-8";
	login_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	    "<meta name=\"robots\" content=\"noindex, nofollow\">\n<title>");
	login_buf_html(b, title);
	login_buf_puts(b, " &middot; ");
	login_buf_html(b, q->ctx->cfg.realm);
	login_buf_puts(b, "</title>\n<style>\n");
	login_buf_puts(b, page_css);
	login_buf_puts(b, "</style>\n</head>\n<body>\n<main>\n<h1>");
	login_buf_html(b, title);
	login_buf_puts(b, "</h1>\n");
	notice(b, "class=\"error\" role=\"alert\" id=\"gk-error\"", error);
	notice(b, "class=\"note\" role=\"status\" id=\"gk-note\"", note);
}

void
login_html_end(struct rq *q)
{
	login_buf_puts(&q->r.body, "</main>\n</body>\n</html>\n");
}

void
login_html_form(struct rq *q, const char *mac, const char *action)
{
	struct login_buf *b = &q->r.body;

	login_buf_puts(b, "<form method=\"post\" action=\"");
	login_buf_html(b, q->self);
	login_buf_puts(b, "\">\n<input type=\"hidden\" name=\"csrf\" value=\"");
	login_buf_html(b, mac);
	login_buf_puts(b, "\">\n<input type=\"hidden\" name=\"action\" value=\"");
	login_buf_html(b, action);
	login_buf_puts(b, "\">\n");
}

void
login_html_current_password(struct rq *q, const char *action)
{
	login_buf_printf(&q->r.body, "<label for=\"gk-%s-pw\">Current password</label>\n"
	    "<input type=\"password\" id=\"gk-%s-pw\" name=\"password\" "
	    "autocomplete=\"current-password\" maxlength=\"256\" required>\n", action, action);
}
