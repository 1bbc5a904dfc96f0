/* log.c: see log.h. */
#include "config.h"
#include "log.h"
