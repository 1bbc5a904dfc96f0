/* extuser.h: the rules every auto-created (external, passwordless) user follows, whoever vouches for it. */
#ifndef GK_EXTUSER_H
#define GK_EXTUSER_H

#include "common.h"
#include "record.h"

/*
 * Would a NEW user called name differ from an existing one only by case
 * ("Alice" beside "alice")? Many apps fold user names, so the newcomer could
 * become the other user there: refuse to create it. Reads the live database
 * at path; call it while holding the writer lock (gk_userdb_begin) so the
 * answer holds until commit. GK_OK with *clash (and the existing name in
 * other, when given), or an error in err (deny).
 */
int gk_extuser_name_clash(const char *path, const char *name, bool *clash, char *other,
    size_t othersz, struct gk_err *err);

/*
 * Does a stored external user belong to the identity provider's subject sub?
 * A user bound to a subject belongs to that subject only; a user with none
 * (created before subjects were stored, or by a proxy header) belongs to
 * whoever else vouches for it, and is bound on the next write.
 */
bool gk_extuser_subject_ok(const struct gk_user *u, const char *sub);

#endif
