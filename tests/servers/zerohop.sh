# tests/servers/zerohop.sh: the nginx zero-hop site of contrib/nginx (gatekeep-zerohop.conf +
# gatekeep.js, the ticket key include from gatekeep-passwd --zero-hop-key) in front of a
# gatekeep-authz that hands out tickets, for the zero-hop tests. Source after
# tests/servers/harness.sh; TOKENTOOL is tests/tokentool unless the test sets it.

NJS_MOD=/usr/lib/nginx/modules/ngx_http_js_module.so
: "${TOKENTOOL:=$top_builddir/tests/tokentool}"
# GK_ZEROHOP=module: the same site with the native module instead of njs
# (contrib/nginx/gatekeep-module.conf, the .so from this build): tests/ngxmod_*.sh
GK_ZEROHOP=${GK_ZEROHOP:-njs}
GK_NGXMOD_SO="$top_builddir/contrib/nginx/gatekeep-module/ngx_http_gatekeep_module.so"
if [ "$GK_ZEROHOP" = module ]; then
	ZH_KEY_OPTS=(--nginx-module)
	ZH=module
	ZH_KEY_RE='^gatekeep_ticket_key [0-9a-f]{64};$'
else
	ZH_KEY_OPTS=()
	ZH=njs
	ZH_KEY_RE='^js_var \$gatekeep_ticket_key [0-9a-f]{64};$'
fi

# gk_start_zerohop TTL [USER]: the world, gatekeep-authz (tickets of TTL seconds, so no
# rules) and nginx with njs serving the shipped zero-hop site on $PORT; with USER, also
# USER's session and ticket (gk_zerohop_session).
gk_start_zerohop() {
	[ -x "$TOKENTOOL" ] || bail "tests/tokentool not built"
	if [ "$GK_ZEROHOP" = module ]; then
		[ -f "$GK_NGXMOD_SO" ] || { echo "1..0 # SKIP the native nginx module is not built (nginx-dev)"; exit 0; }
	else
		[ -f "$NJS_MOD" ] || bail "nginx's njs module is missing: $NJS_MOD (libnginx-mod-http-js)"
	fi
	gk_need nginx
	gk_world
	zh_conf "$1"
	gk_start_backend
	gk_start_authz unix
	gk_zerohop_nginx
	if [ -n "${2:-}" ]; then gk_zerohop_session "$2"; fi
}

# gk_zerohop_nginx: nginx (njs or the module) serving the shipped zero-hop site on $PORT,
# in front of the gatekeep-authz and backend already running.
gk_zerohop_nginx() {
	mkdir -p "$RUN/nginx" "$TMP/njs"
	if [ "$GK_ZEROHOP" = module ]; then
		gk_render "$CONTRIB/nginx/gatekeep-module.conf" "$RUN/nginx/site.conf"
	else
		# the shipped site, the module loaded, gatekeep.js from our own copy (nginx's
		# workers, nobody when root, must read it)
		cp "$CONTRIB/nginx/gatekeep.js" "$TMP/njs/gatekeep.js"
		chmod 755 "$TMP/njs" && chmod 644 "$TMP/njs/gatekeep.js"
		gk_render "$CONTRIB/nginx/gatekeep-zerohop.conf" "$RUN/nginx/site.conf"
	fi
	sed -i -e "s|listen 80;|listen 127.0.0.1:$PORT;|" \
	       -e "s|include fastcgi_params;|include /etc/nginx/fastcgi_params;|" \
	       -e "s|/usr/share/gatekeep/nginx/gatekeep.js|$TMP/njs/gatekeep.js|" \
	       -e "s|include /etc/nginx/gatekeep-ticket-key.conf;|include $RUN/nginx/ticket-key.conf;|" "$RUN/nginx/site.conf"
	grep -q "include $RUN/nginx/ticket-key.conf;" "$RUN/nginx/site.conf" ||
		bail "contrib/nginx's zero-hop site no longer has the ticket key include this test rewrites"
	[ "$GK_ZEROHOP" = module ] || grep -q "js_import gatekeep from $TMP/njs/gatekeep.js" "$RUN/nginx/site.conf" ||
		bail "contrib/nginx/gatekeep-zerohop.conf no longer has the js_import line this test rewrites"
	zh_key_write
	if [ "$GK_ZEROHOP" = module ]; then
		gk_run_nginx "$SRV/nginx-main.conf" "load_module $GK_NGXMOD_SO;"
	else
		gk_run_nginx "$SRV/nginx-main.conf" "load_module $NJS_MOD;"
	fi
}

# gk_zerohop_restart: nginx stopped and started again with the site as a test edited it.
gk_zerohop_restart() {
	gk_stop nginx
	if [ "$GK_ZEROHOP" = module ]; then
		gk_run_nginx "$SRV/nginx-main.conf" "load_module $GK_NGXMOD_SO;"
	else
		gk_run_nginx "$SRV/nginx-main.conf" "load_module $NJS_MOD;"
	fi
}

# zh_conf TTL [rules]: gatekeep.conf with zero_hop_ticket_ttl = TTL; without "rules", no
# rule lines (tickets are only handed out without rules).
zh_conf() {
	gk_conf "192.0.2.1/32" "zero_hop_ticket_ttl = $1" "cookie_secure = false"
	[ "${2:-}" = rules ] || sed -i '/^rule = /d' "$GK/gatekeep.conf"
}

# The ticket key include nginx reads, for njs or the module.
zh_key_write() {
	"$GK_PASSWD" --zero-hop-key="$RUN/nginx/ticket-key.conf" "${ZH_KEY_OPTS[@]}" "$GK/users.db" >>"$LOG/passwd.out" 2>&1 ||
		bail "gatekeep-passwd --zero-hop-key"
}

# A user's generation; gatekeep-authz's decisions so far (one log line per request it was asked about).
gen() { "$GK_PASSWD" --show="$1" "$GK/users.db" | sed -n 's/^generation: *//p'; }
calls() { grep -c 'method=session\|reason=' "$LOG/authz.out"; }

# gk_zerohop_session USER: TOK, a session cookie of USER, and TICKET, the ticket
# gatekeep-authz hands out with it.
gk_zerohop_session() {
	TOK=$("$TOKENTOOL" -l 7200 -g "$(gen "$1")" issue "$GK/secret" gatekeep "$1") || bail "tokentool"
	req -H "Cookie: gatekeep_session=$TOK" "$BASE/private/"
	TICKET=$(hdr Set-Cookie | sed -n 's/^gatekeep_session_ticket=\([^;]*\);.*/\1/p')
	[ -n "$TICKET" ] || bail "no ticket from gatekeep-authz"
}
