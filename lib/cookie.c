/* cookie.c: see cookie.h. */
#include "config.h"
#include "cookie.h"
