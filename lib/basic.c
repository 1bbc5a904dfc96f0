/* basic.c: see basic.h. */
#include "config.h"
#include "basic.h"
