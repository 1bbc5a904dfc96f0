/* userdb.c: see userdb.h. */
#include "config.h"
#include "userdb.h"
