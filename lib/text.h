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

typedef bool (*text_glyph_fn)(void *ctx, uint32_t cp);

/* Returns a malloc'd, NUL-terminated copy of s that is safe to draw:
 * C0/C1 controls (except '\n'), bidi embeddings, overrides and isolates, and
 * code points has_glyph rejects (when has_glyph is non-NULL) are removed;
 * tabs and other spaces become ' ', runs of spaces collapse to one,
 * leading/trailing white space is trimmed. Invalid UTF-8 is dropped byte by
 * byte. Returns NULL on allocation failure. */
char *text_sanitize(const char *s, size_t len, text_glyph_fn has_glyph, void *ctx);

#endif
