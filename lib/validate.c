/* validate.c: see validate.h. */
#include "config.h"
#include "validate.h"
