/* UTF-8 text helpers for drawing untrusted text safely. */
#ifndef SIGNET_TEXT_H
#define SIGNET_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decodes the code point at s; returns its length in bytes, or 0 when s does
 * not start with a valid UTF-8 sequence (truncated, overlong, surrogate,
 * above U+10FFFF) or len is 0. */
size_t text_utf8_next(const char *s, size_t len, uint32_t *cp);

/* True when all of s[0..len) is valid UTF-8 and holds no NUL. */
bool text_utf8_valid(const char *s, size_t len);

/* True for code points that belong to the character before them: combining
 * marks, variation selectors, ZWJ, emoji skin-tone modifiers and tags. Text
 * is never cut before one; one left without its base is not drawn. */
bool text_is_extend(uint32_t cp);

typedef bool (*text_glyph_fn)(void *ctx, uint32_t cp);

/* Returns a malloc'd, NUL-terminated copy of s that is safe to draw:
 * C0/C1 controls (except '\n'), bidi embeddings, overrides and isolates, and
 * code points has_glyph rejects (when has_glyph is non-NULL) are removed;
 * tabs and other spaces become ' ', runs of spaces collapse to one,
 * leading/trailing white space is trimmed. Invalid UTF-8 is dropped byte by
 * byte. Returns NULL on allocation failure.
 *
 * Details the layout relies on: U+0085, U+2028 and U+2029 become '\n'; white
 * space around a '\n' is dropped and at most two '\n' follow each other (one
 * blank line), so hostile text cannot push content off screen with breaks.
 * No-break spaces (U+00A0, U+2007, U+202F) become U+00A0 and the soft hyphen
 * U+00AD is kept whatever has_glyph says: both are hints for line breaking
 * that the layout never hands to a font. Combining marks, variation selectors
 * and ZWJ that follow a code point has_glyph rejected go with it. Bidi marks
 * (U+200E, U+200F, U+061C), BOM, word joiners and noncharacters are removed
 * too. */
char *text_sanitize(const char *s, size_t len, text_glyph_fn has_glyph, void *ctx);

#endif
