/* secret.h: placeholder, being written. */
#ifndef GK_SECRET_H
#define GK_SECRET_H
#endif
