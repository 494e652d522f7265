/* Tests of the maze geometry in the run file (/behavior/segment, x, y and
 * /behavior/segments): round trip through the HDF5 C API and
 * h5in_behavior_geometry_read, writer errors each with its message and
 * nothing left behind, the reader on files without it or damaged, and the
 * maze line of h5out_info. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <hdf5.h>

#include "../lib/h5sample.h"
#include "suites.h"

/* The sample maze: three segments laid end to end on the sample track's
 * 100 cm, "stem" (0-40 cm, up the y axis), "left" (40-70) and "right"
 * (70-100); sample i is on segment (i / 10) % 3 at (i, -i / 2) cm. */
#define MAZE_SEGS 3
static const char *const maze_name[MAZE_SEGS] = {"stem", "left", "right"};
static const double maze_x0[MAZE_SEGS] = {0, 0, 0}, maze_y0[MAZE_SEGS] = {0, 40, 40};
static const double maze_x1[MAZE_SEGS] = {0, -30, 30}, maze_y1[MAZE_SEGS] = {40, 40, 40};
static const double maze_offset[MAZE_SEGS] = {0, 40, 70};
static const double maze_length[MAZE_SEGS] = {40, 30, 30};

typedef struct maze_sample {
    uint8_t seg[SAMPLE_BEH_N];
    double x[SAMPLE_BEH_N], y[SAMPLE_BEH_N];
    h5out_segments segs;
    double length[MAZE_SEGS]; /* a copy the error tests may break */
} maze_sample;

static void maze_fill(maze_sample *m)
{
    for (size_t i = 0; i < SAMPLE_BEH_N; i++) {
        m->seg[i] = (uint8_t)((i / 10) % MAZE_SEGS);
        m->x[i] = (double)i;
        m->y[i] = -(double)i / 2;
    }
    memcpy(m->length, maze_length, sizeof m->length);
    m->segs = (h5out_segments){MAZE_SEGS, maze_name, maze_x0, maze_y0, maze_x1,
                               maze_y1,   maze_offset, m->length};
}

/* A file with the sample behaviour (and fields), open for writing. */
static h5out *behavior_file(const char *path)
{
    hs_error err;
    h5out *f = h5out_create(path, &h5sample_meta, &err);
    ck_assert_ptr_nonnull(f);
    h5sample_write_behavior(f);
    return f;
}

static void write_maze_run(const char *path)
{
    maze_sample m;
    maze_fill(&m);
    hs_error err;
    h5out *f = behavior_file(path);
    ck_assert_int_eq(h5out_behavior_geometry_write(f, m.seg, m.x, m.y, SAMPLE_BEH_N,
                                                   &m.segs, &err), HS_OK);
    ck_assert_int_eq(h5out_close(f, 1, 1.0, &err), HS_OK);
}

static void assert_contiguous_units(hid_t file, const char *name, const char *units)
{
    hid_t ds = H5Dopen2(file, name, H5P_DEFAULT);
    ck_assert_int_ge(ds, 0);
    hid_t dcpl = H5Dget_create_plist(ds);
    ck_assert_msg(H5Pget_layout(dcpl) == H5D_CONTIGUOUS, "%s: not contiguous", name);
    char *u = h5sample_attr_str(ds, "units");
    ck_assert_msg(strcmp(u, units) == 0, "%s units '%s', want '%s'", name, u, units);
    free(u);
    H5Pclose(dcpl);
    H5Dclose(ds);
}

static void check_maze_c(const char *path, const maze_sample *m)
{
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    ck_assert_int_ge(file, 0);
    uint8_t *seg = h5sample_read_ds(file, "/behavior/segment", H5T_NATIVE_UINT8,
                                    H5T_STD_U8LE, SAMPLE_BEH_N);
    double *x = h5sample_read_ds(file, "/behavior/x", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE,
                                 SAMPLE_BEH_N);
    double *y = h5sample_read_ds(file, "/behavior/y", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE,
                                 SAMPLE_BEH_N);
    double *len = h5sample_read_ds(file, "/behavior/segments/length_cm", H5T_NATIVE_DOUBLE,
                                   H5T_IEEE_F64LE, MAZE_SEGS);
    for (size_t i = 0; i < SAMPLE_BEH_N; i++)
        ck_assert(seg[i] == m->seg[i] && x[i] == m->x[i] && y[i] == m->y[i]);
    ck_assert_int_eq(memcmp(len, maze_length, sizeof maze_length), 0);
    assert_contiguous_units(file, "/behavior/segment", "");
    assert_contiguous_units(file, "/behavior/x", "cm");
    assert_contiguous_units(file, "/behavior/y", "cm");
    const char *col[] = {"x0", "y0", "x1", "y1", "offset_cm", "length_cm"};
    char name[64];
    for (int j = 0; j < 6; j++) {
        snprintf(name, sizeof name, "/behavior/segments/%s", col[j]);
        assert_contiguous_units(file, name, "cm");
    }
    free(seg);
    free(x);
    free(y);
    free(len);
    H5Fclose(file);
}

static void check_maze_read(const char *path, const maze_sample *m)
{
    h5in_geometry g;
    hs_error err;
    ck_assert_int_eq(h5in_behavior_geometry_read(path, &g, &err), HS_OK);
    ck_assert_uint_eq(g.n, SAMPLE_BEH_N);
    ck_assert_uint_eq(g.n_segments, MAZE_SEGS);
    for (size_t i = 0; i < SAMPLE_BEH_N; i++)
        ck_assert(g.segment[i] == m->seg[i] && g.x_cm[i] == m->x[i] && g.y_cm[i] == m->y[i]);
    for (size_t k = 0; k < MAZE_SEGS; k++) {
        ck_assert_str_eq(g.name[k], maze_name[k]);
        ck_assert(g.x0_cm[k] == maze_x0[k] && g.y0_cm[k] == maze_y0[k] &&
                  g.x1_cm[k] == maze_x1[k] && g.y1_cm[k] == maze_y1[k] &&
                  g.offset_cm[k] == maze_offset[k] && g.length_cm[k] == maze_length[k]);
    }
    h5in_geometry_free(&g);
    ck_assert_ptr_null(g.segment);
    h5in_geometry_free(NULL);
}

START_TEST(test_maze_round_trip)
{
    const char *path = h5sample_path("maze.h5");
    write_maze_run(path);
    maze_sample m;
    maze_fill(&m);
    check_maze_c(path, &m);
    check_maze_read(path, &m);
    const char *want[] = {"behavior:    700 samples",
                          "  maze       3 segments: stem 40.000 cm, left 30.000 cm, "
                          "right 30.000 cm\nplace fields:"};
    h5sample_assert_info_has(path, want, 2);
    ck_assert_int_eq(h5sample_open_ids(), 0);
}
END_TEST

static void assert_refused(int rc, int want, const hs_error *err, const char *why)
{
    ck_assert_msg(rc == want, "rc %d, want %d (%s)", rc, want, err->msg);
    ck_assert_msg(strstr(err->msg, why), "message lacks '%s': %s", why, err->msg);
}

/* Each bad call is refused with its message and leaves no geometry. */
START_TEST(test_maze_write_errors)
{
    const char *path = h5sample_path("bad.h5");
    maze_sample m;
    maze_fill(&m);
    hs_error err;
    h5out *f = h5out_create(path, &h5sample_meta, &err);
    int rc = h5out_behavior_geometry_write(f, m.seg, m.x, m.y, SAMPLE_BEH_N, &m.segs, &err);
    assert_refused(rc, HS_EINPUT, &err, "no /behavior for the maze geometry");
    h5sample_write_behavior(f);
    rc = h5out_behavior_geometry_write(f, m.seg, m.x, m.y, SAMPLE_BEH_N - 1, &m.segs, &err);
    assert_refused(rc, HS_EINPUT, &err, "maze geometry of 699 samples for /behavior of 700");
    rc = h5out_behavior_geometry_write(NULL, m.seg, m.x, m.y, SAMPLE_BEH_N, &m.segs, &err);
    assert_refused(rc, HS_EINTERNAL, &err, "NULL file handle");
    rc = h5out_behavior_geometry_write(f, m.seg, NULL, m.y, SAMPLE_BEH_N, &m.segs, &err);
    assert_refused(rc, HS_EINTERNAL, &err, "NULL maze geometry arrays");
    rc = h5out_behavior_geometry_write(f, m.seg, m.x, m.y, SAMPLE_BEH_N, NULL, &err);
    assert_refused(rc, HS_EINTERNAL, &err, "NULL maze geometry arrays");
    m.seg[17] = MAZE_SEGS;
    rc = h5out_behavior_geometry_write(f, m.seg, m.x, m.y, SAMPLE_BEH_N, &m.segs, &err);
    assert_refused(rc, HS_EINPUT, &err, "segment[17] = 3 is not a segment (the table has 3");
    m.seg[17] = 0;
    m.y[5] = NAN;
    rc = h5out_behavior_geometry_write(f, m.seg, m.x, m.y, SAMPLE_BEH_N, &m.segs, &err);
    assert_refused(rc, HS_EINPUT, &err, "y_cm[5] = nan is not finite");
    m.y[5] = 0;
    m.length[2] = 0;
    rc = h5out_behavior_geometry_write(f, m.seg, m.x, m.y, SAMPLE_BEH_N, &m.segs, &err);
    assert_refused(rc, HS_EINPUT, &err, "segments: length_cm[2] = 0 is not > 0");
    m.length[2] = maze_length[2];
    ck_assert_int_eq(h5out_close(f, 1, 1.0, &err), HS_OK);
    h5in_geometry g;
    rc = h5in_behavior_geometry_read(path, &g, &err);
    assert_refused(rc, HS_EINPUT, &err, "no maze geometry in this file");
    ck_assert_ptr_null(g.segment);
    ck_assert_ptr_null(g.name);
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    ck_assert_int_ge(file, 0);
    const char *parts[] = {"behavior/segment", "behavior/x", "behavior/y",
                           "behavior/segments"};
    for (int k = 0; k < 4; k++)
        ck_assert_msg(H5Lexists(file, parts[k], H5P_DEFAULT) == 0, "%s left", parts[k]);
    H5Fclose(file);
    ck_assert_int_eq(h5sample_open_ids(), 0);
}
END_TEST

START_TEST(test_maze_written_twice)
{
    const char *path = h5sample_path("twice.h5");
    maze_sample m;
    maze_fill(&m);
    hs_error err;
    h5out *f = behavior_file(path);
    ck_assert_int_eq(h5out_behavior_geometry_write(f, m.seg, m.x, m.y, SAMPLE_BEH_N,
                                                   &m.segs, &err), HS_OK);
    int rc = h5out_behavior_geometry_write(f, m.seg, m.x, m.y, SAMPLE_BEH_N, &m.segs, &err);
    assert_refused(rc, HS_EINPUT, &err, "maze geometry written twice");
    ck_assert_int_eq(h5out_close(f, 1, 1.0, &err), HS_OK);
    check_maze_read(path, &m);
}
END_TEST

/* The reader and info refuse damaged geometry, naming the dataset. */
START_TEST(test_maze_read_damaged)
{
    const char *path = h5sample_path("damaged.h5");
    hs_error err;
    h5in_geometry g;
    write_maze_run(path);
    uint8_t nine = 9;
    h5sample_patch(path, "/behavior/segment", H5T_NATIVE_UINT8, 4, &nine);
    int rc = h5in_behavior_geometry_read(path, &g, &err);
    assert_refused(rc, HS_EINPUT, &err, "/behavior/segment[4] = 9 is not a segment");
    ck_assert_ptr_null(g.x_cm);
    write_maze_run(path);
    double zero = 0;
    h5sample_patch(path, "/behavior/segments/length_cm", H5T_NATIVE_DOUBLE, 1, &zero);
    rc = h5in_behavior_geometry_read(path, &g, &err);
    assert_refused(rc, HS_EINPUT, &err, "/behavior/segments/length_cm[1] = 0 is not > 0");
    h5sample_assert_info_refuses(path, "/behavior/segments/length_cm[1] = 0 is not > 0");
    rc = h5in_behavior_geometry_read(h5sample_path("missing.h5"), &g, &err);
    ck_assert_int_eq(rc, HS_EINPUT);
    ck_assert_int_eq(h5sample_open_ids(), 0);
}
END_TEST

Suite *h5maze_suite(void)
{
    Suite *s = suite_create("h5maze");
    TCase *tc = h5sample_tcase("h5maze");
    tcase_add_test(tc, test_maze_round_trip);
    tcase_add_test(tc, test_maze_write_errors);
    tcase_add_test(tc, test_maze_written_twice);
    tcase_add_test(tc, test_maze_read_damaged);
    suite_add_tcase(s, tc);
    return s;
}
