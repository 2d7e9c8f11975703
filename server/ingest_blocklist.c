/* Blocked words and phrases (ingest.h).
 *
 * Both the list and the text go through one normaliser, which yields words
 * of ASCII letters and digits:
 *   - ASCII and Latin-1 letters lower-cased, accents dropped (é→e, ñ→n,
 *     ç→c, ø→o), æ→ae, þ→th, ß→ss;
 *   - umlauts: ä→a, ö→o, ü→u, and an 'e' right after a, o or u in a word is
 *     dropped. That is what lets "Ärsch", "Aersch" and "Arsch" (ä→ae and the
 *     bare vowel, as ingest.h promises) meet in one form: all three become
 *     "arsch". The price is that "hoe" and "ho" meet too; a list entry is
 *     compared in the same form, so this only ever widens a match;
 *   - leetspeak 0→o, 1→i, 3→e, 4→a, 5→s, 7→t, @→a, $→s (other digits stay);
 *   - invisible characters people use to split a word without a visible
 *     gap (soft hyphen, zero-width space and joiners, word joiner, BOM,
 *     variation selectors, combining marks, so a decomposed "a" + U+0308
 *     is an "a") are skipped; they are neither letters nor breaks;
 *   - everything else (spaces, punctuation, emoji, letters of other
 *     scripts, invalid UTF-8) is a word break.
 * An entry is its words joined by single spaces; the text is matched word
 * by word, every run of up to the longest entry's word count looked up in a
 * hash set. Matching allocates nothing and does O(text length x words per
 * entry) work: a 2,000-byte post against 10,000 entries takes well under a
 * millisecond. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest_internal.h"
#include "text.h"

#define BLOCKLIST_MAX_ENTRIES 10000
#define BLOCKLIST_MAX_BYTES (1024u * 1024u) /* a list file; 10,000 entries fit easily */
/* An entry as written, comment and white space removed. Normalising never
 * lengthens text (every code point becomes at most as many bytes), so this
 * bounds an entry's normalised form and the longest text word worth keeping. */
#define BLOCKLIST_MAX_ENTRY_LEN 200
#define BLOCKLIST_MAX_WORDS 8 /* in one phrase */

struct entry {
    char *key;              /* normalised words joined by ' '; NULL: empty slot */
    const char *as_written; /* points into the same allocation as key */
    size_t len;             /* of key */
    uint64_t hash;
};

struct ingest_blocklist {
    struct entry *slots; /* open addressing, at most half full */
    size_t cap;          /* a power of two */
    size_t n;
    unsigned word_counts; /* bit k: some entry has k words */
    unsigned max_words;
};

/* One normalised word: at most BLOCKLIST_MAX_ENTRY_LEN bytes kept; a longer
 * word can match no entry and is marked so. */
struct word {
    char s[BLOCKLIST_MAX_ENTRY_LEN];
    size_t len;
    bool overlong;
};

/* Latin-1 letters U+00C0..U+00FF in normalised form; "" is a word break
 * (× and ÷). */
static const char *const latin1[64] = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "ss",
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "y"};

static bool ignorable(uint32_t cp)
{
    return cp == 0xAD || (cp >= 0x300 && cp <= 0x36F) || (cp >= 0x200B && cp <= 0x200D) ||
           (cp >= 0x2060 && cp <= 0x2064) || (cp >= 0xFE00 && cp <= 0xFE0F) || cp == 0xFEFF ||
           (cp >= 0xE0100 && cp <= 0xE01EF);
}

/* The normalised form of one code point: a NUL-terminated string of ASCII
 * letters and digits, "" for a word break, NULL for a character to skip. */
static const char *fold(uint32_t cp, char buf[2])
{
    static const char leet[] = "oi2eas6t89"; /* '0'..'9' */
    buf[1] = '\0';
    if (cp >= 'A' && cp <= 'Z') {
        buf[0] = (char)(cp - 'A' + 'a');
    } else if (cp >= 'a' && cp <= 'z') {
        buf[0] = (char)cp;
    } else if (cp >= '0' && cp <= '9') {
        buf[0] = leet[cp - '0'];
    } else if (cp == '@') {
        buf[0] = 'a';
    } else if (cp == '$') {
        buf[0] = 's';
    } else if (cp >= 0xC0 && cp <= 0xFF) {
        return latin1[cp - 0xC0];
    } else if (ignorable(cp)) {
        return NULL;
    } else {
        buf[0] = '\0';
    }
    return buf;
}

static void word_put(struct word *w, char c)
{
    /* The umlaut rule: "ae", "oe", "ue" are the bare vowel. */
    if (c == 'e' && w->len > 0 &&
        (w->s[w->len - 1] == 'a' || w->s[w->len - 1] == 'o' || w->s[w->len - 1] == 'u'))
        return;
    if (w->len == sizeof w->s) {
        w->overlong = true;
        return;
    }
    w->s[w->len++] = c;
}

/* Reads the next word of s[*pos..len) into w; false when there is none. */
static bool next_word(const char *s, size_t len, size_t *pos, struct word *w)
{
    w->len = 0;
    w->overlong = false;
    while (*pos < len) {
        uint32_t cp;
        size_t n = text_utf8_next(s + *pos, len - *pos, &cp);
        const char *f;
        char buf[2];
        if (n == 0) {
            n = 1; /* an invalid byte breaks the word */
            f = "";
        } else {
            f = fold(cp, buf);
        }
        *pos += n;
        if (!f)
            continue;
        if (!*f) {
            if (w->len > 0 || w->overlong)
                return true;
            continue;
        }
        for (; *f; f++)
            word_put(w, *f);
    }
    return w->len > 0 || w->overlong;
}

/* FNV-1a: entries are staff's own words, no one picks them to collide. */
static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3u;
    }
    return h;
}

static const struct entry *lookup(const struct ingest_blocklist *b, const char *key, size_t n)
{
    uint64_t h = hash_bytes(key, n);
    for (size_t i = (size_t)h & (b->cap - 1);; i = (i + 1) & (b->cap - 1)) {
        const struct entry *e = &b->slots[i];
        if (!e->key)
            return NULL;
        if (e->hash == h && e->len == n && memcmp(e->key, key, n) == 0)
            return e;
    }
}

static void insert_slot(struct entry *slots, size_t cap, struct entry e)
{
    size_t i = (size_t)e.hash & (cap - 1);
    while (slots[i].key)
        i = (i + 1) & (cap - 1);
    slots[i] = e;
}

static bool grow(struct ingest_blocklist *b)
{
    size_t cap = b->cap ? b->cap * 2 : 64;
    struct entry *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return false;
    for (size_t i = 0; i < b->cap; i++)
        if (b->slots[i].key)
            insert_slot(slots, cap, b->slots[i]);
    free(b->slots);
    b->slots = slots;
    b->cap = cap;
    return true;
}

/* Adds one entry (trimmed, comment removed); false with err set on a
 * refusal or out of memory. */
static bool add_entry(struct ingest_blocklist *b, const char *s, size_t len, size_t line,
                      struct sg_err *err)
{
    if (len > BLOCKLIST_MAX_ENTRY_LEN) {
        sg_err_set(err, "blocklist line %zu: entry longer than %d bytes", line,
                   BLOCKLIST_MAX_ENTRY_LEN);
        return false;
    }
    char key[BLOCKLIST_MAX_ENTRY_LEN + 1];
    size_t klen = 0, pos = 0;
    unsigned words = 0;
    struct word w;
    while (next_word(s, len, &pos, &w)) {
        if (++words > BLOCKLIST_MAX_WORDS) {
            sg_err_set(err, "blocklist line %zu: more than %d words", line, BLOCKLIST_MAX_WORDS);
            return false;
        }
        if (klen)
            key[klen++] = ' ';
        memcpy(key + klen, w.s, w.len); /* fits: normalising never lengthens */
        klen += w.len;
    }
    if (words == 0 || lookup(b, key, klen))
        return true; /* nothing left ("!!!"), or said before in another spelling */
    if (b->n >= BLOCKLIST_MAX_ENTRIES) {
        sg_err_set(err, "blocklist: more than %d entries", BLOCKLIST_MAX_ENTRIES);
        return false;
    }
    if ((b->n + 1) * 2 > b->cap && !grow(b))
        goto out_of_memory;
    char *mem = malloc(klen + 1 + len + 1);
    if (!mem)
        goto out_of_memory;
    memcpy(mem, key, klen);
    mem[klen] = '\0';
    memcpy(mem + klen + 1, s, len);
    mem[klen + 1 + len] = '\0';
    insert_slot(
        b->slots, b->cap,
        (struct entry){
            .key = mem, .as_written = mem + klen + 1, .len = klen, .hash = hash_bytes(key, klen)});
    b->n++;
    b->word_counts |= 1u << words;
    if (words > b->max_words)
        b->max_words = words;
    return true;
out_of_memory:
    sg_err_set(err, "out of memory");
    return false;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

struct ingest_blocklist *ingest_blocklist_new(const char *text, size_t len, struct sg_err *err)
{
    if (len > BLOCKLIST_MAX_BYTES) {
        sg_err_set(err, "blocklist of %zu bytes exceeds the limit of %u", len, BLOCKLIST_MAX_BYTES);
        return NULL;
    }
    struct ingest_blocklist *b = calloc(1, sizeof *b);
    if (!b || !grow(b)) {
        free(b);
        sg_err_set(err, "out of memory");
        return NULL;
    }
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        len -= 3;
    }
    size_t line = 0;
    for (size_t start = 0; start < len;) {
        const char *nl = memchr(text + start, '\n', len - start);
        size_t end = nl ? (size_t)(nl - text) : len, next = nl ? end + 1 : len;
        line++;
        if (!text_utf8_valid(text + start, end - start)) {
            sg_err_set(err, "blocklist line %zu: not UTF-8 text (or a NUL byte)", line);
            goto fail;
        }
        const char *hash = memchr(text + start, '#', end - start);
        if (hash)
            end = (size_t)(hash - text);
        while (start < end && is_blank(text[start]))
            start++;
        while (end > start && is_blank(text[end - 1]))
            end--;
        if (end > start && !add_entry(b, text + start, end - start, line, err))
            goto fail;
        start = next;
    }
    return b;
fail:
    ingest_blocklist_free(b);
    return NULL;
}

void ingest_blocklist_free(struct ingest_blocklist *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->cap; i++)
        free(b->slots[i].key);
    free(b->slots);
    free(b);
}

const char *ingest_blocklist_match(const struct ingest_blocklist *b, const char *text, size_t len)
{
    if (!b || b->n == 0 || !text)
        return NULL;
    /* The last BLOCKLIST_MAX_WORDS words, word t at ring[t % BLOCKLIST_MAX_WORDS]. */
    struct word ring[BLOCKLIST_MAX_WORDS];
    char phrase[BLOCKLIST_MAX_WORDS * (BLOCKLIST_MAX_ENTRY_LEN + 1)];
    size_t start[BLOCKLIST_MAX_WORDS + 1]; /* start[k]: where the last k words begin */
    size_t pos = 0;
    for (size_t t = 0; next_word(text, len, &pos, &ring[t % BLOCKLIST_MAX_WORDS]); t++) {
        /* The phrase of up to max_words words that ends with word t; an
         * overlong word (it matches nothing) cuts it short. */
        size_t kmax = t + 1 < b->max_words ? t + 1 : b->max_words, k = 0, plen = 0;
        for (size_t i = kmax; i > 0; i--) {
            const struct word *w = &ring[(t + 1 - i) % BLOCKLIST_MAX_WORDS];
            if (w->overlong) {
                k = plen = 0;
                continue;
            }
            if (plen)
                phrase[plen++] = ' ';
            memcpy(phrase + plen, w->s, w->len);
            plen += w->len;
            k++;
        }
        /* start[] from the end: the suffix of the last j words. */
        for (size_t j = 1, at = plen; j <= k; j++) {
            while (at > 0 && phrase[at - 1] != ' ')
                at--;
            start[j] = at;
            if (at > 0)
                at--;
        }
        /* Longest first: "bloody hell" is a better answer than "hell". */
        for (size_t j = k; j > 0; j--) {
            if (!(b->word_counts & (1u << j)))
                continue;
            const struct entry *e = lookup(b, phrase + start[j], plen - start[j]);
            if (e)
                return e->as_written;
        }
    }
    return NULL;
}
