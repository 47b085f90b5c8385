/* The cause ids the rule tables use (DS_CAUSE_LIST) and the catalogue are the same set, each
 * catalogue entry complete. */
#include "test_helpers.h"

#include <stdbool.h>

#include "explain/causes.h"

static void test_every_id_in_catalogue(void **state)
{
    (void)state;
    for (int id = 0; id < DS_CAUSE_COUNT; id++) {
        const ds_cause_t *c = ds_cause_find(ds_cause_name((ds_cause_id_t)id));
        assert_non_null(c);
        assert_non_null(c->title);
        assert_non_null(c->recognised);
    }
}

static void test_every_catalogue_entry_has_an_id(void **state)
{
    (void)state;
    size_t count = 0;
    const ds_cause_t *all = ds_causes_all(&count);
    assert_int_equal(count, DS_CAUSE_COUNT);
    for (size_t i = 0; i < count; i++) {
        bool found = false;
        for (int id = 0; id < DS_CAUSE_COUNT && !found; id++)
            found = strcmp(all[i].id, ds_cause_name((ds_cause_id_t)id)) == 0;
        assert_true(found);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_id_in_catalogue),
        cmocka_unit_test(test_every_catalogue_entry_has_an_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
