/* The unit tests (build/test_unit): each module against its contract,
 * in the order of the folder graph (base first, app last). HS_SUITE=name
 * runs one suite; HS_BIN names the hebbsleep binary for app's suites,
 * which drive it. */
#include "../lib/runner.h"
#include "suites.h"

/* One line per module, each in tests/unit/test_<name>.c. */
static const runner_suite suites[] = {
    /* base/ */
    {"rng", rng_suite},
    {"dist", dist_suite},
    /* neurons/ */
    {"neuron", neuron_suite},
    {"lif_cuba", lif_cuba_suite},
    {"lif_coba", lif_coba_suite},
    {"adex", adex_suite},
    {"poisson", poisson_suite},
    {"spike_times", spike_times_suite},
    {"place_cells", place_cells_suite},
    /* plasticity/ */
    {"stdp", stdp_suite},
    /* replay/ */
    {"drive", drive_suite},
    {"events", events_suite},
    {"rank", rank_suite},
    {"fields", fields_suite},
    {"decode", decode_suite},
    {"analysis", analysis_suite},
    {"up_states", up_states_suite},
    {"template", template_suite},
    {"template_run", template_run_suite},
    /* task/ */
    {"track", track_suite},
    {"maze", maze_suite},
    {"trajectory", trajectory_suite},
    {"task", task_suite},
    /* model/ */
    {"experiment", experiment_suite},
    /* sim/ */
    {"connect", connect_suite},
    {"engine", engine_suite},
    {"exchange", exchange_suite},
    {"record", record_suite},
    {"skip", skip_suite},
    {"learn", learn_suite},
    {"homeo", homeo_suite},
    {"schedule", schedule_suite},
    {"weights", weights_suite},
    {"footprint", footprint_suite},
    /* io/ */
    {"yamltree", yamltree_suite},
    {"config", config_suite},
    {"h5out", h5out_suite},
    {"h5in", h5in_suite},
    {"h5weights", h5weights_suite},
    {"h5behavior", h5behavior_suite},
    {"h5maze", h5maze_suite},
    {"h5replay", h5replay_suite},
    {"h5template", h5template_suite},
    {"h5sleep", h5sleep_suite},
    {"h5run", h5run_suite},
    /* app/ */
    {"main", main_suite},
    {"run_file", run_file_suite},
    {"run_sink", run_sink_suite},
    {"signals", signals_suite},
    {"detect", detect_suite},
    {"checkpoint", checkpoint_suite},
};

int main(void)
{
    return runner_main("test_unit", suites, sizeof suites / sizeof suites[0]);
}
