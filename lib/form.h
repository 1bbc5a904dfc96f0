/* form.h: placeholder, being written. */
#ifndef GK_FORM_H
#define GK_FORM_H
#endif
