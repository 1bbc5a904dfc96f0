/* credcache.h: placeholder, being written. */
#ifndef GK_CREDCACHE_H
#define GK_CREDCACHE_H
#endif
