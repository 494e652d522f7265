/* summary.c: what a finished run prints (summary.h). */
#include "summary.h"

#include <stdio.h>
#include <sys/resource.h>

#include "../base/mpi.h"

/* Every rank calls it (the counts are summed over ranks); rank 0 prints.
 * Rates over the whole run; speed over what this run ran (from step0, with
 * events0 delivered here before). */
void summary_print(const hs_config *c, const network *net, const sim *s,
                          const char *out, double build_s, double run_s, uint64_t step0,
                          uint64_t events0)
{
    size_t bytes = network_synapse_bytes(net), pbytes = 0, psyn = 0, m;
    for (size_t j = 0; j < net->n_projs; j++)
        if (net->projs[j].learn || net->projs[j].homeo) {
            pbytes += network_proj_bytes(net, j, &m);
            psyn += m;
        }
    uint64_t x_calls, x_bytes;
    double x_s;
    sim_exchange_stats(s, &x_calls, &x_bytes, &x_s);
    uint64_t sum[6] = {sim_events(s) - events0, net->n_syn, bytes, pbytes, psyn, x_bytes};
    if (hs_mpi_allreduce_u64(sum, 6, HS_MPI_SUM, NULL) != HS_OK || hs_mpi_rank() != 0)
        return;
    double bio_s = (double)sim_step(s) * c->dt_ms * 1e-3;
    double ran_s = (double)(sim_step(s) - step0) * c->dt_ms * 1e-3;
    uint64_t events = sum[0];
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("%s -> %s\n", c->path, out);
    printf("  %.3f s biological in %.3f s wall (run_ctx_build %.3f s), %d thread%s", ran_s, run_s,
           build_s, net->n_threads, net->n_threads == 1 ? "" : "s");
    if (hs_mpi_size() > 1)
        printf(" x %d ranks", hs_mpi_size());
    putchar('\n');
    if (step0)
        printf("  resumed at %.3f s of %.3f s\n", (double)step0 * c->dt_ms * 1e-3, bio_s);
    for (size_t p = 0; p < c->n_pops; p++) {
        uint64_t n = sim_spike_count(s, p);
        printf("  %-12s %8llu neurons %10llu spikes %8.3f Hz\n", c->pops[p].name,
               (unsigned long long)c->pops[p].size, (unsigned long long)n,
               bio_s > 0 ? (double)n / ((double)c->pops[p].size * bio_s) : 0.0);
    }
    uint64_t skipped, blocks;
    sim_skip_stats(s, &skipped, &blocks);
    /* peak_rss_mb and skipped are rank 0's */
    printf("stats: rtf=%.4f events=%llu events_per_s=%.4g synapses=%llu "
           "bytes_per_synapse=%.2f peak_rss_mb=%.1f run_s=%.3f build_s=%.3f "
           "skipped=%.3f bytes_per_plastic_synapse=%.2f ranks=%d\n",
           ran_s > 0 ? run_s / ran_s : 0.0, (unsigned long long)events,
           run_s > 0 ? (double)events / run_s : 0.0, (unsigned long long)sum[1],
           sum[1] ? (double)sum[2] / (double)sum[1] : 0.0, ru.ru_maxrss / 1024.0,
           run_s, build_s, blocks ? (double)skipped / (double)blocks : 0.0,
           sum[4] ? (double)sum[3] / (double)sum[4] : 0.0, hs_mpi_size());
    /* rank 0's exchange time; the bytes all ranks sent */
    if (hs_mpi_size() > 1)
        printf("mpi: exchanges=%llu sent_mb=%.3f xchg_s=%.3f us_per_exchange=%.2f\n",
               (unsigned long long)x_calls, (double)sum[5] / 1e6, x_s,
               x_calls ? 1e6 * x_s / (double)x_calls : 0.0);
}
