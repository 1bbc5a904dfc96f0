/* request.c: see request.h. */
#include "config.h"
#include "request.h"
