# tests/servers/httpfront.sh: nginx in front of gatekeep-authz over HTTP/1.1 on kept
# connections (contrib/nginx/gatekeep-http.conf and gatekeep-http-auth.conf); sourced after
# tests/servers/harness.sh by tests/httpfront_*.sh.
GK_HTTP_SOCK="$RUN/authz-http.sock"
GK_AUTHZ_OPTS="--http-listen unix:$GK_HTTP_SOCK"

# gk_start_nginx_http: contrib/nginx/gatekeep.conf as shipped, its FastCGI auth location
# replaced by the HTTP one, the upstream in front; then nginx as gk_start_nginx runs it.
gk_start_nginx_http() {
	gk_need nginx
	mkdir -p "$RUN/nginx"
	gk_wait_sock "$GK_HTTP_SOCK" || bail "gatekeep-authz made no HTTP socket $GK_HTTP_SOCK"
	gk_render "$CONTRIB/nginx/gatekeep-http.conf" "$RUN/nginx/upstream.conf"
	gk_render "$CONTRIB/nginx/gatekeep-http-auth.conf" "$RUN/nginx/auth.conf"
	gk_render "$CONTRIB/nginx/gatekeep.conf" "$RUN/nginx/site.tmpl"
	"$PY" - "$RUN/nginx/site.tmpl" "$RUN/nginx" "$PORT" <<'PYEOF' || bail "contrib/nginx/gatekeep.conf no longer has the /_gatekeep location"
import re, sys
src, d, port = sys.argv[1:]
s = open(src).read()
s, n = re.subn(r"\n\tlocation = /_gatekeep \{.*?\n\t\}\n", "\n\tinclude %s/auth.conf;\n" % d, s, count=1, flags=re.S)
s = s.replace("listen 80;", "listen 127.0.0.1:%s;" % port)
s = s.replace("include fastcgi_params;", "include /etc/nginx/fastcgi_params;")
open(d + "/site.conf", "w").write("include %s/upstream.conf;\n" % d + s)
sys.exit(0 if n == 1 else 1)
PYEOF
	gk_run_nginx "$SRV/nginx-main.conf"
}
