# tests/servers/njsfn.sh: nginx with njs answering with one function beside a copy of
# contrib/nginx/gatekeep.js, so a test can hold a part of it (cookieValues, hostRefused)
# against lib/'s; tests/perf_cookie_diff.sh, tests/fix11_njshost.sh. Source after tests/lib.sh.

NJS_MOD=/usr/lib/nginx/modules/ngx_http_js_module.so
PY=/usr/bin/python3

# gk_njs_fn NAME 'function NAME(r) {...}': nginx on 127.0.0.1:$PORT whose location /NAME
# runs the function, appended to gatekeep.js in place of its export line (it may call
# whatever gatekeep.js defines); stopped when the test exits.
gk_njs_fn() {
	local user=""
	[ -f "$NJS_MOD" ] || bail "nginx's njs module is missing: $NJS_MOD (libnginx-mod-http-js)"
	command -v nginx >/dev/null || bail "nginx is missing"
	mkdir -p "$TMP/njs" "$TMP/nginx"
	grep -q '^export default { check, route, cookieValues };' "$top_srcdir/contrib/nginx/gatekeep.js" ||
		bail "gatekeep.js no longer ends in the export line this test replaces"
	{ sed '/^export default /d' "$top_srcdir/contrib/nginx/gatekeep.js"
	  printf '%s\nexport default { %s };\n' "$2" "$1"; } >"$TMP/njs/gk.js"
	chmod -R a+rX "$TMP"
	PORT=$($PY -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
	[ "$(id -u)" = 0 ] && user="user root root;"
	cat >"$TMP/nginx/nginx.conf" <<CONF
load_module $NJS_MOD;
$user
$(gk_nginx_http_head "$TMP/nginx")
	large_client_header_buffers 4 32k;
	js_import gk from $TMP/njs/gk.js;
	server { listen 127.0.0.1:$PORT; location = /$1 { js_content gk.$1; } }
}
CONF
	nginx -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" -g 'daemon off;' 2>"$TMP/nginx/stderr" &
	NGINX_PID=$!
	at_exit "kill $NGINX_PID"
	for _ in $(seq 50); do curl -s "http://127.0.0.1:$PORT/" >/dev/null 2>&1 && return 0; sleep 0.1; done
	bail "nginx with njs did not start: $(cat "$TMP/nginx/stderr")"
}
