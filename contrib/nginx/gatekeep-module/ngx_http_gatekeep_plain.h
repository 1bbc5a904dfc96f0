/* ngx_http_gatekeep_plain.h: whether gatekeep-authz would read a request one way and not refuse it whoever asks (the zero hop's precondition). */
#ifndef NGX_HTTP_GATEKEEP_PLAIN_H
#define NGX_HTTP_GATEKEEP_PLAIN_H

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

/*
 * NULL when the main request r is one the zero hop may judge: its method, target, header
 * lines and Host are ones gatekeep-authz reads one way and never refuses for everyone,
 * and nginx can hand them to gatekeep-authz in one FastCGI record. Else the reason it is
 * left to gatekeep-authz (which then decides, or nginx fails the auth_request).
 */
const char *ngx_http_gatekeep_plain(ngx_http_request_t *r);

/* No C0 byte (tab included) and no DEL: lib/validate.c's gk_valid_header_value. */
ngx_flag_t ngx_http_gatekeep_header_bytes(const ngx_str_t *v);

#endif
