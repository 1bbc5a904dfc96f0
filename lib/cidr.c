/* cidr.c: see cidr.h. */
#include "config.h"
#include "cidr.h"
