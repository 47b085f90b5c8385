/* The date recogniser: every spelling found and named, with its instant; numbers and versions
 * that are not dates left alone; epoch seconds only near a reference. Then the line judge:
 * changed, added and removed lines that are only dates, and lines that are not. */
#include "test_helpers.h"

#include "explain/date_lines.h"
#include "explain/dates.h"

struct date_case {
    const char *line;
    const char *token;    /* the first token's text, NULL when none is expected */
    const char *spelling;
    const char *zone;
    int64_t seconds;
};

/* 1764244367 is 2025-11-27T11:52:47Z (date -u -d @1764244367). */
static const struct date_case cases[] = {
    {"# built 2025-11-27T11:52:47Z", "2025-11-27T11:52:47Z", "ISO 8601 extended", "UTC", 1764244367},
    {"at 2025-11-27T12:52:47+01:00.", "2025-11-27T12:52:47+01:00", "ISO 8601 extended", "+01:00", 1764244367},
    {"t=2025-11-27T11:52:47.123456Z", "2025-11-27T11:52:47.123456Z", "ISO 8601 extended", "UTC", 1764244367},
    {"Generated 2025-11-27 11:52:47", "2025-11-27 11:52:47", "ISO 8601 extended", "", 1764244367},
    {"Built on 2025-11-27 11:52:47 UTC by x", "2025-11-27 11:52:47 UTC", "ISO 8601 extended", "UTC", 1764244367},
    {"Built 2025-11-27 11:52", "2025-11-27 11:52", "ISO 8601 extended", "", 1764244320},
    {"BUILD_ID=20251127T1152", "20251127T1152", "ISO 8601 basic", "", 1764244320},
    {"id 20251127T115247Z;", "20251127T115247Z", "ISO 8601 basic", "UTC", 1764244367},
    {"Date: Thu, 27 Nov 2025 11:52:47 +0000", "Thu, 27 Nov 2025 11:52:47 +0000", "RFC 2822", "UTC", 1764244367},
    {"Date: 27 Nov 2025 12:52:47 +0100", "27 Nov 2025 12:52:47 +0100", "RFC 2822", "+01:00", 1764244367},
    {"Thu Nov 27 11:52:47 UTC 2025", "Thu Nov 27 11:52:47 UTC 2025", "date default", "UTC", 1764244367},
    {"Mon Dec  1 00:00:00 CET 2025", "Mon Dec  1 00:00:00 CET 2025", "date default", "CET", 1764547200},
    {"made Thu Nov 27 11:52:47 2025\n", "Thu Nov 27 11:52:47 2025", "asctime", "", 1764244367},
    {"v 20251127-11:52 x", "20251127-11:52", "%Y%m%d-%H:%M", "", 1764244320},
    {"stamp 20251127115247", "20251127115247", "%Y%m%d%H%M%S", "", 1764244367},
    {"compiled Nov 27 2025 at 11:52:47", "Nov 27 2025", "C __DATE__", "", 1764201600},
    {"Release 2024-02-29", "2024-02-29", "ISO 8601 date", "", 1709164800},
    {"time 11:52:47", "11:52:47", "time of day", "", 42767},
    {"epoch 1764244367 s", "1764244367", "epoch seconds", "UTC", 1764244367},
    {"@1764244367.25", "1764244367.25", "epoch seconds", "UTC", 1764244367},
    /* Not dates. */
    {"version 2.36-9+deb12u4", NULL, NULL, NULL, 0},
    {"size 1764244367123 bytes", NULL, NULL, NULL, 0},
    {"epoch far 1000000000", NULL, NULL, NULL, 0},
    {"not a day 2023-02-29", NULL, NULL, NULL, 0},
    {"month 2025-13-01", NULL, NULL, NULL, 0},
    {"hour 2025-11-27 25:00", "2025-11-27", "ISO 8601 date", "", 1764201600},
    {"serial 20251327T1152", NULL, NULL, NULL, 0},
    {"mac 12:34:56:78:9a:bc", NULL, NULL, NULL, 0},
    {"ip 1.2025-11-27", NULL, NULL, NULL, 0},
    {"x2025-11-27", NULL, NULL, NULL, 0},
    {"year 1969-12-31", NULL, NULL, NULL, 0},
};

static void test_spellings(void **state)
{
    (void)state;
    ds_date_references_t refs = {0};
    ds_date_references_add(&refs, 1764200000);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct date_case *c = &cases[i];
        ds_date_token_t t[4];
        size_t n = ds_dates_find(c->line, strlen(c->line), &refs, t, 4);
        if (c->token == NULL) {
            if (n != 0)
                fail_msg("case %zu '%s': found '%.*s' (%s)", i, c->line, (int)t[0].length, c->line + t[0].start, t[0].spelling);
            continue;
        }
        if (n == 0)
            fail_msg("case %zu '%s': no date found", i, c->line);
        char got[64];
        snprintf(got, sizeof got, "%.*s", (int)t[0].length, c->line + t[0].start);
        assert_string_equal(got, c->token);
        assert_string_equal(t[0].spelling, c->spelling);
        assert_string_equal(t[0].zone, c->zone);
        if (t[0].seconds != c->seconds)
            fail_msg("case %zu '%s': %lld seconds, expected %lld", i, c->line, (long long)t[0].seconds, (long long)c->seconds);
    }
}

static void test_epoch_needs_reference(void **state)
{
    (void)state;
    ds_date_token_t t[2];
    assert_int_equal(ds_dates_find("at 1764244367", 13, NULL, t, 2), 0);
    ds_date_references_t refs = {0};
    ds_date_references_add(&refs, 1764244367 - DS_DATES_EPOCH_WINDOW - 1);
    assert_int_equal(ds_dates_find("at 1764244367", 13, &refs, t, 2), 0);
    ds_date_references_add(&refs, 1764244367 - DS_DATES_EPOCH_WINDOW);
    assert_int_equal(ds_dates_find("at 1764244367", 13, &refs, t, 2), 1);
}

struct judge_case {
    const char *a, *b;
    bool only;
    size_t changed, added, removed;
    const char *first; /* the description starts so, when only */
};

static const struct judge_case judged[] = {
    {"x\nBUILD_ID=20261127T0914\n", "x\nBUILD_ID=20261128T1002\n", true, 1, 0, 0,
     "line 2 changed: '20261127T0914' -> '20261128T1002' (ISO 8601 basic)"},
    {"x\ny\n", "x\n# built 2026-11-27T11:52:47Z\ny\n", true, 0, 1, 0,
     "line 2 added: '# built 2026-11-27T11:52:47Z' (ISO 8601 extended, UTC)"},
    {"Generated 2026-11-27 11:52:47\nbody\n", "body\n", true, 0, 0, 1,
     "line 1 removed: 'Generated 2026-11-27 11:52:47' (ISO 8601 extended)"},
    {"a\nb\n", "a\nb\nGenerated Thu Nov 27 11:52:47 UTC 2026\nc 2026-11-27\n", true, 0, 2, 0,
     "2 lines differ only in dates (0 changed, 2 added, 0 removed); line 3 added"},
    {"on 2026-11-27 host a\n", "on 2026-11-28 host b\n", false, 0, 0, 0, NULL},
    {"x\n", "x\nversion 1.2.3 built 2026-11-27\n", false, 0, 0, 0, NULL},
    {"x\n", "x\nthe long list of many words written beside a date 2026-11-27\n", false, 0, 0, 0, NULL},
    {"x\n", "x\nno date here\n", false, 0, 0, 0, NULL},
    {"count 1000\n", "count 1001\n", false, 0, 0, 0, NULL},
    {"same\n", "same\n", false, 0, 0, 0, NULL},
    /* Epoch seconds: a date when the other side writes a date near it. */
    {"date 2026-11-27\nt 1795780000\n", "date 2026-11-27\nt 1795783600\n", true, 1, 0, 0,
     "line 2 changed: '1795780000' -> '1795783600' (epoch seconds, UTC)"},
    {"t 1795780000\n", "t 1795783600\n", false, 0, 0, 0, NULL},
};

static void test_judge(void **state)
{
    (void)state;
    unsetenv("SOURCE_DATE_EPOCH");
    for (size_t i = 0; i < sizeof judged / sizeof judged[0]; i++) {
        const struct judge_case *c = &judged[i];
        ds_date_lines_t d = {.unit = "line"};
        assert_int_equal(ds_date_lines_judge(c->a, strlen(c->a), c->b, strlen(c->b), &d), 0);
        if (ds_date_lines_only(&d) != c->only)
            fail_msg("case %zu: only %d, expected %d (%s)", i, ds_date_lines_only(&d), c->only, d.first);
        if (!c->only)
            continue;
        assert_int_equal(d.changed, c->changed);
        assert_int_equal(d.added, c->added);
        assert_int_equal(d.removed, c->removed);
        char text[400];
        ds_date_lines_describe(&d, text, sizeof text);
        if (strncmp(text, c->first, strlen(c->first)) != 0)
            fail_msg("case %zu: '%s', expected '%s...'", i, text, c->first);
    }
}

static void test_source_date_epoch_reference(void **state)
{
    (void)state;
    setenv("SOURCE_DATE_EPOCH", "1795780000", 1);
    ds_date_lines_t d = {.unit = "line"};
    assert_int_equal(ds_date_lines_judge("t 1795780000\n", 13, "t 1795783600\n", 13, &d), 0);
    assert_true(ds_date_lines_only(&d));
    unsetenv("SOURCE_DATE_EPOCH");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spellings),
        cmocka_unit_test(test_epoch_needs_reference),
        cmocka_unit_test(test_judge),
        cmocka_unit_test(test_source_date_epoch_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
