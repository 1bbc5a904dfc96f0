# tests/browser_stack.sh: the stack the browser tests drive (sourced after tests/lib.sh):
# nginx serving app1.gk.test and app2.gk.test, gatekeep-authz behind auth_request and
# gatekeep-login under /gatekeep/, all on loopback under $TMP, and the step that runs a
# Python Selenium driver and turns its TAP lines into the caller's.

# Checks the tools, makes the directories and the app page, picks $PORT; sets PY, NGINX, ART.
browser_stack_prepare() {
	PY=/usr/bin/python3
	for p in "$GK_AUTHZ" "$GK_LOGIN" "$GK_PASSWD"; do [ -x "$p" ] || bail "$p not built"; done
	for p in nginx chromium chromedriver; do
		command -v "$p" >/dev/null || [ -x "/usr/sbin/$p" ] ||
			bail "$p missing: scripts/install-deps test (chromium chromium-driver python3-selenium nginx)"
	done
	$PY -c 'import selenium' 2>/dev/null || bail "python3-selenium missing: scripts/install-deps test"
	NGINX=$(command -v nginx || echo /usr/sbin/nginx)
	ART="$top_builddir/tests/artifacts"
	mkdir -p "$ART" "$TMP/state" "$TMP/nginx/logs" "$TMP/chrome" "$TMP/www"
	cat > "$TMP/www/app.html" <<'EOF'
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>App</title></head>
<body><h1 id="greeting">Hello, <!--# echo var="gk_name" default="nobody" --></h1>
<p>user=<!--# echo var="gk_user" default="" --> on <!--# echo var="host" --></p></body></html>
EOF

	# Chromium refuses a few "unsafe" ports; pick another if free_port lands on one.
	for i in 1 2 3 4 5; do
		PORT=$(free_port)
		case " 1719 1720 1723 2049 3659 4045 4190 5060 5061 6000 6566 6665 6666 6667 6668 6669 6679 6697 10080 " in
		*" $PORT "*) continue ;;
		esac
		break
	done
}

# Writes $TMP/gk.conf (the stack's keys, realm $1, then the lines in $2) and a database with
# alice (password "correct horse"); exports GATEKEEP_CONFIG.
browser_stack_conf() {
	cat > "$TMP/gk.conf" <<EOF
database = $TMP/users.db
secret_file = $TMP/secret
state_dir = $TMP/state
log_target = stderr
log_level = info
login_url = /gatekeep/login
cookie_domain = gk.test
cookie_secure = false
redirect_domains = .gk.test
default_redirect = /protected/
realm = $1
$2
$GK_RUN_LINES
EOF
	export GATEKEEP_CONFIG="$TMP/gk.conf"
	"$GK_PASSWD" --init "$TMP/users.db" >/dev/null 2>&1 || bail "gatekeep-passwd --init"
	"$GK_PASSWD" -b --groups=dev --email=alice@example.com --name="Alice Liddell" \
		"$TMP/users.db" alice 'correct horse' >/dev/null 2>&1 || bail "add alice"
}

# Starts gatekeep-authz, gatekeep-login and nginx on $PORT with $TMP/gk.conf and the users in
# $TMP/users.db (stopped at exit), and checks the chain from curl before the browser runs.
browser_stack_start() {
	gk_give_nobody "$TMP/users.db" "$TMP/secret" "$TMP/state" "$TMP"

	"$GK_AUTHZ" -c "$TMP/gk.conf" --listen "unix:$TMP/authz.sock" --socket-mode 0660 --workers 1 \
		> "$TMP/authz.log" 2>&1 &
	apid=$!
	at_exit "kill $apid"
	"$GK_LOGIN" -c "$TMP/gk.conf" --listen "unix:$TMP/login.sock" --socket-mode 0660 \
		> "$TMP/login.log" 2>&1 &
	lpid=$!
	at_exit "kill $lpid"
	for i in $(seq 50); do [ -S "$TMP/authz.sock" ] && [ -S "$TMP/login.sock" ] && break; sleep 0.1; done
	[ -S "$TMP/authz.sock" ] || bail "gatekeep-authz did not start: $(cat "$TMP/authz.log")"
	[ -S "$TMP/login.sock" ] || bail "gatekeep-login did not start: $(cat "$TMP/login.log")"

	user=""
	[ "$(id -u)" = 0 ] && user="user root root;"
	cat > "$TMP/nginx/nginx.conf" <<EOF
$user
worker_processes 1;
error_log $TMP/nginx/logs/error.log info;
pid $TMP/nginx/nginx.pid;
events { worker_connections 64; }
http {
	access_log $TMP/nginx/logs/access.log;
	client_body_temp_path $TMP/nginx/body;
	fastcgi_temp_path $TMP/nginx/fastcgi;
	proxy_temp_path $TMP/nginx/proxy;
	uwsgi_temp_path $TMP/nginx/uwsgi;
	scgi_temp_path $TMP/nginx/scgi;
	server {
		listen 127.0.0.1:$PORT;
		server_name app1.gk.test app2.gk.test;

		location /protected/ {
			auth_request /auth;
			auth_request_set \$gk_user \$upstream_http_remote_user;
			auth_request_set \$gk_name \$upstream_http_remote_name;
			auth_request_set \$gk_location \$upstream_http_location;
			error_page 401 = @login;
			# return would run before the access phase; serve a page instead (SSI fills the name).
			root $TMP/www;
			ssi on;
			default_type text/html;
			try_files /app.html =404;
		}
		location = /auth {
			internal;
			fastcgi_pass unix:$TMP/authz.sock;
			fastcgi_pass_request_body off;
			fastcgi_param REQUEST_METHOD \$request_method;
			fastcgi_param REQUEST_URI \$request_uri;
			fastcgi_param QUERY_STRING \$query_string;
			fastcgi_param SCRIPT_NAME \$fastcgi_script_name;
			fastcgi_param SERVER_NAME \$server_name;
			fastcgi_param SERVER_PORT \$server_port;
			fastcgi_param REQUEST_SCHEME \$scheme;
			fastcgi_param HTTPS \$https if_not_empty;
			fastcgi_param REMOTE_ADDR \$remote_addr;
			fastcgi_param CONTENT_LENGTH "";
		}
		location @login {
			return 302 \$gk_location;
		}
		location /gatekeep/ {
			fastcgi_pass unix:$TMP/login.sock;
			fastcgi_param REQUEST_METHOD \$request_method;
			fastcgi_param REQUEST_URI \$request_uri;
			fastcgi_param QUERY_STRING \$query_string;
			fastcgi_param CONTENT_TYPE \$content_type;
			fastcgi_param CONTENT_LENGTH \$content_length;
			fastcgi_param SCRIPT_NAME \$fastcgi_script_name;
			fastcgi_param SERVER_NAME \$server_name;
			fastcgi_param SERVER_PORT \$server_port;
			fastcgi_param REQUEST_SCHEME \$scheme;
			fastcgi_param HTTPS \$https if_not_empty;
			fastcgi_param REMOTE_ADDR \$remote_addr;
		}
	}
}
EOF
	"$NGINX" -t -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" > "$TMP/nginx-t.log" 2>&1 ||
		bail "nginx -t: $(cat "$TMP/nginx-t.log")"
	"$NGINX" -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" -g 'daemon off;' > "$TMP/nginx.out" 2>&1 &
	npid=$!
	at_exit "kill $npid"
	wait_port "$PORT" || bail "nginx did not start: $(cat "$TMP/nginx.out" "$TMP/nginx/logs/error.log")"
	diag "nginx on 127.0.0.1:$PORT (app1.gk.test, app2.gk.test)"

	# Sanity from curl before the browser: the chain answers as the browser will see it.
	code=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -H 'Accept: text/html' \
		--resolve "app1.gk.test:$PORT:127.0.0.1" "http://app1.gk.test:$PORT/protected/")
	like "$code" "^302 http://app1.gk.test:$PORT/gatekeep/login\\?rd=" "curl: protected URL -> 302 to login"
}

# Runs the Selenium driver tests/$1 and reports its steps as ours (the log tails on failure).
browser_stack_drive() {
	local out rc line t0

	t0=$(date +%s)
	out=$(timeout 120 "$PY" "$top_srcdir/tests/$1" "$PORT" "$ART" "$TMP/chrome" 2>"$TMP/py.err")
	rc=$?
	diag "the browser part took $(( $(date +%s) - t0 )) s"
	# Renumber the Python TAP lines into ours.
	while IFS= read -r line; do
		case "$line" in
		"ok "*) ok 0 "browser: ${line#ok * - }" ;;
		"not ok "*) ok 1 "browser: ${line#not ok * - }" ;;
		"Bail out!"*) bail "${line#Bail out! }" ;;
		"#"*) echo "$line" ;;
		esac
	done <<< "$out"
	ok "$rc" "browser driver exited cleanly"
	if [ "$rc" -ne 0 ]; then
		sed 's/^/#   py: /' "$TMP/py.err" | tail -20
		sed 's/^/#   authz: /' "$TMP/authz.log" | tail -10
		sed 's/^/#   login: /' "$TMP/login.log" | tail -20
	fi
}
