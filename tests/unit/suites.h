/* suites.h: the unit suites, one per module, run by tests/unit/suites.c
 * (build/test_unit). A module's tests are in tests/unit/test_<module>.c
 * with a <module>_suite(); to add one, declare it here and list it there. */
#ifndef HS_TEST_UNIT_SUITES_H
#define HS_TEST_UNIT_SUITES_H

#include <check.h>

/* base/ */
Suite *rng_suite(void);
Suite *dist_suite(void);
/* neurons/ */
Suite *neuron_suite(void);
Suite *lif_cuba_suite(void);
Suite *lif_coba_suite(void);
Suite *adex_suite(void);
Suite *poisson_suite(void);
Suite *spike_times_suite(void);
Suite *place_cells_suite(void);
/* plasticity/ */
Suite *stdp_suite(void);
/* replay/ */
Suite *drive_suite(void);
Suite *events_suite(void);
Suite *rank_suite(void);
Suite *fields_suite(void);
Suite *decode_suite(void);
Suite *analysis_suite(void);
Suite *up_states_suite(void);
Suite *template_suite(void);
Suite *template_run_suite(void);
/* task/ */
Suite *track_suite(void);
Suite *maze_suite(void);
Suite *trajectory_suite(void);
Suite *task_suite(void);
/* model/ */
Suite *experiment_suite(void);
/* sim/ */
Suite *connect_suite(void);
Suite *engine_suite(void);
Suite *exchange_suite(void);
Suite *record_suite(void);
Suite *skip_suite(void);
Suite *learn_suite(void);
Suite *homeo_suite(void);
Suite *schedule_suite(void);
Suite *footprint_suite(void);
Suite *weights_suite(void);
/* io/ */
Suite *yamltree_suite(void);
Suite *config_suite(void);
Suite *h5out_suite(void);
Suite *h5in_suite(void);
Suite *h5weights_suite(void);
Suite *h5behavior_suite(void);
Suite *h5maze_suite(void);
Suite *h5replay_suite(void);
Suite *h5template_suite(void);
Suite *h5sleep_suite(void);
Suite *h5run_suite(void);
/* app/ */
Suite *main_suite(void);
Suite *run_file_suite(void);
Suite *run_sink_suite(void);
Suite *signals_suite(void);
Suite *detect_suite(void);
Suite *checkpoint_suite(void);

#endif
