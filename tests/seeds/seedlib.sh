# tests/seeds/seedlib.sh: run one seed app's how-to (docs/howto-APP.md) for real: nginx with
# contrib/apps/APP/nginx.conf, gatekeep-authz with contrib/apps/APP/gatekeep.conf, and the
# stand-in app (tests/seeds/backend.py) configured by contrib/apps/APP/APP.env.
# Sourced after tests/lib.sh and tests/servers/harness.sh (whose functions it reuses).

SEEDS="$top_srcdir/tests/seeds"
APPS="$top_srcdir/contrib/apps"
WSCLIENT="$SEEDS/wsclient.py"
SEED_GK_EXTRA=""        # lines appended to the rendered gatekeep.conf (test-only settings)

# seed_render SRC DST "DOCPORT...": the harness's renderer plus what the app files use: the
# database directory and the app's documented addresses (127.0.0.1:DOCPORT -> the stand-in).
seed_render() {
	local p args=(-e "s|/var/lib/gatekeep|$GK|g")
	for p in $3; do args+=(-e "s|127\.0\.0\.1:$p\([^0-9]\)|127.0.0.1:$BACKEND_PORT\1|g"); done
	# $SEED_SED: a test's own sed script (e.g. the app's private address -> a loopback one)
	[ -n "${SEED_SED:-}" ] && args+=(-e "$SEED_SED")
	gk_render "$1" "$2.tmp"
	sed "${args[@]}" "$2.tmp" >"$2" || bail "cannot render $1"
	rm -f "$2.tmp"
}

# seed_docs_match APP FILE...: every contrib/apps/APP/FILE appears verbatim in
# docs/howto-APP.md, in the fenced block after "<!-- contrib/apps/APP/FILE -->".
seed_docs_match() {
	local app="$1" f out
	shift
	for f in "$@"; do
		out=$("$PY" - "$top_srcdir/docs/howto-$app.md" "contrib/apps/$app/$f" "$APPS/$app/$f" <<'PY'
import sys
doc, name, path = sys.argv[1:4]
text = open(doc).read().split("\n")
want = open(path).read()
for i, line in enumerate(text):
    if line.strip() == "<!-- %s -->" % name:
        j = i + 1
        if not text[j].startswith("```"):
            print("no fenced block after the marker"); sys.exit(1)
        k = j + 1
        while not text[k].startswith("```"):
            k += 1
        got = "\n".join(text[j + 1:k]) + "\n"
        if got != want:
            print("the block differs from the file"); sys.exit(1)
        sys.exit(0)
print("marker not found"); sys.exit(1)
PY
)
		ok $? "docs/howto-$app.md shows contrib/apps/$app/$f verbatim${out:+ ($out)}"
	done
}

# seed_env_args APP: the app's documented settings (APP.env: KEY=VALUE lines) as env args.
seed_env_args() {
	SEED_ENV=()
	local line
	while IFS= read -r line; do
		case "$line" in ''|'#'*) continue ;; esac
		SEED_ENV+=("$line")
	done <"$APPS/$1/$1.env"
}

# seed_start_app APP [VAR=VALUE...]: the stand-in on $BACKEND_PORT with APP.env + extras.
seed_start_app() {
	local app="$1"
	shift
	seed_env_args "$app"
	gk_bg app env -i PATH=/usr/bin:/bin "${SEED_ENV[@]}" "$@" "$PY" "$SEEDS/backend.py" "$app" "$BACKEND_PORT"
	gk_up app "$BACKEND_PORT" "stand-in $app (port $BACKEND_PORT)" "standin-$app"
}

# seed_gk_conf APP DOCPORT: $GK/gatekeep.conf = the app's file + $SEED_GK_EXTRA.
seed_gk_conf() {
	seed_render "$APPS/$1/gatekeep.conf" "$GK/gatekeep.conf" "$2"
	printf 'log_target = stderr\nlog_level = debug\n' >>"$GK/gatekeep.conf"
	if [ -n "$SEED_GK_EXTRA" ]; then printf '%s\n' "$SEED_GK_EXTRA" >>"$GK/gatekeep.conf"; fi
	if [ -n "$GK_RUN_LINES" ]; then printf '%s\n' "$GK_RUN_LINES" >>"$GK/gatekeep.conf"; fi
}

# seed_start_gk APP DOCPORT [VAR=VALUE...]: gatekeep-authz (unix socket) on the app's config,
# with extra environment (for ${VAR} in the config).
seed_start_gk() {
	local app="$1" port="$2"
	shift 2
	seed_gk_conf "$app" "$port"
	env "$@" "$GK_AUTHZ" -c "$GK/gatekeep.conf" --check-config >"$LOG/check-config.out" 2>&1 ||
		{ sed 's/^/#   /' "$LOG/check-config.out"; bail "gatekeep-authz --check-config rejects $app's config"; }
	rm -f "$GK_SOCK"
	gk_bg authz env "$@" "$GK_AUTHZ" -c "$GK/gatekeep.conf" --listen "unix:$GK_SOCK" --socket-mode 0666 --workers 2
	{ gk_wait_sock "$GK_SOCK" && gk_alive authz; } || gk_fail_start authz "gatekeep-authz ($app)"
}

# seed_start_nginx APP DOCPORT: nginx with the app's site file, through the harness's
# gk_start_nginx (which takes its site file from $CONTRIB/nginx/gatekeep.conf).
seed_start_nginx() {
	mkdir -p "$TMP/contrib/nginx"
	seed_render "$APPS/$1/nginx.conf" "$TMP/contrib/nginx/gatekeep.conf" "$2"
	CONTRIB="$TMP/contrib" gk_start_nginx
}

# jget KEY: a top-level field of the JSON body of the last response ("null" if absent).
jget() {
	printf '%s' "$BODY" | "$PY" -c 'import json,sys
try: v = json.load(sys.stdin).get(sys.argv[1])
except Exception: v = "NOT-JSON"
print("null" if v is None else (str(v).lower() if isinstance(v, bool) else v))' "$1"
}

# ws HOSTPORT PATH MESSAGE [ARGS...]: a WebSocket exchange; sets WS (all output lines).
ws() { WS=$("$PY" "$WSCLIENT" "$@" 2>&1); }

# A client's own identity headers, in every spelling a server or an app might fold
# together (dash/underscore, any case), twice and comma-merged; every value holds "spoof".
SPOOF_H=(
	-H 'Remote-User: spoof-u1' -H 'Remote-User: spoof-u2' -H 'remote-user: spoof-u3'
	-H 'REMOTE-USER: admin, spoof-u4' -H 'Remote_User: spoof-u5' -H 'remote_USER: spoof-u6'
	-H 'Remote-Groups: admins,spoof-g1' -H 'remote-groups: spoof-g2' -H 'REMOTE_GROUPS: spoof-g3'
	-H 'Remote-Email: spoof-e1@example.org' -H 'rEmOtE-eMaIl: spoof-e2@example.org'
	-H 'Remote_Email: spoof-e3@example.org'
	-H 'Remote-Name: spoof-n1' -H 'Remote-Name: spoof-n2' -H 'remote_name: spoof-n3'
	-H 'X-Organizr-User: spoof-o1' -H 'X-Organizr-Email: spoof-o2@example.org'
	-H 'X-Organizr-Group: spoof-o3' -H 'x_organizr_group: spoof-o4'
)

# seed_spoof WANT WHAT URL [CURL-ARGS...]: URL with $SPOOF_H answers WANT; when the app
# answered (X-Standin-Identity), none of the client's identity values reached it.
seed_spoof() {
	local want="$1" what="$2" url="$3" id
	shift 3
	req "${SPOOF_H[@]}" "$@" "$url"
	is "$CODE" "$want" "$what with spoofed identity headers -> $want"
	id=$(hdr X-Standin-Identity)
	if [ "$want" = 200 ]; then like "$id" '^\[' "... the app answered"; fi
	unlike "$id$BODY" spoof "... and got no client identity value (got ${id:-none})"
}

# seed_app_cookie WHAT URL [CURL-ARGS...]: URL with gatekeep's zero-hop ticket and sign-in
# cookies around the app's own answers 200; the app got its own cookies only, byte for
# byte and in order, and no Basic pair (gatekeep's password). With SESSION=1 gatekeep's
# session cookie comes too, twice, and in a second Cookie line (a bypassed URL only:
# gatekeep refuses a repeated cookie and several Cookie lines).
seed_app_cookie() {
	local what="$1" url="$2" G=gatekeep_session
	shift 2
	local two=(-H "Cookie: ${G}_ticket=t; app=1;other=x=y; __Host-${G}_csrf=c")
	[ "${SESSION:-}" = 1 ] && two=(-H "Cookie: ${G}_ticket=t; app=1; $G=s1;other=x=y" -H "Cookie: __Host-${G}_csrf=c; $G=s2")
	req "$@" "${two[@]}" "$url"
	is "$CODE/$(hdr X-Standin-Cookie)" '200/["app=1;other=x=y"]' "$what: the app gets its own cookies only, not gatekeep's"
	is "$(hdr X-Standin-Authorization)" '[]' "$what: ... and no Basic pair"
}
