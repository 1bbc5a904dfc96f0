# tests/cpu.mk: issue 15, point 2: the event core's system calls per decision behind a real
# nginx, counted (never timed): auth_request, fastcgi_keep_conn under auth_request, and a
# FastCGI connection nginx really reuses.
TESTS += tests/cpu_syscalls.sh
dist_check_SCRIPTS += tests/cpu_syscalls.sh
