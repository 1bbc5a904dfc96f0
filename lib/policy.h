/* policy.h: placeholder, being written. */
#ifndef GK_POLICY_H
#define GK_POLICY_H
#endif
