/* fcgiguard.h: placeholder, being written. */
#ifndef GK_FCGIGUARD_H
#define GK_FCGIGUARD_H
#endif
