/* rng.h: random streams keyed by (seed, entity), behind GSL's gsl_rng.
 *
 * rng_philox is a gsl_rng_type implementing Philox4x32-10 (Salmon et al.
 * 2011, "Parallel random numbers: as easy as 1, 2, 3"), a counter-based
 * generator: output block k of a stream is a pure function of (key, counter
 * k). The key is the run's seed; the counter's high half names the entity
 * (a neuron, a source, a projection's target), so every entity has its own
 * independent stream whatever thread or process draws from it. All gsl_ran_*
 * functions work on it.
 *
 * A stream's state is small and lives inside the entity's data; rng_view
 * wraps it in a gsl_rng without allocating, for use in hot loops.
 */
#ifndef HS_RNG_H
#define HS_RNG_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

extern const gsl_rng_type *rng_philox;

/* What a stream belongs to: the high word of its counter. The one
 * registry of kinds: a new use of random numbers takes a new kind here, so
 * no two uses ever share a stream. The values are part of every run's
 * results: never renumber one. */
enum {
    RNG_KIND_INIT = 1,          /* initial state values of a population */
    RNG_KIND_CONNECT = 2,       /* connections onto one target neuron */
    RNG_KIND_SOURCE = 3,        /* a spike source neuron */
    RNG_KIND_TRACK = 4,         /* a generated trajectory */
    RNG_KIND_RANK_ORDER = 17,   /* rank-order permutations of an event */
    RNG_KIND_DECODE = 18,       /* decoding shuffles of an event */
    RNG_KIND_DRIVE = 19,        /* a sleep drive's pattern (phase, population) */
    RNG_KIND_SHUFFLE = 20,      /* the weight-shuffle control (phase, projection) */
    RNG_KIND_TEMPLATE = 21,     /* REM template shuffles */
    RNG_KIND_REMAP = 22,        /* a place-cell remapping (environment) */
    RNG_KIND_TEST = 16          /* tests' own draws: this and 24 up */
};

typedef struct rng_state {
    uint32_t key[2];        /* the seed */
    uint32_t ctr[4];        /* ctr[0..1]: block index; ctr[2..3]: entity */
    uint32_t buf[4];        /* current output block */
    uint32_t used;          /* outputs of buf already returned (4 = empty) */
} rng_state;

/* A checkpoint saves streams as this many uint32 words each. */
#define RNG_STATE_WORDS 11
_Static_assert(sizeof(rng_state) == RNG_STATE_WORDS * sizeof(uint32_t),
               "rng_state is saved as packed uint32 words");

/* Starts the stream of entity (kind, a, b) for seed: kind < 256,
 * a < 2^24 (a population or projection index), b any 32-bit id. */
void rng_stream_init(rng_state *s, uint64_t seed, unsigned kind, uint32_t a,
                     uint32_t b);

/* A gsl_rng that draws from s; valid while s lives. No allocation. */
static inline gsl_rng rng_view(rng_state *s)
{
    gsl_rng r = {rng_philox, s};
    return r;
}

/* Trials up to and including the first success, each succeeding with
 * probability p (geometric distribution, k >= 1), as gsl_ran_geometric but
 * in 64 bits: GSL returns an unsigned int, which wraps for p below ~1e-9.
 * Saturates at 2^62. */
uint64_t rng_geometric(const gsl_rng *r, double p);

/* The raw Philox4x32-10 block function, for known-answer tests. */
void rng_philox_block(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]);

#endif
