/* ldapconn.c: one LDAP connection with the options gatekeep requires, and a user's bind on it. */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include "ldapconn.h"

void
gk_ldap_down(const struct gk_config *cfg, const struct gk_log *log, char *why,
    const char *what, int rc)
{
	bool tls = cfg->ldap_starttls || strncasecmp(cfg->ldap_uri, "ldaps://", 8) == 0;

	/* GnuTLS builds of libldap give no reason for a refused certificate: say where to look */
	gk_log(log, LOG_ERR, "ldap: directory %s cannot be reached (%s: %s%s%s)%s: denying",
	    cfg->ldap_uri, what, ldap_err2string(rc), why[0] != '\0' ? ": " : "", why,
	    tls && (rc == LDAP_CONNECT_ERROR || rc == LDAP_SERVER_DOWN) ? " (or TLS refused: is "
	    "the certificate signed by a CA of ldap_ca_file and issued for the host?)" : "");
	why[0] = '\0';
}

bool
gk_ldap_conn_error(int rc)
{
	return rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR || rc == LDAP_TIMEOUT ||
	    rc == LDAP_UNAVAILABLE || rc == LDAP_BUSY || rc == LDAP_OTHER ||
	    rc == LDAP_LOCAL_ERROR || rc == LDAP_ENCODING_ERROR || rc == LDAP_DECODING_ERROR;
}

int
gk_ldap_connect(const struct gk_config *cfg, LDAP **out, char *why, size_t whysz)
{
	struct timeval tv = { cfg->ldap_timeout, 0 };
	int v3 = LDAP_VERSION3, demand = LDAP_OPT_X_TLS_DEMAND, zero = 0, never = LDAP_DEREF_NEVER;
	int tlsmin = LDAP_OPT_X_TLS_PROTOCOL_TLS1_2;
	LDAP *ld = NULL;
	int rc;

	*out = NULL;
	if ((rc = ldap_initialize(&ld, cfg->ldap_uri)) != LDAP_SUCCESS)
		return rc;
	if ((rc = ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &v3)) != LDAP_OPT_SUCCESS ||
	    (rc = ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF)) != LDAP_OPT_SUCCESS ||
	    /* not ldap.conf's DEREF: an alias would bring entries from outside ldap_base_dn in */
	    (rc = ldap_set_option(ld, LDAP_OPT_DEREF, &never)) != LDAP_OPT_SUCCESS ||
	    (rc = ldap_set_option(ld, LDAP_OPT_RESTART, LDAP_OPT_OFF)) != LDAP_OPT_SUCCESS ||
	    (rc = ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &tv)) != LDAP_OPT_SUCCESS ||
	    (rc = ldap_set_option(ld, LDAP_OPT_TIMEOUT, &tv)) != LDAP_OPT_SUCCESS ||
	    (rc = ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand)) != LDAP_OPT_SUCCESS ||
	    (rc = ldap_set_option(ld, LDAP_OPT_X_TLS_PROTOCOL_MIN, &tlsmin)) != LDAP_OPT_SUCCESS ||
	    (cfg->ldap_ca_file[0] != '\0' && (rc = ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE,
	    cfg->ldap_ca_file)) != LDAP_OPT_SUCCESS) ||
	    (rc = ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &zero)) != LDAP_OPT_SUCCESS) {
		ldap_unbind_ext_s(ld, NULL, NULL);
		return rc == LDAP_OPT_ERROR ? LDAP_LOCAL_ERROR : rc;
	}
	/* StartTLS or nothing: a failure never falls back to plain text. */
	if (cfg->ldap_starttls && (rc = ldap_start_tls_s(ld, NULL, NULL)) != LDAP_SUCCESS) {
		char *msg = NULL;

		/* e.g. "(unknown error code)" alone would hide a refused certificate */
		if (ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &msg) == LDAP_OPT_SUCCESS &&
		    msg != NULL) {
			snprintf(why, whysz, "%s", msg);
			ldap_memfree(msg);
		}
		ldap_unbind_ext_s(ld, NULL, NULL);
		return rc;
	}
	*out = ld;
	return LDAP_SUCCESS;
}

int
gk_ldap_simple_bind(LDAP *ld, const char *dn, const char *pw, size_t len)
{
	struct berval cred;

	cred.bv_val = (char *)pw;
	cred.bv_len = len;
	return ldap_sasl_bind_s(ld, dn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL);
}

int
gk_ldap_user_bind(const struct gk_config *cfg, LDAP **ld, const char *dn, const char *pw,
    size_t len, char *why, size_t whysz)
{
	int rc = LDAP_SERVER_DOWN, tries;

	for (tries = 0; tries < 2; tries++) {
		if (*ld == NULL && (rc = gk_ldap_connect(cfg, ld, why, whysz)) != LDAP_SUCCESS)
			continue;
		rc = gk_ldap_simple_bind(*ld, dn, pw, len);
		if (!gk_ldap_conn_error(rc))
			return rc;
		ldap_unbind_ext_s(*ld, NULL, NULL);
		*ld = NULL;
	}
	return rc;
}

enum gk_pw_verdict
gk_ldap_check(const struct gk_config *cfg, const struct gk_log *log, LDAP **ld, char *why,
    size_t whysz, const char *user, const char *dn, const char *password)
{
	size_t len = strlen(password);
	char esc[GK_USER_MAX * 4 + 8];
	int rc;

	/* RFC 4513 5.1.2: a name with an empty password is an unauthenticated bind, no proof. */
	if (len == 0 || len > GK_PASSWORD_MAX)
		return GK_PW_MISMATCH;
	rc = gk_ldap_user_bind(cfg, ld, dn, password, len, why, whysz);
	if (rc == LDAP_SUCCESS)
		return GK_PW_MATCH;
	if (gk_ldap_conn_error(rc)) {
		gk_ldap_down(cfg, log, why, "bind", rc);
		/*
		 * ldap_down_grace lets only the Basic cache's passwords through. Any other is a
		 * guess at the cached one: a failure not counted (GK_PW_FAIL is refunded) would
		 * make the outage an unthrottled guessing window. Counted as a wrong password.
		 */
		return cfg->ldap_down_grace > 0 ? GK_PW_MISMATCH : GK_PW_FAIL;
	}
	if (rc != LDAP_INVALID_CREDENTIALS) {
		gk_log_escape(user, esc, sizeof(esc));
		gk_log(log, LOG_NOTICE, "ldap: the directory refused the bind of user=%s: %s",
		    esc, ldap_err2string(rc));
	}
	return GK_PW_MISMATCH;
}
