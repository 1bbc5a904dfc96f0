/* sandbox.h: placeholder, being written. */
#ifndef GK_SANDBOX_H
#define GK_SANDBOX_H
#endif
