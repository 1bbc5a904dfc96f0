/* wordscan.h: eight bytes tested at once for a byte below a bound or equal to a value. */
#ifndef GK_WORDSCAN_H
#define GK_WORDSCAN_H

#include <stdbool.h>
#include <stdint.h>

#define GK_WORD_ONES  0x0101010101010101ULL
#define GK_WORD_HIGHS 0x8080808080808080ULL

/*
 * Non-zero when SOME byte of w is below n (n <= 0x80), the classic "has a byte less than
 * n" test: a borrow spreads only upwards from a byte that is, so the answer for the word
 * is exact (which byte it marks is not); a byte >= 0x80 never sets it.
 */
static inline uint64_t
gk_word_has_less(uint64_t w, unsigned n)
{
	return (w - GK_WORD_ONES * n) & ~w & GK_WORD_HIGHS;
}

/* Non-zero when some byte of w equals c. */
static inline uint64_t
gk_word_has_byte(uint64_t w, unsigned char c)
{
	return gk_word_has_less(w ^ (GK_WORD_ONES * c), 1);
}

/* Whether some byte of w is a C0 control (below 0x20: CR, LF, HTAB, NUL, ...) or DEL. */
static inline bool
gk_word_has_control(uint64_t w)
{
	return (gk_word_has_less(w, 0x20) | gk_word_has_byte(w, 0x7F)) != 0;
}

#endif
