/* sdnotify.h: systemd's readiness and watchdog notifications (Type=notify), without libsystemd. */
#ifndef GK_SDNOTIFY_H
#define GK_SDNOTIFY_H

#include <stdint.h>

/*
 * Sends state ("READY=1", "STOPPING=1", ...) as one datagram to $NOTIFY_SOCKET (a path, or
 * "@name" in the abstract namespace), as sd_notify(3) does.  1 sent, 0 when there is no
 * NOTIFY_SOCKET (not started by systemd with Type=notify), negative on an error.
 */
int gk_sdnotify(const char *state);

/*
 * The supervisor calls it in its loop (at least every second) once it has forked the
 * workers: the first call sends "READY=1"; every call sends "WATCHDOG=1" when
 * $WATCHDOG_USEC is set (and $WATCHDOG_PID, if set, is this process) and half of that
 * interval has passed since the last one.  now_ms: a monotonic clock in milliseconds.
 * (One process-wide flag and time: there is one supervisor per process.)
 */
void gk_sdnotify_running(int64_t now_ms);

#endif
