/* Philox4x32-10 as a gsl_rng type: known answers from Random123's
 * kat_vectors, stream independence, and uniform moments. */
#include <math.h>
#include <string.h>

#include <check.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "../../base/rng.h"
#include "suites.h"

START_TEST(test_philox_known_answers)
{
    /* Salmon et al. 2011, Random123 kat_vectors: philox4x32 10 rounds */
    static const uint32_t ctr[3][4] = {
        {0, 0, 0, 0},
        {0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
        {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}};
    static const uint32_t key[3][2] = {{0, 0}, {0xffffffff, 0xffffffff},
                                       {0xa4093822, 0x299f31d0}};
    static const uint32_t want[3][4] = {
        {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
        {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
        {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}};
    for (int k = 0; k < 3; k++) {
        uint32_t out[4];
        rng_philox_block(ctr[k], key[k], out);
        for (int i = 0; i < 4; i++)
            ck_assert_uint_eq(out[i], want[k][i]);
    }
}
END_TEST

START_TEST(test_streams_keyed_by_entity)
{
    rng_state a, b, c;
    rng_stream_init(&a, 42, RNG_KIND_SOURCE, 3, 7);
    rng_stream_init(&b, 42, RNG_KIND_SOURCE, 3, 7);
    rng_stream_init(&c, 42, RNG_KIND_SOURCE, 3, 8);
    gsl_rng ra = rng_view(&a), rb = rng_view(&b), rc = rng_view(&c);
    int same_ab = 1, same_ac = 1;
    for (int i = 0; i < 1000; i++) {
        unsigned long x = gsl_rng_get(&ra), y = gsl_rng_get(&rb), z = gsl_rng_get(&rc);
        same_ab &= x == y;
        same_ac &= x == z;
    }
    ck_assert(same_ab);
    ck_assert(!same_ac);
    /* The stream is the block function on (seed, entity, block index). */
    rng_stream_init(&a, 42, RNG_KIND_SOURCE, 3, 7);
    ra = rng_view(&a);
    uint32_t ctr[4] = {5, 0, ((uint32_t)RNG_KIND_SOURCE << 24) | 3, 7}, key[2] = {42, 0};
    uint32_t blk[4];
    rng_philox_block(ctr, key, blk);
    for (int i = 0; i < 20; i++)
        gsl_rng_get(&ra);
    for (int i = 0; i < 4; i++)
        ck_assert_uint_eq(gsl_rng_get(&ra), blk[i]);
}
END_TEST

START_TEST(test_uniform_moments)
{
    gsl_rng *r = gsl_rng_alloc(rng_philox);
    ck_assert_ptr_nonnull(r);
    gsl_rng_set(r, 12345);
    const int n = 1000000;
    double s = 0, s2 = 0;
    for (int i = 0; i < n; i++) {
        double u = gsl_rng_uniform(r);
        ck_assert(u >= 0.0 && u < 1.0);
        s += u;
        s2 += u * u;
    }
    double mean = s / n, var = s2 / n - mean * mean;
    /* U(0,1): mean 1/2 (sd 1/sqrt(12 n)), variance 1/12 (sd sqrt(1/180 n)) */
    ck_assert_double_lt(fabs(mean - 0.5), 3.0 / sqrt(12.0 * n));
    ck_assert_double_lt(fabs(var - 1.0 / 12.0), 3.0 * sqrt(1.0 / (180.0 * n)));
    ck_assert_str_eq(gsl_rng_name(r), "philox4x32");
    gsl_rng_free(r);
}
END_TEST

/* Below p ~ 1e-9 gaps pass 2^32 (where gsl_ran_geometric's unsigned int
 * wraps): the 64-bit draw keeps the geometric mean 1/p (sd ~ 1/p). */
START_TEST(test_geometric_64bit)
{
    rng_state st;
    rng_stream_init(&st, 5, RNG_KIND_TEST, 1, 2);
    gsl_rng r = rng_view(&st);
    const int n = 20000;
    const double p = 1e-11;
    double sum = 0;
    int above = 0;
    for (int i = 0; i < n; i++) {
        uint64_t k = rng_geometric(&r, p);
        ck_assert_uint_ge(k, 1);
        sum += (double)k;
        above += k > UINT32_MAX;
    }
    ck_assert_double_lt(fabs(sum / n - 1 / p), 3 * sqrt(1 - p) / p / sqrt(n));
    ck_assert_int_gt(above, n / 2);
    ck_assert_uint_eq(rng_geometric(&r, 1.0), 1);
}
END_TEST

Suite *rng_suite(void)
{
    Suite *s = suite_create("rng");
    TCase *tc = tcase_create("philox");
    tcase_add_test(tc, test_philox_known_answers);
    tcase_add_test(tc, test_streams_keyed_by_entity);
    tcase_add_test(tc, test_uniform_moments);
    tcase_add_test(tc, test_geometric_64bit);
    suite_add_tcase(s, tc);
    return s;
}
