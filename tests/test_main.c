/* The unit and end-to-end tests. HS_BIN names the hebbsleep binary for the
 * tests that drive it; HS_SUITE=name runs one suite only. */
#include <stdlib.h>
#include <string.h>

#include "suites.h"

typedef Suite *(*suite_fn)(void);

static const struct {
    const char *name;
    suite_fn fn;
} suites[] = {
    /* suite list: one line per module */
    {"rng", rng_suite},
    {"neuron", neuron_suite},
    {"network", network_suite},
    {"skip", skip_suite},
    {"stdp", stdp_suite},
    {"homeo", homeo_suite},
    {"song", song_suite},
    {"track", track_suite},
    {"maze", maze_suite},
    {"wake", wake_suite},
    {"bench", bench_suite},
    {"cli", cli_suite},
    {"h5out", h5out_suite},
    {"h5run", h5run_suite},
    {"config", config_suite},
    {"replay_rank", replay_rank_suite},
    {"replay_decode", replay_decode_suite},
    {"replay_analysis", replay_analysis_suite},
    {"schedule", schedule_suite},
    {"replay_template", replay_template_suite},
    {"sleep", sleep_suite},
    {"checkpoint", checkpoint_suite},
    {"safety", safety_suite},
    {"footprint", footprint_suite},
    {"weights", weights_suite},
};

int main(void)
{
    const char *only = getenv("HS_SUITE");
    SRunner *sr = NULL;
    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++) {
        if (only && strcmp(only, suites[i].name) != 0)
            continue;
        if (!sr)
            sr = srunner_create(suites[i].fn());
        else
            srunner_add_suite(sr, suites[i].fn());
    }
    if (!sr)
        return 1;
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
