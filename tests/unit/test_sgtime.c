/* Wire time formats and calendar arithmetic. */
#include "check.h"
#include "sgtime.h"

static void test_rfc3339(void)
{
    struct {
        const char *text;
        bool ok;
        long long t;
    } cases[] = {
        {"1970-01-01T00:00:00Z", true, 0},
        {"2026-11-22T08:00:00Z", true, 1795334400LL},
        {"2024-02-29T23:59:59Z", true, 1709251199LL},
        {"2026-02-29T00:00:00Z", false, 0},
        {"2026-11-22T08:00:00+01:00", false, 0},
        {"2026-11-22T08:00:00.5Z", false, 0},
        {"2026-11-22t08:00:00z", false, 0},
        {"2026-11-22 08:00:00Z", false, 0},
        {"2026-13-01T00:00:00Z", false, 0},
        {"2026-11-22T24:00:00Z", false, 0},
        {"2026-11-22T08:60:00Z", false, 0},
        {"", false, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t t = -1;
        bool ok = sgtime_parse_rfc3339(cases[i].text, &t);
        CHECK_MSG(ok == cases[i].ok, "%s", cases[i].text);
        if (ok && cases[i].ok) {
            CHECK_INT(t, cases[i].t);
            char back[SGTIME_RFC3339_LEN + 1];
            sgtime_format_rfc3339(t, back);
            CHECK_STR(back, cases[i].text);
        }
    }
}

static void test_local(void)
{
    struct sgtime_local l;
    /* 2026-11-23 is a Monday; 10:00 UTC is 11:00 in Berlin (CET). */
    CHECK(sgtime_local_tz(NULL, 1795428000LL, &l));
    CHECK_INT(l.weekday, 1);
    CHECK_INT(l.hour, 11);
    CHECK_INT(l.day, 23);
    /* Summer time: 2026-07-01 10:00 UTC is 12:00 CEST. */
    CHECK(sgtime_local_tz(NULL, 1782900000LL, &l));
    CHECK_INT(l.hour, 12);
    CHECK(sgtime_local_utc(NULL, 1795428000LL, &l));
    CHECK_INT(l.hour, 10);
    int m;
    CHECK(sgtime_parse_hhmm("24:00", &m) && m == 1440);
    CHECK(!sgtime_parse_hhmm("24:01", &m));
    CHECK(!sgtime_parse_hhmm("7:00", &m));
    int64_t d;
    CHECK(sgtime_parse_date("1970-01-02", &d) && d == 1);
    CHECK_INT(sgtime_weekday_from_days(0), 4);
}

int main(void)
{
    test_rfc3339();
    test_local();
    return check_done("test_sgtime");
}
