#include "rng.h"

#include <math.h>
#include <string.h>

/* Philox4x32 constants (Salmon et al. 2011, Random123). */
#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

static inline void philox_round(uint32_t c[4], const uint32_t k[2])
{
    uint64_t p0 = (uint64_t)PHILOX_M0 * c[0];
    uint64_t p1 = (uint64_t)PHILOX_M1 * c[2];
    uint32_t hi0 = (uint32_t)(p0 >> 32), lo0 = (uint32_t)p0;
    uint32_t hi1 = (uint32_t)(p1 >> 32), lo1 = (uint32_t)p1;
    uint32_t n0 = hi1 ^ c[1] ^ k[0];
    uint32_t n2 = hi0 ^ c[3] ^ k[1];
    c[0] = n0;
    c[1] = lo1;
    c[2] = n2;
    c[3] = lo0;
}

void rng_philox_block(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4])
{
    uint32_t c[4] = {ctr[0], ctr[1], ctr[2], ctr[3]};
    uint32_t k[2] = {key[0], key[1]};
    for (int r = 0; r < 10; r++) {
        if (r > 0) {
            k[0] += PHILOX_W0;
            k[1] += PHILOX_W1;
        }
        philox_round(c, k);
    }
    memcpy(out, c, sizeof c);
}

static inline uint32_t philox_next(rng_state *s)
{
    if (s->used >= 4) {
        rng_philox_block(s->ctr, s->key, s->buf);
        if (++s->ctr[0] == 0)
            ++s->ctr[1];
        s->used = 0;
    }
    return s->buf[s->used++];
}

void rng_stream_init(rng_state *s, uint64_t seed, unsigned kind, uint32_t a,
                     uint32_t b)
{
    memset(s, 0, sizeof *s);
    s->key[0] = (uint32_t)seed;
    s->key[1] = (uint32_t)(seed >> 32);
    s->ctr[2] = ((uint32_t)(kind & 0xffu) << 24) | (a & 0xffffffu);
    s->ctr[3] = b;
    s->used = 4;
}

static void philox_set(void *vstate, unsigned long seed)
{
    rng_stream_init(vstate, seed, 0, 0, 0);
}

static unsigned long philox_get(void *vstate)
{
    return philox_next(vstate);
}

/* 32 random bits scaled to [0, 1), the GSL convention for 32-bit generators;
 * two draws would give more resolution but halve the speed of every gsl_ran_*. */
static double philox_get_double(void *vstate)
{
    return philox_next(vstate) / 4294967296.0;
}

static const gsl_rng_type philox_type = {
    "philox4x32", 0xffffffffUL, 0, sizeof(rng_state),
    philox_set, philox_get, philox_get_double
};

const gsl_rng_type *rng_philox = &philox_type;

uint64_t rng_geometric(const gsl_rng *r, double p)
{
    if (p >= 1.0)
        return 1;
    double k = floor(log(gsl_rng_uniform_pos(r)) / log1p(-p)) + 1.0;
    return k < 4611686018427387904.0 ? (uint64_t)k : (uint64_t)1 << 62;
}
