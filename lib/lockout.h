/* lockout.h: placeholder, being written. */
#ifndef GK_LOCKOUT_H
#define GK_LOCKOUT_H
#endif
