/* h5out_info on hostile files: the sample run cut at every sixteenth of
 * its length and at small offsets, junk, a foreign HDF5 file, the sample
 * run with one group, dataset or attribute deleted or of the wrong type,
 * and a global heap that makes HDF5 1.10 itself crash. Each is refused
 * with HS_EINPUT naming the file and the object, never a crash, an HDF5
 * stack on stderr or a leaked HDF5 identifier. Part of the h5in suite. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <hdf5.h>

#include "../lib/h5sample.h"

/* h5out_info on path returns HS_EINPUT naming path and holding one of
 * why_a or why_b (why_b may be NULL); quiet: nothing on stderr. */
static void assert_refused(const char *path, const char *why_a, const char *why_b, int quiet)
{
    hs_error err;
    int rc;
    h5sample_stderr swap = h5sample_stderr_away();
    char *text = h5sample_info(path, &rc, &err);
    long printed = h5sample_stderr_back(swap);
    free(text);
    ck_assert_msg(rc == HS_EINPUT, "%s: rc %d, want HS_EINPUT (%s)", path, rc, why_a);
    ck_assert_msg(strncmp(err.msg, path, strlen(path)) == 0, "message: %s", err.msg);
    ck_assert_msg(strstr(err.msg, why_a) || (why_b && strstr(err.msg, why_b)),
                  "message lacks '%s': %s", why_a, err.msg);
    if (quiet)
        ck_assert_msg(printed == 0, "%s: %ld bytes on stderr", path, printed);
}

/* The end of allocation of HDF5 file path: the bytes a reader needs. */
static long file_eoa(const char *path)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    ck_assert_int_ge(f, 0);
    haddr_t eoa = 0;
    ck_assert_int_ge(H5Fget_eoa(f, &eoa), 0);
    H5Fclose(f);
    return (long)eoa;
}

/* Cut short of its end of allocation, the sample run is refused as not
 * HDF5 (too short for a signature) or truncated; cut after it, it reads. */
START_TEST(test_info_truncated)
{
    char good[256], cut[256];
    snprintf(good, sizeof good, "%s", h5sample_path("run.h5"));
    snprintf(cut, sizeof cut, "%s", h5sample_path("cut.h5"));
    h5sample_write_run(good, 1);
    long size = h5sample_file_size(good), eoa = file_eoa(good);
    ck_assert_int_le(eoa, size);
    long keep[16 + 7] = {0, 1, 7, 8, 47, 96, 512};
    for (int k = 1; k < 16; k++)
        keep[6 + k] = size * k / 16;
    keep[22] = eoa;
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) {
        h5sample_truncated_copy(good, cut, keep[i]);
        if (keep[i] < eoa) {
            assert_refused(cut, "truncated or corrupt", "not an HDF5 file", 1);
            continue;
        }
        int rc;
        hs_error err;
        free(h5sample_info(cut, &rc, &err));
        ck_assert_msg(rc == HS_OK, "cut at the end of allocation: %s", err.msg);
    }
}
END_TEST

static uint64_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 33;
}

START_TEST(test_info_junk_and_foreign)
{
    static unsigned char junk[20000];
    uint64_t seed = 42;
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (unsigned char)lcg(&seed);
    h5sample_write_bytes(h5sample_path("random.h5"), junk, sizeof junk);
    /* an HDF5 signature, then junk */
    memcpy(junk, "\211HDF\r\n\032\n", 8);
    h5sample_write_bytes(h5sample_path("signed.h5"), junk, sizeof junk);
    const char *csv = "t,x\n0,1\n1,2\n";
    h5sample_write_bytes(h5sample_path("rat.h5"), csv, strlen(csv));
    hid_t f = H5Fcreate(h5sample_path("foreign.h5"), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    double v[3] = {1, 2, 3};
    hsize_t n = 3;
    hid_t sp = H5Screate_simple(1, &n, NULL);
    hid_t ds = H5Dcreate2(f, "foo", H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    ck_assert_int_ge(H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v), 0);
    H5Dclose(ds);
    H5Sclose(sp);
    H5Fclose(f);
    assert_refused(h5sample_path("random.h5"), "not an HDF5 file", NULL, 1);
    assert_refused(h5sample_path("signed.h5"), "truncated or corrupt", NULL, 1);
    assert_refused(h5sample_path("rat.h5"), "not an HDF5 file", NULL, 1);
    assert_refused(h5sample_path("foreign.h5"), "not a hebbsleep run file", NULL, 1);
    ck_assert_int_eq(h5sample_open_ids(), 0);
}
END_TEST

/* ---- one fault in the sample run ---- */

static void replace_ds(hid_t f, const char *name, hid_t type, int rank, const hsize_t *dims,
                       const void *buf)
{
    if (H5Lexists(f, name, H5P_DEFAULT) > 0)
        ck_assert_int_ge(H5Ldelete(f, name, H5P_DEFAULT), 0);
    h5sample_put(f, name, type, rank, dims, buf);
}

static void replace_attr(hid_t f, const char *obj, const char *name, hid_t type, hsize_t n,
                         const void *buf)
{
    if (H5Aexists_by_name(f, obj, name, H5P_DEFAULT) > 0)
        ck_assert_int_ge(H5Adelete_by_name(f, obj, name, H5P_DEFAULT), 0);
    hid_t sp = n == 1 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, NULL);
    hid_t o = H5Oopen(f, obj, H5P_DEFAULT);
    hid_t a = H5Acreate2(o, name, type, sp, H5P_DEFAULT, H5P_DEFAULT);
    ck_assert_int_ge(a, 0);
    ck_assert_int_ge(H5Awrite(a, type, buf), 0);
    H5Aclose(a);
    H5Oclose(o);
    H5Sclose(sp);
}

static hid_t fixed_str(size_t size)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, size);
    return t;
}

/* A dataset declaring 2^40 doubles in chunks never written: a few bytes. */
static void replace_huge(hid_t f, const char *name)
{
    ck_assert_int_ge(H5Ldelete(f, name, H5P_DEFAULT), 0);
    hsize_t n = (hsize_t)1 << 40, chunk = 4096;
    hid_t sp = H5Screate_simple(1, &n, NULL), dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, 1, &chunk);
    hid_t ds = H5Dcreate2(f, name, H5T_IEEE_F64LE, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    ck_assert_int_ge(ds, 0);
    H5Dclose(ds);
    H5Pclose(dcpl);
    H5Sclose(sp);
}

enum {
    DEL_META, DEL_COMPLETE, COMPLETE_STR, COMPLETE_TWO, CONFIG_INT, SEED_ARRAY, DEL_MAGIC,
    DEL_VERSION, NAME_FLOAT, START_STR, STOP_COMPOUND, START_2D, STOP_HUGE, START_EMPTY,
    DEL_NODE_IDS, NODE_IDS_SHORT, DATA_1D, N_FAULTS
};

/* What info says about each fault. */
static const char *const fault_why[N_FAULTS] = {
    [DEL_META] = "no /meta group",
    [DEL_COMPLETE] = "/meta: attribute complete is missing",
    [COMPLETE_STR] = "/meta: attribute complete holds strings, not a number",
    [COMPLETE_TWO] = "/meta: attribute complete is 2, not a value a run writes",
    [CONFIG_INT] = "/meta: attribute config holds integers, not a string",
    [SEED_ARRAY] = "/meta: attribute seed holds 3 values, not one",
    [DEL_MAGIC] = "not a hebbsleep run file (no root attribute magic = 0x0A7A)",
    [DEL_VERSION] = "root attribute version is missing or not 2 numbers",
    [NAME_FLOAT] = "dataset /phases/name is not a string dataset (it holds floats)",
    [START_STR] = "dataset /phases/start_ms is not numeric (it holds strings)",
    [STOP_COMPOUND] = "dataset /phases/stop_ms is not numeric (it holds compound records)",
    [START_2D] = "dataset /phases/start_ms is not 1-D (rank 2)",
    [STOP_HUGE] = "dataset /phases/stop_ms declares 1099511627776 elements, more than "
                   "the 536870912 hebbsleep reads",
    [START_EMPTY] = "/phases datasets differ in length (2, 2, 0, 2)",
    [DEL_NODE_IDS] = "no readable node_ids in /spikes/exc",
    [NODE_IDS_SHORT] = "/spikes/exc: 200 timestamps but 3 node_ids",
    [DATA_1D] = "dataset /report/exc/data is not 2-D (rank 1)",
};

static void apply_fault(hid_t f, int k)
{
    double d[6] = {1, 2, 3, 4, 5, 6};
    int32_t two = 2;
    hsize_t two_n = 2, three = 3, zero = 0, grid[2] = {2, 3};
    hid_t s3 = fixed_str(3), comp = H5Tcreate(H5T_COMPOUND, sizeof(double));
    H5Tinsert(comp, "a", 0, H5T_NATIVE_DOUBLE);
    switch (k) {
    case DEL_META: ck_assert_int_ge(H5Ldelete(f, "meta", H5P_DEFAULT), 0); break;
    case DEL_COMPLETE:
        ck_assert_int_ge(H5Adelete_by_name(f, "meta", "complete", H5P_DEFAULT), 0);
        break;
    case COMPLETE_STR: replace_attr(f, "meta", "complete", s3, 1, "yes"); break;
    case COMPLETE_TWO: replace_attr(f, "meta", "complete", H5T_NATIVE_INT32, 1, &two); break;
    case CONFIG_INT: replace_attr(f, "meta", "config", H5T_NATIVE_INT32, 1, &two); break;
    case SEED_ARRAY: replace_attr(f, "meta", "seed", H5T_NATIVE_DOUBLE, 3, d); break;
    case DEL_MAGIC: ck_assert_int_ge(H5Adelete(f, "magic"), 0); break;
    case DEL_VERSION: ck_assert_int_ge(H5Adelete(f, "version"), 0); break;
    case NAME_FLOAT: replace_ds(f, "/phases/name", H5T_NATIVE_DOUBLE, 1, &two_n, d); break;
    case START_STR: replace_ds(f, "/phases/start_ms", s3, 1, &two_n, "ab\0cd"); break;
    case STOP_COMPOUND: replace_ds(f, "/phases/stop_ms", comp, 1, &two_n, d); break;
    case START_2D: replace_ds(f, "/phases/start_ms", H5T_NATIVE_DOUBLE, 2, grid, d); break;
    case STOP_HUGE: replace_huge(f, "/phases/stop_ms"); break;
    case START_EMPTY: replace_ds(f, "/phases/start_ms", H5T_NATIVE_DOUBLE, 1, &zero, d); break;
    case DEL_NODE_IDS:
        ck_assert_int_ge(H5Ldelete(f, "/spikes/exc/node_ids", H5P_DEFAULT), 0);
        break;
    case NODE_IDS_SHORT:
        replace_ds(f, "/spikes/exc/node_ids", H5T_NATIVE_DOUBLE, 1, &three, d);
        break;
    case DATA_1D: replace_ds(f, "/report/exc/data", H5T_NATIVE_DOUBLE, 1, &three, d); break;
    }
    H5Tclose(comp);
    H5Tclose(s3);
}

START_TEST(test_info_one_fault)
{
    char good[256], bad[256];
    snprintf(good, sizeof good, "%s", h5sample_path("run.h5"));
    snprintf(bad, sizeof bad, "%s", h5sample_path("fault.h5"));
    h5sample_write_run(good, 1);
    long size = h5sample_file_size(good);
    h5sample_truncated_copy(good, bad, size);
    hid_t f = H5Fopen(bad, H5F_ACC_RDWR, H5P_DEFAULT);
    ck_assert_int_ge(f, 0);
    apply_fault(f, _i);
    H5Fclose(f);
    assert_refused(bad, fault_why[_i], NULL, 1);
    ck_assert_int_eq(h5sample_open_ids(), 0);
}
END_TEST

/* Offset of the first occurrence of the n bytes of s in buf, or -1. */
static long find(const unsigned char *buf, long size, const char *s, long n)
{
    for (long i = 0; i + n <= size; i++)
        if (memcmp(buf + i, s, (size_t)n) == 0)
            return i;
    return -1;
}

/* The first object of the sample run's global heap (the variable-length
 * strings: /meta's version first) says it is 2^28 times as long as its
 * collection. HDF5 1.10 copies past the collection and crashes (H5HG_read);
 * info must refuse the file, and this process live on. */
START_TEST(test_info_heap_crashing_hdf5)
{
    const char *path = h5sample_path("heap.h5");
    h5sample_write_run(path, 1);
    long size = h5sample_file_size(path);
    unsigned char *buf = malloc((size_t)size);
    FILE *fp = fopen(path, "rb");
    ck_assert(buf && fp && fread(buf, 1, (size_t)size, fp) == (size_t)size);
    fclose(fp);
    /* collection: "GCOL", version, 3 reserved, size (8); then the first
     * object: index (2), references (2), reserved (4), size (8) */
    long at = find(buf, size, "GCOL", 4);
    ck_assert_int_ge(at, 0);
    ck_assert_int_le(at + 32, size);
    uint64_t coll = 0;
    for (int b = 7; b >= 0; b--)
        coll = coll << 8 | buf[at + 8 + b];
    uint64_t claim = coll << 28; /* far past any mapping: a crash, not a long copy */
    for (int b = 0; b < 8; b++)
        buf[at + 24 + b] = (unsigned char)(claim >> (8 * b));
    h5sample_write_bytes(path, buf, (size_t)size);
    free(buf);
    /* not quiet: a sanitizer in the child may report HDF5's overflow */
    assert_refused(path, "the file is corrupt", NULL, 0);
    ck_assert_int_eq(h5sample_open_ids(), 0);
}
END_TEST

/* Adds this file's tests to the h5out test case (see test_h5out.c). */
void h5in_hostile_tests_add(TCase *tc)
{
    tcase_add_test(tc, test_info_truncated);
    tcase_add_test(tc, test_info_junk_and_foreign);
    tcase_add_loop_test(tc, test_info_one_fault, 0, N_FAULTS);
    tcase_add_test(tc, test_info_heap_crashing_hdf5);
}
