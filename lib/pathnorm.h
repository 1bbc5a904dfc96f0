/* pathnorm.h: placeholder, being written. */
#ifndef GK_PATHNORM_H
#define GK_PATHNORM_H
#endif
