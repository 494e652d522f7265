/* network.h: what a built network holds (network_build.h builds it).
 *
 * Ownership: a virtual process (MPI rank r x thread t, number r T + t of
 * P T) owns, in every population, the neurons of a contiguous range of
 * whole NEURON_BLOCK blocks, and the synapses onto them; a rank builds its
 * own threads' synapses only. Neuron state and delay rings are allocated
 * over the whole population on every rank (only owned entries change).
 * Synapses of a projection onto thread t's targets are a CSR matrix by
 * presynaptic neuron (net_part). Connections are drawn per target neuron
 * from the stream (seed, projection, target), so the network is the same for
 * any thread count.
 */
#ifndef HS_NETWORK_H
#define HS_NETWORK_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "../model/experiment.h"
#include "../neurons/neuron.h"
#include "../base/error.h"
#include "../task/track.h"

/* One synapse: target and weight side by side, so delivering a spike
 * touches one stream of memory. */
typedef struct net_syn {
    uint32_t post;          /* target, population-local */
    float weight;           /* nS or pA, the receptor's unit */
} net_syn;

/* The synapses of one projection onto one thread's targets: (target,
 * weight) pairs, 8 bytes. Plastic ones add a transposed index for
 * postsynaptic updates, naming the synapse (4 bytes) and its source (2
 * bytes when the source population has at most 65536 neurons, else 4):
 * 14 or 16 bytes. Homeostasis alone needs only the synapse: 12 bytes.
 * Weights are floats, as in Auryn: a learning step of 1e-3 w_max is still
 * 2^14 float steps. Rules compute in double. Offsets are 32-bit: a part
 * holds fewer than 2^32 synapses (network_build refuses more). */
typedef struct net_part {
    uint32_t *row;          /* [n_pre + 1]: synapses of pre i are row[i]..row[i+1] */
    net_syn *syn;           /* [n_syn] */
    uint32_t *trow;         /* plastic: [n_own + 1] synapses onto own target lo + j are */
    uint32_t *tsyn;         /*   tsyn[trow[j]]..tsyn[trow[j+1]], by pre ascending, */
    uint32_t *tpre;         /*   from the pre neurons tpre[...] (NULL: tpre16 or */
    uint16_t *tpre16;       /*   neither, for homeostasis alone) */
    uint16_t *delay;        /* steps, >= 1; NULL when all equal const_delay */
    size_t n_syn;
} net_part;

/* Source of the transposed index's entry s (plastic parts). */
static inline uint32_t net_part_tpre(const net_part *pt, uint64_t s)
{
    return pt->tpre16 ? pt->tpre16[s] : pt->tpre[s];
}

/* Target and weight of synapse k of a part. */
static inline uint32_t net_part_post(const net_part *pt, uint64_t k)
{
    return pt->syn[k].post;
}

static inline double net_part_weight(const net_part *pt, uint64_t k)
{
    return pt->syn[k].weight;
}

/* Learning state of a plastic projection (sim/learn.c), and of its slow
 * homeostatic rules (sim/homeo.c). */
struct learn_proj;
struct homeo_proj;

typedef struct net_proj {
    size_t pre, post;
    int receptor;
    struct learn_proj *learn;   /* NULL: static */
    struct homeo_proj *homeo;   /* NULL: no homeostasis */
    uint16_t const_delay;   /* the delay of every synapse, or 0 when they differ */
    uint16_t min_delay, max_delay;
    double gain;            /* weights act x gain when delivered (the phase's
                               transmission; 1 unless a schedule sets it) */
    net_part *part;         /* [n_threads] */
} net_proj;

typedef struct net_pop {
    const neuron_type *type;
    void *plan;             /* type->plan_size bytes of precomputed constants */
    neuron_pop state;
    double *ring[NEURON_MAX_RECEPTORS]; /* [n_slots][state.n_alloc] arriving input */
    size_t *lo, *hi;        /* [n_threads]: the neurons this rank's threads own */
    size_t *out;            /* projections with this population as pre */
    size_t n_out;
    int record;             /* spikes written */
    /* A source whose projections are all static: no neuron of the network
     * can change its spikes, so a window's worth of them is delivered
     * before the window's neurons update, and its delays do not bound the
     * window. */
    int ahead;
} net_pop;

typedef struct network {
    int n_threads;          /* this rank's */
    int rank, n_ranks;      /* MPI (base/mpi.h): 0 and 1 in a single process */
    double dt;
    uint64_t seed;
    net_pop *pops;
    size_t n_pops;
    net_proj *projs;
    size_t n_projs;
    uint32_t window;        /* steps between spike exchanges: the min delay of
                               the projections from non-ahead populations */
    uint32_t n_slots;       /* delay ring length: the max delay (+ window with
                               ahead sources, delivered a window early) */
    int has_ahead;          /* some population is ahead */
    size_t n_syn;           /* synapses this rank holds */
    const track_traj *traj; /* the rat's trajectory (not owned), or NULL */
    neuron_path path;       /* the place cells' view of it */
} network;

/* Bytes held by projection j's synapse arrays (targets, weights, delays,
 * offsets, transposed index); its synapse count in *n_syn. */
size_t network_proj_bytes(const network *n, size_t j, size_t *n_syn);

/* Bytes held by the synapse arrays (weights, targets, delays, row offsets). */
size_t network_synapse_bytes(const network *n);

#endif
