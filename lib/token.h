/* token.h: placeholder, being written. */
#ifndef GK_TOKEN_H
#define GK_TOKEN_H
#endif
