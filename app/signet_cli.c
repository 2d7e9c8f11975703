/* signet: make and check feeds by hand (and in tests, and for USB sticks).
 *
 *   signet keygen  --secret FILE --public FILE
 *   signet sign    --key SECRET [--out FILE] PAYLOAD.json
 *   signet verify  --trust PUB... --screen ID [--group G]... [--now TIME]
 *                  [--media-dir DIR] ENVELOPE
 *   signet inspect ENVELOPE
 *
 * Exit codes: 0 success, 1 the input was refused (bad signature, malformed,
 * ...), 2 usage or I/O error. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "feed.h"
#include "fileio.h"
#include "keys.h"
#include "mediastore.h"
#include "sgtime.h"
#include "verdict.h"

enum { EXIT_REFUSED = 1, EXIT_USAGE = 2 };

static const char usage_text[] =
    "usage: signet COMMAND [OPTIONS]\n"
    "\n"
    "  keygen  --secret FILE --public FILE\n"
    "          Create an Ed25519 key pair. The secret key file gets mode 0600 and is\n"
    "          never overwritten; the public key file is one line of base64.\n"
    "  sign    --key SECRET [--out FILE] PAYLOAD.json\n"
    "          Check a feed payload and wrap it in a signed DSSE envelope\n"
    "          (standard output unless --out, which is written atomically).\n"
    "  verify  --trust PUBLIC [--trust PUBLIC]... --screen ID [--group NAME]...\n"
    "          [--now 2026-11-22T08:00:00Z] [--media-dir DIR]\n"
    "          ENVELOPE\n"
    "          Verify an envelope as a screen would and print the verdict for\n"
    "          every item. Exit 1 when the envelope itself is refused.\n"
    "  inspect ENVELOPE\n"
    "          Show an envelope's signatures and payload WITHOUT verifying them.\n";

__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "signet: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n\n%s", usage_text);
    va_end(ap);
    return EXIT_USAGE;
}

static bool read_input(const char *path, size_t max, char **buf, size_t *len)
{
    struct sg_err err = {0};
    if (!fileio_read(path, max, buf, len, &err)) {
        fprintf(stderr, "signet: %s\n", err.msg);
        return false;
    }
    return true;
}

static int cmd_keygen(int argc, char **argv)
{
    static const struct option opts[] = {
        {"secret", required_argument, NULL, 's'}, {"public", required_argument, NULL, 'p'}, {0}};
    const char *secret = NULL, *public = NULL;
    for (int c; (c = getopt_long(argc, argv, "", opts, NULL)) != -1;) {
        if (c == 's')
            secret = optarg;
        else if (c == 'p')
        public = optarg;
        else return usage_error("%s: unknown option", "keygen");
    }
    if (!secret || !public || optind != argc)
        return usage_error("%s needs --secret FILE and --public FILE", "keygen");
    struct keys_secret key;
    struct sg_err err = {0};
    keys_generate(&key);
    bool ok = keys_write_pair(&key, secret, public, &err);
    if (ok)
        printf("keyid %s\n", key.pub.keyid);
    keys_secret_wipe(&key);
    if (!ok) {
        fprintf(stderr, "signet keygen: %s\n", err.msg);
        return EXIT_USAGE;
    }
    return 0;
}

static int cmd_sign(int argc, char **argv)
{
    static const struct option opts[] = {
        {"key", required_argument, NULL, 'k'}, {"out", required_argument, NULL, 'o'}, {0}};
    const char *keyfile = NULL, *out = NULL;
    for (int c; (c = getopt_long(argc, argv, "", opts, NULL)) != -1;) {
        if (c == 'k')
            keyfile = optarg;
        else if (c == 'o')
            out = optarg;
        else
            return usage_error("%s: unknown option", "sign");
    }
    if (!keyfile || optind != argc - 1)
        return usage_error("%s needs --key SECRET and one PAYLOAD file", "sign");
    char *payload = NULL;
    size_t len = 0;
    /* An envelope holds the payload as base64 (4/3 larger). */
    if (!read_input(argv[optind], FEED_MAX_ENVELOPE_BYTES / 4 * 3 - 1024, &payload, &len))
        return EXIT_USAGE;
    struct sg_err err = {0};
    struct feed_doc doc;
    /* Refuse to sign what no screen would accept: catch mistakes at the desk. */
    if (feed_payload_parse((unsigned char *)payload, len, &doc, &err) != FEED_PARSE_OK) {
        fprintf(stderr, "signet sign: %s: %s\n", argv[optind], err.msg);
        free(payload);
        return EXIT_REFUSED;
    }
    feed_doc_finish(&doc);
    struct keys_secret key;
    if (!keys_secret_load(keyfile, &key, &err)) {
        fprintf(stderr, "signet sign: %s\n", err.msg);
        free(payload);
        return EXIT_USAGE;
    }
    char *env = keys_sign_envelope(&key, FEED_PAYLOAD_TYPE, (unsigned char *)payload, len, &err);
    keys_secret_wipe(&key);
    free(payload);
    if (!env) {
        fprintf(stderr, "signet sign: %s\n", err.msg);
        return EXIT_USAGE;
    }
    bool ok = out ? fileio_write_atomic(out, env, strlen(env), 0644, false, NULL, &err)
                  : fputs(env, stdout) >= 0 && fflush(stdout) == 0;
    free(env);
    if (!ok) {
        fprintf(stderr, "signet sign: %s\n", out ? err.msg : "cannot write standard output");
        return EXIT_USAGE;
    }
    return 0;
}

#define MAX_GROUPS 16

static void print_item(const struct feed_doc *doc, const struct feed_item *it,
                       const struct verdict_clock *clock, const char *media_dir)
{
    enum verdict_reason r =
        verdict_item(doc, it, clock, media_dir ? mediastore_check : NULL, (void *)media_dir);
    printf("item %s rev %lld %s: %s\n", it->id, (long long)it->rev, feed_kind_name(it->kind),
           r == VERDICT_SHOWN ? "shown" : verdict_reason_name(r));
}

static int cmd_verify(int argc, char **argv)
{
    static const struct option opts[] = {
        {"trust", required_argument, NULL, 't'},     {"screen", required_argument, NULL, 's'},
        {"group", required_argument, NULL, 'g'},     {"now", required_argument, NULL, 'n'},
        {"media-dir", required_argument, NULL, 'm'}, {0}};
    struct keys_trust trust = {0};
    struct verdict_screen screen = {.trust = &trust};
    const char *groups[MAX_GROUPS];
    const char *media_dir = NULL;
    struct verdict_clock clock = {.now = (int64_t)time(NULL), .local = sgtime_local_tz};
    struct sg_err err = {0};
    for (int c; (c = getopt_long(argc, argv, "", opts, NULL)) != -1;) {
        switch (c) {
        case 't':
            if (!keys_trust_add_file(&trust, optarg, &err)) {
                fprintf(stderr, "signet verify: %s\n", err.msg);
                return EXIT_USAGE;
            }
            break;
        case 's':
            screen.screen = optarg;
            break;
        case 'g':
            if (screen.ngroups == MAX_GROUPS)
                return usage_error("verify: at most %d --group options", MAX_GROUPS);
            groups[screen.ngroups++] = optarg;
            break;
        case 'n':
            if (!sgtime_parse_rfc3339(optarg, &clock.now))
                return usage_error("verify: --now \"%s\" is not like 2026-11-22T08:00:00Z", optarg);
            break;
        case 'm':
            media_dir = optarg;
            break;
        default:
            return usage_error("%s: unknown option", "verify");
        }
    }
    screen.groups = groups;
    if (trust.n == 0 || !screen.screen || optind != argc - 1)
        return usage_error("%s needs --trust, --screen and one ENVELOPE file", "verify");
    char *bytes = NULL;
    size_t len = 0;
    if (!read_input(argv[optind], FEED_MAX_ENVELOPE_BYTES, &bytes, &len))
        return EXIT_USAGE;
    struct feed_doc doc;
    char keyid[FEED_KEYID_HEX_LEN + 1];
    enum verdict_reason r = verdict_feed(bytes, len, &screen, &clock, &doc, keyid, &err);
    free(bytes);
    if (r != VERDICT_SHOWN) {
        printf("envelope refused: %s: %s\n", verdict_reason_name(r), err.msg);
        return EXIT_REFUSED;
    }
    printf("envelope accepted: version %lld, signed by %s, %zu items\n", (long long)doc.version,
           keyid, doc.nitems);
    for (size_t i = 0; i < doc.nitems; i++)
        print_item(&doc, &doc.items[i], &clock, media_dir);
    feed_doc_finish(&doc);
    return 0;
}

static void print_time(const char *label, int64_t t)
{
    char buf[SGTIME_RFC3339_LEN + 1];
    sgtime_format_rfc3339(t, buf);
    printf("%s %s\n", label, buf);
}

static int cmd_inspect(int argc, char **argv)
{
    if (argc != 2)
        return usage_error("%s needs one ENVELOPE file", "inspect");
    char *bytes = NULL;
    size_t len = 0;
    if (!read_input(argv[1], FEED_MAX_ENVELOPE_BYTES, &bytes, &len))
        return EXIT_USAGE;
    struct feed_envelope env;
    struct sg_err err = {0};
    bool ok = feed_envelope_parse(bytes, len, &env, &err);
    free(bytes);
    if (!ok) {
        printf("envelope malformed: %s\n", err.msg);
        return EXIT_REFUSED;
    }
    printf("UNVERIFIED: this shows what the envelope claims; use 'signet verify' to check it.\n");
    printf("payloadType %s\npayload %zu bytes\n", env.payload_type, env.payload_len);
    for (size_t i = 0; i < env.nsigs; i++)
        printf("signature keyid %s\n", env.sigs[i].keyid[0] ? env.sigs[i].keyid : "(other)");
    struct feed_doc doc;
    if (feed_payload_parse(env.payload, env.payload_len, &doc, &err) != FEED_PARSE_OK) {
        printf("payload malformed: %s\n", err.msg);
        feed_envelope_finish(&env);
        return EXIT_REFUSED;
    }
    feed_envelope_finish(&env);
    printf("format %d.%d\n%s %s\nversion %lld\n", doc.major, doc.minor,
           doc.screen ? "screen" : "group", doc.screen ? doc.screen : doc.group,
           (long long)doc.version);
    print_time("issued", doc.issued);
    print_time("expires", doc.expires);
    for (size_t i = 0; i < doc.nitems; i++) {
        const struct feed_item *it = &doc.items[i];
        printf("item %s rev %lld %s approval %s media %zu title \"%s\"\n", it->id,
               (long long)it->rev, feed_kind_name(it->kind),
               it->approval.present ? it->approval.by : "(none)", it->nmedia,
               it->title ? it->title : "");
    }
    feed_doc_finish(&doc);
    return 0;
}

int main(int argc, char **argv)
{
    if (!keys_init()) {
        fprintf(stderr, "signet: libsodium failed to initialise\n");
        return EXIT_USAGE;
    }
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage_text, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : 0;
    }
    static const struct {
        const char *name;
        int (*run)(int, char **);
    } cmds[] = {{"keygen", cmd_keygen},
                {"sign", cmd_sign},
                {"verify", cmd_verify},
                {"inspect", cmd_inspect}};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (strcmp(argv[1], cmds[i].name) == 0)
            return cmds[i].run(argc - 1, argv + 1);
    return usage_error("unknown command \"%s\"", argv[1]);
}
