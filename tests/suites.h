/* suites.h: one Check suite per module, run by tests/test_main.c. */
#ifndef HS_TEST_SUITES_H
#define HS_TEST_SUITES_H

#include <check.h>

Suite *rng_suite(void);
Suite *neuron_suite(void);
Suite *network_suite(void);
Suite *skip_suite(void);
Suite *stdp_suite(void);
Suite *homeo_suite(void);
Suite *song_suite(void);
Suite *track_suite(void);
Suite *maze_suite(void);
Suite *wake_suite(void);
Suite *config_suite(void);
Suite *h5out_suite(void);
Suite *h5run_suite(void);
Suite *cli_suite(void);
void cli_io_tests_add(Suite *s); /* test_cli_io.c: the disk fills during a run */
Suite *bench_suite(void);
Suite *replay_rank_suite(void);
Suite *replay_decode_suite(void);
Suite *replay_analysis_suite(void);
Suite *schedule_suite(void);
Suite *replay_template_suite(void);
Suite *sleep_suite(void);
Suite *checkpoint_suite(void);
Suite *safety_suite(void);
Suite *footprint_suite(void);
Suite *weights_suite(void);

#endif
