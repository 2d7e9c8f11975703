/* libFuzzer target: a whole envelope through verdict_feed, as a screen sees
 * bytes from the network. The trusted key is derived from an all-zero seed so
 * that seeds in corpus/envelope can carry valid signatures and the fuzzer
 * reaches the payload parser too. */
#include <sodium.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "verdict.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct keys_trust trust;
    if (trust.n == 0) {
        if (!keys_init())
            return 0;
        unsigned char seed[crypto_sign_SEEDBYTES] = {0}, sk[crypto_sign_SECRETKEYBYTES];
        crypto_sign_seed_keypair(trust.keys[0].pk, sk, seed);
        keys_keyid(trust.keys[0].pk, trust.keys[0].keyid);
        trust.n = 1;
    }
    struct verdict_screen screen = {.screen = "wz1", .trust = &trust};
    struct verdict_clock clock = {.now = 1795428000, .local = sgtime_local_utc};
    struct feed_doc doc;
    char keyid[FEED_KEYID_HEX_LEN + 1];
    struct sg_err err = {0};
    if (verdict_feed((const char *)data, size, &screen, &clock, &doc, keyid, &err) ==
        VERDICT_SHOWN) {
        int shown = 0;
        for (size_t i = 0; i < doc.nitems; i++)
            shown += verdict_item(&doc, &doc.items[i], &clock, NULL, NULL) == VERDICT_SHOWN;
        if (shown > (int)doc.nitems || verdict_next_change(&doc, clock.now) <= clock.now)
            __builtin_trap(); /* impossible answers are bugs */
    }
    feed_doc_finish(&doc);
    return 0;
}
