/* conn.c: the state every kind of event-loop connection keeps (lib/conn.h). */
#include <config.h>

#include "conn.h"

void
gk_conn_init(struct gk_conn *c, const struct gk_conn_ops *ops, int fd, int64_t deadline)
{
	c->ops = ops;
	c->fd = fd;
	c->deadline = deadline;
	c->idle_since = 0;
	c->refusal = GK_FCGICONN_FINE;
	c->reason = "";
}

void
gk_conn_refuse(struct gk_conn *c, enum gk_fcgiconn_refusal r, const char *reason)
{
	c->refusal = r;
	c->reason = reason;
}

enum gk_fcgiconn_refusal
gk_conn_refusal(struct gk_conn *c, const char **reason)
{
	enum gk_fcgiconn_refusal r = c->refusal;

	c->refusal = GK_FCGICONN_FINE;
	*reason = c->reason;
	return r;
}

void
gk_conn_free(struct gk_conn *c)
{
	if (c != NULL)
		c->ops->free(c);
}
