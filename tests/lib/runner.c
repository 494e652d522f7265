/* runner.c: the main of a test binary. */
#include "runner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int runner_main(const char *binary, const runner_suite *list, size_t n)
{
    const char *only = getenv("HS_SUITE");
    SRunner *sr = NULL;
    for (size_t i = 0; i < n; i++) {
        if (only && strcmp(only, list[i].name) != 0)
            continue;
        if (!sr)
            sr = srunner_create(list[i].make());
        else
            srunner_add_suite(sr, list[i].make());
    }
    if (!sr) {
        fprintf(stderr, "%s: no suite named '%s'; its suites:", binary, only ? only : "");
        for (size_t i = 0; i < n; i++)
            fprintf(stderr, " %s", list[i].name);
        fputc('\n', stderr);
        return 1;
    }
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
