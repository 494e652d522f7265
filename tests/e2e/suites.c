/* The end-to-end tests (build/test_e2e): whole runs of shipped experiments
 * and benchmarks, checked against published results, a second simulator
 * or the replay statistics of docs/replay.md. HS_SUITE=name runs one suite;
 * HS_BIN names the hebbsleep binary. */
#include "../lib/runner.h"
#include "suites.h"

/* One line per suite, each in tests/e2e/test_<name>.c. */
static const runner_suite suites[] = {
    {"wake", wake_suite},
    {"sleep", sleep_suite},
    {"song", song_suite},
    {"bench", bench_suite},
    {"safety", safety_suite},
};

int main(void)
{
    return runner_main("test_e2e", suites, sizeof suites / sizeof suites[0]);
}
