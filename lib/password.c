/* password.c: see password.h. */
#include "config.h"
#include "password.h"
