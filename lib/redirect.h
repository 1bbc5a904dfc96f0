/* redirect.h: placeholder, being written. */
#ifndef GK_REDIRECT_H
#define GK_REDIRECT_H
#endif
