# tests/servers/slapd.sh: a real slapd for the LDAP tests, on a free loopback port under $TMP
# (mdb, the schema from /etc/ldap/schema, the memberof overlay). Sourced after harness.sh.

# gk_slapd_init: D (its directory), LPORT, LURI and SUFFIX.
gk_slapd_init() {
	D="$TMP/slapd"
	mkdir -p "$D/db"
	LPORT=$(free_port)
	LURI="ldap://127.0.0.1:$LPORT"
	SUFFIX="dc=gk,dc=test"
}

# gk_slapd_conf [LINE...]: writes $D/slapd.conf; each LINE goes to its global section.
gk_slapd_conf() {
	cat >"$D/slapd.conf" <<EOC
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
pidfile $D/slapd.pid
modulepath /usr/lib/ldap
moduleload back_mdb
$(printf '%s\n' "$@")
moduleload memberof
database mdb
maxsize 16777216
suffix "$SUFFIX"
rootdn "cn=admin,$SUFFIX"
rootpw admin-pw
directory $D/db
overlay memberof
access to attrs=userPassword by anonymous auth by * none
access to * by * read
EOC
}

# gk_slapd_load LDIF: the tree, loaded before slapd runs.
gk_slapd_load() {
	slapadd -f "$D/slapd.conf" -l "$1" >"$LOG/slapadd.out" 2>&1 ||
		{ sed 's/^/#   /' "$LOG/slapadd.out"; bail "slapadd cannot load the test tree"; }
}

# gk_slapd_run: slapd on $LURI (stopped at exit, as every gk_bg process).
gk_slapd_run() {
	gk_bg slapd slapd -d 0 -f "$D/slapd.conf" -h "$LURI/"
	wait_port "$LPORT" 80 && gk_alive slapd || gk_fail_start slapd "slapd ($LURI)"
}
