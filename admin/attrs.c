/* attrs.c: applying --groups/--permission/--email/... changes to a user record. */
#include "config.h"

#include <string.h>

#include "passwd.h"
#include "validate.h"

bool
pw_attrs_any(const struct pw_attrs *a)
{
	return a->groups != NULL || a->add_groups != NULL || a->remove_groups != NULL ||
	    a->email != NULL || a->display != NULL || a->set_perm || a->set_level ||
	    a->disable != 0 || a->revoke;
}

bool
pw_attrs_revokes(const struct pw_attrs *a)
{
	return a->disable > 0 || a->revoke;
}

void
pw_bump_generation(struct gk_user *u)
{
	u->generation++;
	if (u->generation == 0)   /* 0 would look like "never issued" after wrap-around */
		u->generation = 1;
}

/* True if group g (len bytes) is an element of the comma-separated list. */
static bool
list_has(const char *list, const char *g, size_t len)
{
	const char *p = list, *e;

	while (*p != '\0') {
		e = strchr(p, ',');
		if (e == NULL)
			e = p + strlen(p);
		if ((size_t)(e - p) == len && memcmp(p, g, len) == 0)
			return true;
		p = *e == ',' ? e + 1 : e;
	}
	return false;
}

/* Appends group g (len bytes) to out (size outsz). GK_ETOOLONG if it does not fit. */
static int
list_append(char *out, size_t outsz, const char *g, size_t len)
{
	size_t have = strlen(out), need = have + (have > 0) + len;

	if (need >= outsz)
		return GK_ETOOLONG;
	if (have > 0)
		out[have++] = ',';
	memcpy(out + have, g, len);
	out[have + len] = '\0';
	return GK_OK;
}

/* Rebuilds groups: base (or the user's list), plus add, minus remove; keeps the order. */
static int
apply_groups(const struct pw_attrs *a, struct gk_user *u)
{
	char out[GK_GROUPS_MAX + 1];
	const char *base = a->groups != NULL ? a->groups : u->groups;
	const char *p, *e;
	int pass;

	out[0] = '\0';
	for (pass = 0; pass < 2; pass++) {
		p = pass == 0 ? base : (a->add_groups != NULL ? a->add_groups : "");
		while (*p != '\0') {
			e = strchr(p, ',');
			if (e == NULL)
				e = p + strlen(p);
			if (e > p && !list_has(out, p, (size_t)(e - p)) &&
			    (a->remove_groups == NULL ||
			    !list_has(a->remove_groups, p, (size_t)(e - p)))) {
				if (list_append(out, sizeof(out), p, (size_t)(e - p)) != GK_OK) {
					pw_warnx("user '%s': group list too long (at most %d bytes)",
					    u->name, GK_GROUPS_MAX);
					return EX_PW_OVERFLOW;
				}
			}
			p = *e == ',' ? e + 1 : e;
		}
	}
	if (!gk_valid_group_list(out, strlen(out))) {
		pw_warnx("user '%s': invalid group list '%s'", u->name, out);
		return EX_PW_SYNTAX;
	}
	memcpy(u->groups, out, strlen(out) + 1);
	return EX_PW_OK;
}

int
pw_attrs_apply(const struct pw_attrs *a, struct gk_user *u)
{
	int rc;

	if (a->groups != NULL || a->add_groups != NULL || a->remove_groups != NULL) {
		rc = apply_groups(a, u);
		if (rc != EX_PW_OK)
			return rc;
	}
	/* The values were validated when the options were parsed; the copies are bounded anyway. */
	if (a->email != NULL && gk_strcpy(u->email, sizeof(u->email), a->email) != GK_OK) {
		pw_warnx("e-mail address too long (at most %d bytes)", GK_EMAIL_MAX);
		return EX_PW_OVERFLOW;
	}
	if (a->display != NULL && gk_strcpy(u->display, sizeof(u->display), a->display) != GK_OK) {
		pw_warnx("display name too long (at most %d bytes)", GK_DISPLAY_MAX);
		return EX_PW_OVERFLOW;
	}
	if (a->set_perm)
		u->perm = a->perm;
	if (a->set_level)
		u->level = a->level;
	if (a->disable > 0)
		u->flags |= GK_USER_DISABLED;
	else if (a->disable < 0)
		u->flags &= ~GK_USER_DISABLED;
	return EX_PW_OK;
}
