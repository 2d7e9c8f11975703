/* The blocklist (ingest.h): normalisation (case, umlauts and ß, Latin-1
 * accents, leetspeak, invisible characters), whole words and phrases, the
 * list format (comments, blank lines, CRLF, BOM), its limits, the work a
 * full list does per post, and the starter lists in assets/blocklist. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "fileio.h"
#include "ingest.h"

#define ASSETS SIGNET_TEST_DATA "/../../assets/blocklist"

static struct ingest_blocklist *load(const char *list)
{
    struct sg_err err = {0};
    struct ingest_blocklist *b = ingest_blocklist_new(list, strlen(list), &err);
    CHECK_MSG(b, "list refused: %s", err.msg);
    return b;
}

struct match_case {
    const char *text;
    const char *want; /* the entry as written, or NULL */
};

static void run_cases(const struct ingest_blocklist *b, const struct match_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *got = ingest_blocklist_match(b, cases[i].text, strlen(cases[i].text));
        if (cases[i].want)
            CHECK_MSG(got && strcmp(got, cases[i].want) == 0, "\"%s\": got %s, want %s",
                      cases[i].text, got ? got : "(none)", cases[i].want);
        else
            CHECK_MSG(!got, "\"%s\": matched %s", cases[i].text, got);
    }
}

static void test_normalisation(void)
{
    struct ingest_blocklist *b = load("Scheiße\n"
                                      "Arsch\n"
                                      "Café\n"
                                      "shit\n"
                                      "Größe\n"
                                      "Blöd\n");
    static const struct match_case cases[] = {
        {"Scheiße", "Scheiße"},
        {"SCHEISSE", "Scheiße"},
        {"sch3isse", "Scheiße"},
        {"So eine ScHeIßE!", "Scheiße"},
        {"5ch31553", "Scheiße"},
        {"Sch ei ße", NULL}, /* three words, none of them the entry */
        {"Scheiße-Tag", "Scheiße"},
        {"Scheißegal", NULL}, /* inside a longer word */
        {"Arsch", "Arsch"},
        {"Ärsch", "Arsch"},
        {"AERSCH", "Arsch"},
        {"@r$ch", "Arsch"},
        {"A\xcc\x88rsch", "Arsch"},     /* A + combining diaeresis */
        {"Ar\xc2\xadsch", "Arsch"},     /* soft hyphen */
        {"Ar\xe2\x80\x8bsch", "Arsch"}, /* zero-width space */
        {"Arschloch", NULL},
        {"Barsch", NULL},
        {"cafe", "Café"},
        {"CAFÉ", "Café"},
        {"càfè", "Café"},
        {"$h1t", "shit"},
        {"sh!t", NULL}, /* '!' is no letter: "sh" and "t" */
        {"groesse", "Größe"},
        {"GROSSE", "Größe"}, /* ö and o meet too */
        {"blod", "Blöd"},
        {"BLOED", "Blöd"},
        {"sh\xd0\xb0t", NULL}, /* a Cyrillic а is a break, not a letter */
        {"", NULL},
        {"\xff\xfe", NULL},
        {"Alles gut.", NULL},
    };
    run_cases(b, cases, sizeof cases / sizeof cases[0]);
    /* Invalid UTF-8 breaks words like a space does. */
    CHECK_STR(ingest_blocklist_match(b, "x\xffshit\xc3", 7), "shit");
    /* Only len bytes are read. */
    CHECK(!ingest_blocklist_match(b, "shit", 3));
    CHECK(!ingest_blocklist_match(NULL, "shit", 4));
    CHECK(!ingest_blocklist_match(b, NULL, 0));
    ingest_blocklist_free(b);
}

static void test_phrases(void)
{
    struct ingest_blocklist *b = load("bloody hell\n"
                                      "Crystal Meth\n"
                                      "Ich bring dich um\n"
                                      "hell\n");
    static const struct match_case cases[] = {
        {"bloody hell", "bloody hell"},
        {"Bloody---HELL!", "bloody hell"},
        {"bloody,\nhell", "bloody hell"},
        {"oh bloody hell", "bloody hell"},
        {"bloody good hell", "hell"},
        {"hellish", NULL},
        {"crystal-meth", "Crystal Meth"},
        {"crystalmeth", NULL},
        {"Crystal Methode", NULL},
        {"Ich bring dich um!", "Ich bring dich um"},
        {"ich bring dich zum Arzt", NULL},
        {"ich bring dich", NULL},
        {"Wir bringen dich um acht hin", NULL},
    };
    run_cases(b, cases, sizeof cases / sizeof cases[0]);
    ingest_blocklist_free(b);

    /* A word longer than any entry matches nothing, and no phrase runs
     * through it. */
    b = load("shit\nbloody hell\n");
    char *text = malloc(700);
    strcpy(text, "bloody ");
    memset(text + 7, 'x', 300);
    strcpy(text + 307, " hell");
    CHECK(!ingest_blocklist_match(b, text, strlen(text)));
    strcpy(text + 312, " bloody shit");
    CHECK_STR(ingest_blocklist_match(b, text, strlen(text)), "shit");
    memset(text, 's', 400); /* "sss...s shit": the long word ends at a break */
    text[400] = ' ';
    strcpy(text + 401, "bloody hell");
    CHECK_STR(ingest_blocklist_match(b, text, strlen(text)), "bloody hell");
    free(text);
    ingest_blocklist_free(b);
}

static void test_list_format(void)
{
    static const char list[] = "\xef\xbb\xbf"
                               "# a comment line\r\n"
                               "\r\n"
                               "  Arsch  # German, with a comment after it\r\n"
                               "\t\r\n"
                               "!!!\n"      /* normalises to nothing: skipped */
                               "SCHEISSE\n" /* the same entry twice: the first wins */
                               "Scheiße\n"
                               "last entry"; /* no newline at the end */
    struct sg_err err = {0};
    struct ingest_blocklist *b = ingest_blocklist_new(list, sizeof list - 1, &err);
    CHECK_MSG(b, "%s", err.msg);
    static const struct match_case cases[] = {
        {"arsch", "Arsch"}, {"comment", NULL},       {"German", NULL},
        {"!!!", NULL},      {"Scheiße", "SCHEISSE"}, {"the last entry", "last entry"},
    };
    run_cases(b, cases, sizeof cases / sizeof cases[0]);
    ingest_blocklist_free(b);

    /* Empty lists are lists. */
    b = ingest_blocklist_new(NULL, 0, &err);
    CHECK(b && !ingest_blocklist_match(b, "anything", 8));
    ingest_blocklist_free(b);
    b = ingest_blocklist_new("# only a comment\n\n", 18, &err);
    CHECK(b && !ingest_blocklist_match(b, "only", 4));
    ingest_blocklist_free(b);
    ingest_blocklist_free(NULL);
}

static void list_fails(const char *list, size_t len, const char *err_has)
{
    struct sg_err err = {0};
    struct ingest_blocklist *b = ingest_blocklist_new(list, len, &err);
    CHECK_MSG(!b, "accepted a list with %s", err_has);
    CHECK_MSG(err.set && strstr(err.msg, err_has), "error \"%s\" lacks \"%s\"", err.msg, err_has);
    ingest_blocklist_free(b);
}

#define FAILS(lit, has) list_fails(lit, sizeof lit - 1, has)

/* n distinct entries "w" + four consonants (no digits, which read as leet,
 * and no vowels, which the umlaut rule could merge). */
static char *many_entries(size_t n, size_t *len)
{
    static const char consonants[] = "bcdfghjklmnpqrstvwxz";
    char *s = malloc(n * 6 + 1), *p = s;
    for (size_t i = 0; i < n; i++) {
        *p++ = 'w';
        for (size_t v = i, d = 0; d < 4; d++, v /= 20)
            *p++ = consonants[v % 20];
        *p++ = '\n';
    }
    *p = '\0';
    *len = (size_t)(p - s);
    return s;
}

static void test_limits(void)
{
    FAILS("ok\nbad \xc3\x28 entry\n", "line 2");
    FAILS("ok\nnul\0inside\n", "line 2");
    FAILS("ok\r\n\xef\xbb\xbfnot at the start\n\xc0\x80\n", "line 3"); /* an overlong NUL */
    FAILS("one two three four five six seven eight nine\n", "more than 8 words");
    ingest_blocklist_free(load("one two three four five six seven eight\n"));

    char *longline = malloc(300);
    memset(longline, 'a', 201);
    memcpy(longline + 201, "\n", 2);
    list_fails(longline, 202, "longer than 200");
    /* 200 bytes, and a long comment after them, are fine. */
    longline[200] = '#';
    struct sg_err err = {0};
    struct ingest_blocklist *b = ingest_blocklist_new(longline, 202, &err);
    CHECK_MSG(b, "%s", err.msg);
    ingest_blocklist_free(b);
    free(longline);

    size_t len;
    char *list = many_entries(10001, &len);
    list_fails(list, len, "more than 10000 entries");
    free(list);

    size_t big = 1024u * 1024u + 1;
    char *huge = malloc(big);
    memset(huge, '\n', big);
    list_fails(huge, big, "exceeds the limit");
    free(huge);
}

/* A full list and a 2,000-byte post: matching must stay far below a
 * millisecond (the edge runs it on every ingested post). */
static void test_speed(void)
{
    size_t len;
    char *list = many_entries(9999, &len);
    /* And one phrase of the most words, so that every phrase length is looked up. */
    char *full = malloc(len + 64);
    memcpy(full, list, len);
    strcpy(full + len, "one two three four five six seven eight\n");
    struct sg_err err = {0};
    struct ingest_blocklist *b = ingest_blocklist_new(full, strlen(full), &err);
    CHECK_MSG(b, "%s", err.msg);
    char text[2001];
    for (size_t i = 0; i < 2000; i++)
        text[i] = "abcde fghij "[i % 12];
    text[2000] = '\0';
    clock_t t0 = clock();
    const char *hit = NULL;
    for (int i = 0; i < 1000; i++)
        hit = ingest_blocklist_match(b, text, 2000);
    double ms = (double)(clock() - t0) * 1000.0 / CLOCKS_PER_SEC / 1000.0;
    CHECK(!hit);
    /* Generous for sanitizer builds and slow machines; a quadratic scan
     * would take far longer. */
    CHECK_MSG(ms < 2.0, "%.3f ms per match", ms);
    printf("blocklist: %.4f ms per 2,000-byte match against 10,000 entries\n", ms);
    memcpy(text + 1000, " wcbbb ", 7); /* entry 1 */
    CHECK_STR(ingest_blocklist_match(b, text, 2000), "wcbbb");
    memcpy(text + 1500, " one two three four five six seven eight ", 41);
    CHECK_STR(ingest_blocklist_match(b, text + 1100, 900),
              "one two three four five six seven eight");
    ingest_blocklist_free(b);
    free(full);
    free(list);
}

static struct ingest_blocklist *load_file(const char *path)
{
    char *buf = NULL;
    size_t len = 0;
    struct sg_err err = {0};
    if (!fileio_read(path, 1024u * 1024u, &buf, &len, &err)) {
        CHECK_MSG(false, "%s", err.msg);
        return NULL;
    }
    struct ingest_blocklist *b = ingest_blocklist_new(buf, len, &err);
    CHECK_MSG(b, "%s: %s", path, err.msg);
    free(buf);
    return b;
}

static void test_starter_lists(void)
{
    struct ingest_blocklist *de = load_file(ASSETS "/de.txt");
    struct ingest_blocklist *en = load_file(ASSETS "/en.txt");
    static const struct match_case de_cases[] = {
        {"So eine SCHEISSE!", "Scheiße"},
        {"Die Plandemie ist vorbei", "Plandemie"},
        {"crystal-meth", "Crystal Meth"},
        {"Jetzt 50 Freispiele sichern", "Freispiele"},
        {"Ich bring dich um", "Ich bring dich um"},
        {"Arschlöcher", "Arschlöcher"},
        /* What a practice does post must pass. */
        {"Die Grippeimpfung ist ab Oktober möglich. Termine online oder unter 030 1234567.", NULL},
        {"Wir impfen gegen Grippe, Corona und Gürtelrose. Bringen Sie Ihren Impfpass mit.", NULL},
        {"Schwanger? Unsere Hebamme berät Sie dienstags von 9 bis 12 Uhr.", NULL},
        {"Bitte schalten Sie Ihr Handy stumm. Vielen Dank!", NULL},
        {"Vorsorge rettet Leben: Darmkrebs früh erkennen.", NULL},
        {"Praxis geschlossen vom 24.12. bis 1.1. – Vertretung: Dr. Huber", NULL},
    };
    static const struct match_case en_cases[] = {
        {"This is bullsh1t", "bullshit"},
        {"They DIED  SUDDENLY!!", "died suddenly"},
        {"get 100 free spins", "free spins"},
        {"what the fuck", "fuck"},
        {"Flu shots are available from October. Book online.", NULL},
        {"Please switch off your phone. Thank you!", NULL},
        {"Our nurse graduated summa cum laude.", NULL},
        {"Shingles vaccine: ask us at reception.", NULL},
        {"Kill 99.9% of germs: wash your hands for 20 seconds.", NULL},
        {"Screening saves lives. Talk to your doctor about bowel cancer.", NULL},
    };
    if (de)
        run_cases(de, de_cases, sizeof de_cases / sizeof de_cases[0]);
    if (en)
        run_cases(en, en_cases, sizeof en_cases / sizeof en_cases[0]);
    /* Every entry of a list matches itself written as it stands. */
    struct ingest_blocklist *lists[] = {de, en};
    const char *paths[] = {ASSETS "/de.txt", ASSETS "/en.txt"};
    for (size_t l = 0; l < 2; l++) {
        char *buf = NULL;
        size_t len = 0;
        struct sg_err err = {0};
        if (!lists[l] || !fileio_read(paths[l], 1024u * 1024u, &buf, &len, &err))
            continue;
        size_t entries = 0;
        for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
            if (line[0] == '#' || line[0] == '\0')
                continue;
            entries++;
            CHECK_MSG(ingest_blocklist_match(lists[l], line, strlen(line)), "%s: \"%s\"", paths[l],
                      line);
        }
        CHECK_MSG(entries >= 40 && entries <= 80, "%s: %zu entries", paths[l], entries);
        free(buf);
    }
    ingest_blocklist_free(de);
    ingest_blocklist_free(en);
}

int main(void)
{
    test_normalisation();
    test_phrases();
    test_list_format();
    test_limits();
    test_speed();
    test_starter_lists();
    return check_done("test_ingest_blocklist");
}
