/* config_testutil.c: helpers shared by the config tests. */
#include "config_testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *ct_tests_dir(void)
{
    static char dir[512];
    const char *env = getenv("HS_TESTS_DIR");
    if (env) {
        snprintf(dir, sizeof dir, "%s", env);
        return dir;
    }
    /* this source is tests/lib/config_testutil.c: two folders up */
    snprintf(dir, sizeof dir, "%s", __FILE__);
    for (int up = 0; up < 2; up++) {
        char *slash = strrchr(dir, '/');
        if (!slash) {
            snprintf(dir, sizeof dir, ".");
            break;
        }
        *slash = '\0';
    }
    return dir;
}

void ct_data_path(char *buf, size_t size, const char *rel)
{
    snprintf(buf, size, "%s/%s", ct_tests_dir(), rel);
}

hs_config *ct_load_ok(const char *path, const char *const *sets, size_t n_sets)
{
    hs_error err;
    hs_error_clear(&err);
    hs_config *c = config_load(path, sets, n_sets, &err);
    if (!c)
        ck_abort_msg("config_load(%s): %s", path, err.msg);
    return c;
}

/* Loads a file that must fail with HS_EINPUT; returns the message. */
const char *ct_load_fail(const char *path, const char *const *sets, size_t n_sets)
{
    static hs_error err;
    hs_error_clear(&err);
    hs_config *c = config_load(path, sets, n_sets, &err);
    if (c) {
        experiment_free(c);
        ck_abort_msg("%s: loaded, but should have failed", path);
    }
    ck_assert_int_eq(err.code, HS_EINPUT);
    ck_assert_msg(err.msg[0] != '\0', "%s: empty message", path);
    return err.msg;
}

char ct_tmp_dir[256];

void ct_tmp_setup(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(ct_tmp_dir, sizeof ct_tmp_dir, "%.200s/hs_config_XXXXXX",
             tmp && tmp[0] ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(ct_tmp_dir));
}

void ct_tmp_teardown(void)
{
    DIR *d = opendir(ct_tmp_dir);
    struct dirent *e;
    char p[sizeof ct_tmp_dir + 260];
    while (d && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            snprintf(p, sizeof p, "%s/%s", ct_tmp_dir, e->d_name);
            unlink(p);
        }
    }
    if (d)
        closedir(d);
    rmdir(ct_tmp_dir);
}

/* Writes len bytes to name in the temporary directory; path gets its path. */
void ct_tmp_write(const char *name, const void *data, size_t len, char *path,
                      size_t size)
{
    snprintf(path, size, "%s/%s", ct_tmp_dir, name);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

char *ct_file_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    ck_assert_int_ge(n, 0);
    rewind(f);
    char *buf = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

void ct_assert_msg_is(const char *msg, const char *want)
{
    size_t n = strlen(want);
    if (n > 0 && want[n - 1] == '*')
        ck_assert_msg(strncmp(msg, want, n - 1) == 0, "want %s\ngot  %s", want, msg);
    else
        ck_assert_msg(strcmp(msg, want) == 0, "want %s\ngot  %s", want, msg);
}

void ct_assert_has(const char *msg, const char *part)
{
    ck_assert_msg(strstr(msg, part) != NULL, "want '%s' in: %s", part, msg);
}

double ct_param(const hs_pop_config *p, const char *name)
{
    const neuron_type *t = p->model;
    int i = hs_params_find(t->params, t->n_params, name);
    ck_assert_msg(i >= 0, "%s has no parameter %s", t->name, name);
    return *hs_param_ptr(&t->params[i], (void *)p->params);
}

double ct_param_default(const hs_pop_config *p, const char *name)
{
    const neuron_type *t = p->model;
    int i = hs_params_find(t->params, t->n_params, name);
    ck_assert_int_ge(i, 0);
    return t->params[i].def;
}


double ct_rule_param(const hs_param_desc *d, size_t n, const double *params,
                     const char *name)
{
    int i = hs_params_find(d, n, name);
    ck_assert_msg(i >= 0, "no parameter %s", name);
    return *hs_param_ptr(&d[i], (void *)params);
}

void ct_h5_write_two(const char *path, const char *group, const char *a_name, const double *a,
                     size_t na, const char *b_name, hid_t b_file, hid_t b_mem, const void *b,
                     size_t nb)
{
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    ck_assert_int_ge(f, 0);
    hid_t g = H5Gcreate2(f, group, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hsize_t da[1] = {na}, db[1] = {nb};
    hid_t sa = H5Screate_simple(1, da, NULL), sb = H5Screate_simple(1, db, NULL);
    hid_t ds_a = H5Dcreate2(g, a_name, H5T_IEEE_F64LE, sa, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hid_t ds_b = H5Dcreate2(g, b_name, b_file, sb, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    ck_assert_int_ge(H5Dwrite(ds_a, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, a), 0);
    ck_assert_int_ge(H5Dwrite(ds_b, b_mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, b), 0);
    H5Dclose(ds_a);
    H5Dclose(ds_b);
    H5Sclose(sa);
    H5Sclose(sb);
    H5Gclose(g);
    H5Fclose(f);
}
