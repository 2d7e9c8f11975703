/* The key = value parser used for --config and signet.txt. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "kvconf.h"

struct seen {
    char text[512];
};

static bool collect(void *ctx, int line, const char *key, const char *value, struct sg_err *err)
{
    struct seen *s = ctx;
    (void)line;
    if (strcmp(key, "stop") == 0) {
        sg_err_set(err, "stop requested");
        return false;
    }
    size_t n = strlen(s->text);
    snprintf(s->text + n, sizeof s->text - n, "[%s=%s]", key, value);
    return true;
}

static void test_cases(void)
{
    struct {
        const char *name, *text;
        size_t len;
        bool ok;
        const char *want;
    } cases[] = {
        {"plain", "screen = wz1\nsize=1920x1080\n", 0, true, "[screen=wz1][size=1920x1080]"},
        {"comments and blanks", "# c\n\n   \nscreen = wz1 \n", 0, true, "[screen=wz1]"},
        {"CRLF and BOM", "\xEF\xBB\xBFscreen = wz1\r\nclinic = Praxis Müller\r\n", 0, true,
         "[screen=wz1][clinic=Praxis Müller]"},
        {"no final newline", "screen=wz1", 0, true, "[screen=wz1]"},
        {"empty value", "clinic =\n", 0, true, "[clinic=]"},
        {"value with =", "url = https://x/?a=b\n", 0, true, "[url=https://x/?a=b]"},
        {"no equals", "screen wz1\n", 0, false, ""},
        {"bad key", "Screen = wz1\n", 0, false, ""},
        {"empty key", " = wz1\n", 0, false, ""},
        {"stray CR", "screen = w\rz\n", 0, false, ""},
        {"invalid UTF-8", "clinic = \xff\n", 0, false, ""},
        {"NUL byte", "a=1\0b=2\n", 8, false, "[a=1]"},
        {"callback stops", "a=1\nstop=1\nb=2\n", 0, false, "[a=1]"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct seen s = {{0}};
        struct sg_err err = {0};
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].text);
        bool ok = kvconf_parse(cases[i].text, len, collect, &s, &err);
        CHECK_MSG(ok == cases[i].ok, "%s: %s", cases[i].name, err.msg);
        CHECK_MSG(ok || err.set, "%s: refused without a message", cases[i].name);
        if (ok)
            CHECK_STR(s.text, cases[i].want);
    }
}

static void test_limits(void)
{
    char *line = malloc(KVCONF_MAX_LINE + 16);
    memset(line, 'x', KVCONF_MAX_LINE + 8);
    memcpy(line, "a=", 2);
    line[KVCONF_MAX_LINE] = '\n';
    struct seen s = {{0}};
    struct sg_err err = {0};
    /* A line of exactly the limit is accepted... */
    CHECK(kvconf_parse(line, KVCONF_MAX_LINE + 1, collect, &s, &err));
    struct seen s2 = {{0}};
    /* ...one byte more is not. */
    line[KVCONF_MAX_LINE] = 'x';
    CHECK(!kvconf_parse(line, KVCONF_MAX_LINE + 8, collect, &s2, &err));
    free(line);
    size_t big = KVCONF_MAX_BYTES + 1;
    char *huge = malloc(big);
    memset(huge, '\n', big);
    struct sg_err e = {0};
    CHECK(!kvconf_parse(huge, big, collect, &s, &e));
    CHECK(strstr(e.msg, "larger") != NULL);
    CHECK(kvconf_parse(huge, big - 1, collect, &s, &e)); /* exactly at the limit */
    free(huge);
}

int main(void)
{
    test_cases();
    test_limits();
    return check_done("test_kvconf");
}
