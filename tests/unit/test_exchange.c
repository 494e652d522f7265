/* A window's spikes across MPI ranks (sim/exchange.h), in one process:
 * this process plays rank 1 of 2, so the single-process gather hands it
 * its own packing as rank 0's, which the unpacking then reads as another
 * rank's virtual processes. Each virtual process gets back exactly its
 * thread's spikes, cell (step, population) by cell and in their order;
 * the populations of the other kind stay empty; a short last window and
 * the other kind round-trip too, in the same buffers; the stop flag is
 * ORed; the counters count the values sent. */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "../../base/rng.h"
#include "../../sim/exchange.h"
#include "suites.h"

enum { T = 3, POPS = 3, WINDOW = 4, SIZE = 150 };

/* Three populations of 150 neurons over 3 threads (blocks of 64: [0, 64),
 * [64, 128), [128, 150)); population 1 is read ahead. */
typedef struct fake {
    network n;
    net_pop pops[POPS];
    size_t lo[T], hi[T];
} fake;

static void fake_init(fake *f)
{
    memset(f, 0, sizeof *f);
    const size_t lo[T] = {0, 64, 128}, hi[T] = {64, 128, SIZE};
    memcpy(f->lo, lo, sizeof lo);
    memcpy(f->hi, hi, sizeof hi);
    for (size_t p = 0; p < POPS; p++) {
        f->pops[p].state.n = SIZE;
        f->pops[p].lo = f->lo;
        f->pops[p].hi = f->hi;
        f->pops[p].ahead = p == 1;
    }
    f->n.n_threads = T;
    f->n.rank = 1;
    f->n.n_ranks = 2;
    f->n.window = WINDOW;
    f->n.pops = f->pops;
    f->n.n_pops = POPS;
}

/* One thread's spikes of a window of w steps in the engine's layout:
 * cells k * POPS + p, each a few ids of the thread's own neurons,
 * ascending; none for populations of the other kind. */
typedef struct spikes {
    size_t off[WINDOW * POPS + 1];
    uint32_t ids[WINDOW * POPS * SIZE];
} spikes;

static void spikes_draw(spikes *s, const fake *f, int t, uint32_t w, int which, gsl_rng *r)
{
    s->off[0] = 0;
    for (size_t c = 0; c < (size_t)w * POPS; c++) {
        size_t p = c % POPS, m = s->off[c];
        if (f->pops[p].ahead == which)
            for (size_t i = f->lo[t]; i < f->hi[t]; i++)
                if (gsl_rng_uniform(r) < 0.2)
                    s->ids[m++] = (uint32_t)i;
        s->off[c + 1] = m;
    }
}

/* The values xchg_alloc made room for in x->recv (every rank's head and
 * every neuron of the kind in every step). */
static size_t recv_len(const fake *f, int which)
{
    size_t all = 0;
    for (size_t p = 0; p < POPS; p++)
        all += f->pops[p].ahead == which ? f->pops[p].state.n : 0;
    return 2 * (1 + (size_t)T * WINDOW * POPS) + all * WINDOW;
}

/* Exchanges the threads' spikes s of a window of w steps; every virtual
 * process of "rank 0" reads back its thread's, cell by cell. Returns the
 * stop flag out. Rank 1's own part of the gather, which it skips, is
 * zeroed first: a second process would have put its flag there. */
static int round_trip(xchg *x, const fake *f, const spikes *s, uint32_t w, int stop)
{
    memset(x->recv, 0, recv_len(f, x->which) * sizeof *x->recv);
    for (int t = 0; t < T; t++) {
        x->loc_off[t] = s[t].off;
        x->loc_ids[t] = s[t].ids;
    }
    uint64_t calls = x->calls, sent = x->sent, want = 1;
    for (int t = 0; t < T; t++) {
        for (size_t c = 0; c < (size_t)w * POPS; c++)
            want += f->pops[c % POPS].ahead == x->which;
        want += s[t].off[(size_t)w * POPS];
    }
    hs_error err;
    ck_assert_int_eq(xchg_run(x, &f->n, w, &stop, &err), HS_OK);
    ck_assert_uint_eq(x->calls, calls + 1);
    ck_assert_uint_eq(x->sent - sent, want);
    for (int u = 0; u < T; u++)
        for (size_t c = 0; c < (size_t)w * POPS; c++) {
            size_t m;
            const uint32_t *ids = xchg_spikes(x, &f->n, u, c, &m);
            size_t m_want = s[u].off[c + 1] - s[u].off[c];
            ck_assert_uint_eq(m, m_want);
            ck_assert_int_eq(memcmp(ids, s[u].ids + s[u].off[c], m * sizeof *ids), 0);
        }
    return stop;
}

START_TEST(test_round_trip)
{
    static fake f;
    static spikes s[T];
    fake_init(&f);
    rng_state st;
    rng_stream_init(&st, 1, RNG_KIND_TEST + 10, 0, 0);
    gsl_rng r = rng_view(&st);
    for (int which = 0; which <= 1; which++) {
        /* zeroed, as in the engine's calloc'd sim: xchg_alloc leaves the
         * counters as they were */
        xchg x = {0};
        ck_assert_int_eq(xchg_alloc(&x, &f.n, which), HS_OK);
        const uint32_t windows[] = {WINDOW, WINDOW, 1, 3};
        for (size_t k = 0; k < 4; k++) {
            for (int t = 0; t < T; t++)
                spikes_draw(&s[t], &f, t, windows[k], which, &r);
            ck_assert_int_eq(round_trip(&x, &f, s, windows[k], 0), 0);
        }
        for (int t = 0; t < T; t++)
            spikes_draw(&s[t], &f, t, WINDOW, which, &r);
        ck_assert_int_eq(round_trip(&x, &f, s, WINDOW, 1), 1);
        ck_assert_int_eq(round_trip(&x, &f, s, WINDOW, 0), 0);
        ck_assert_uint_eq(x.calls, 6);
        xchg_free(&x);
    }
}
END_TEST

/* Every neuron of a kind firing in every step of a window fits the
 * buffers xchg_alloc sized. */
START_TEST(test_full_window_fits)
{
    static fake f;
    static spikes s[T];
    fake_init(&f);
    xchg x = {0};
    ck_assert_int_eq(xchg_alloc(&x, &f.n, 0), HS_OK);
    for (int t = 0; t < T; t++) {
        s[t].off[0] = 0;
        for (size_t c = 0; c < WINDOW * POPS; c++) {
            size_t m = s[t].off[c];
            if (!f.pops[c % POPS].ahead)
                for (size_t i = f.lo[t]; i < f.hi[t]; i++)
                    s[t].ids[m++] = (uint32_t)i;
            s[t].off[c + 1] = m;
        }
    }
    ck_assert_int_eq(round_trip(&x, &f, s, WINDOW, 0), 0);
    xchg_free(&x);
}
END_TEST

Suite *exchange_suite(void)
{
    Suite *s = suite_create("exchange");
    TCase *tc = tcase_create("one process");
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_full_window_fits);
    suite_add_tcase(s, tc);
    return s;
}
