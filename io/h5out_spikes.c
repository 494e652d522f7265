/* h5out_spikes.c: SONATA spike reports of the run file: /spikes/<pop>
 * created, appended to, cut back for a resumed run, read back (h5out.h). */
#include "h5out.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "h5out_file.h"
#include "h5util.h"

static hid_t sorting_type(void)
{
    hid_t t = H5Tenum_create(H5T_STD_U8LE);
    uint8_t v[3] = {SORT_NONE, SORT_BY_ID, SORT_BY_TIME};
    if (t < 0)
        return t;
    if (H5Tenum_insert(t, "none", &v[0]) < 0 || H5Tenum_insert(t, "by_id", &v[1]) < 0 ||
        H5Tenum_insert(t, "by_time", &v[2]) < 0) {
        H5Tclose(t);
        return -1;
    }
    return t;
}

static herr_t write_sorting(hid_t grp, uint8_t value)
{
    hid_t t = sorting_type();
    if (t < 0)
        return -1;
    herr_t rc = h5util_attr_write(grp, "sorting", t, t, &value);
    H5Tclose(t);
    return rc;
}

static int find_spikes(const h5out *f, const char *pop)
{
    for (size_t i = 0; i < f->n_spk; i++)
        if (strcmp(f->spk[i].pop, pop) == 0)
            return (int)i;
    return -1;
}

/* Creates /spikes/<pop> with its empty datasets into s (ids -1 on failure). */
static herr_t spikes_create(hid_t file, h5out_spk *s)
{
    hsize_t chunk = SPIKE_CHUNK;
    hid_t top = h5util_open_or_create_group(file, "spikes");
    if (top < 0)
        return -1;
    s->grp = H5Gcreate2(top, s->pop, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (H5Gclose(top) < 0 || s->grp < 0 || write_sorting(s->grp, SORT_BY_TIME) < 0)
        return -1;
    s->t = h5util_create_ext(s->grp, "timestamps", H5T_IEEE_F64LE, 1, 0, &chunk);
    if (s->t < 0 || h5util_attr_write_str(s->t, "units", "ms") < 0)
        return -1;
    s->id = h5util_create_ext(s->grp, "node_ids", H5T_STD_U64LE, 1, 0, &chunk);
    return s->id < 0 ? -1 : 0;
}

/* The next spike set of f, for pop (its objects not open yet); NULL with
 * err set when out of memory. */
static h5out_spk *new_spikes(h5out *f, const char *pop, hs_error *err)
{
    h5out_spk *grown = realloc(f->spk, (f->n_spk + 1) * sizeof *grown);
    if (grown)
        f->spk = grown;
    h5out_spk *s = grown ? &f->spk[f->n_spk] : NULL;
    if (s)
        *s = (h5out_spk){.pop = strdup(pop), .grp = -1, .t = -1, .id = -1,
                         .last_t = -INFINITY, .by_time = 1};
    if (!s || !s->pop) {
        hs_error_set(err, HS_ENOMEM, "%s: out of memory", f->path);
        return NULL;
    }
    return s;
}

/* Undoes new_spikes after a failure. */
static void drop_spikes(h5out_spk *s)
{
    h5out_close_id(&s->grp);
    h5out_close_id(&s->t);
    h5out_close_id(&s->id);
    free(s->pop);
}

int h5out_spikes_add(h5out *f, const char *pop, hs_error *err)
{
    int rc = h5out_check_writable(f, "/spikes/", pop, err);
    if (rc == HS_OK)
        rc = h5out_check_pop(f, pop, err);
    if (rc != HS_OK)
        return rc;
    if (find_spikes(f, pop) >= 0)
        return hs_error_at(err, HS_EINPUT, f->path, 0, 0,
                           "spikes of population '%s' added twice", pop);
    h5out_spk *s = new_spikes(f, pop, err);
    if (!s)
        return err->code;
    if (spikes_create(f->file, s) < 0) {
        rc = h5out_latch(f, h5util_fail_io(f->path, err, "/spikes/", pop));
        drop_spikes(s);
        return rc;
    }
    f->n_spk++;
    rc = h5out_flush(f, "/spikes/", pop, err);
    return rc == HS_OK ? (int)(f->n_spk - 1) : rc;
}

/* Marks the population unsorted (sorting = none) once times go backwards. */
static herr_t track_order(h5out_spk *s, const double *t_ms, size_t n)
{
    int sorted = s->by_time;
    for (size_t i = 0; i < n && sorted; i++) {
        if (t_ms[i] < s->last_t)
            sorted = 0;
        else
            s->last_t = t_ms[i];
    }
    if (sorted == s->by_time)
        return 0;
    s->by_time = 0;
    return write_sorting(s->grp, SORT_NONE);
}

int h5out_spikes_append(h5out *f, int h, const double *t_ms, const uint64_t *ids, size_t n,
                        hs_error *err)
{
    int rc = h5out_check_handle(f, h, f ? f->n_spk : 0, err);
    if (rc == HS_OK)
        rc = h5out_check_writable(f, "spikes of /spikes/", f->spk[h].pop, err);
    if (rc != HS_OK || n == 0)
        return rc;
    if (!t_ms || !ids)
        return hs_error_at(err, HS_EINTERNAL, f->path, 0, 0, "h5out: NULL spike arrays");
    h5out_spk *s = &f->spk[h];
    if (h5util_append_rows(s->t, H5T_NATIVE_DOUBLE, 1, s->n, n, 0, t_ms) < 0 ||
        h5util_append_rows(s->id, H5T_NATIVE_UINT64, 1, s->n, n, 0, ids) < 0 ||
        track_order(s, t_ms, n) < 0)
        return h5out_latch(f, h5util_fail_io(f->path, err, "spikes of /spikes/", s->pop));
    s->n += n;
    return h5out_flush(f, "spikes of /spikes/", f->spk[h].pop, err);
}

int h5out_spikes_set_size(h5out *f, int h, uint64_t n_nodes, hs_error *err)
{
    int rc = h5out_check_handle(f, h, f ? f->n_spk : 0, err);
    if (rc == HS_OK)
        rc = h5out_check_writable(f, "n_nodes of /spikes/", f->spk[h].pop, err);
    if (rc != HS_OK)
        return rc;
    h5out_spk *s = &f->spk[h];
    if (h5out_attr_u64(s->grp, "n_nodes", n_nodes) < 0)
        return h5out_latch(f, h5util_fail_io(f->path, err, "n_nodes of /spikes/", s->pop));
    return h5out_flush(f, "n_nodes of /spikes/", f->spk[h].pop, err);
}

static herr_t read_sorting(hid_t grp, hid_t type, uint8_t *v)
{
    hid_t a = H5Aopen(grp, "sorting", H5P_DEFAULT);
    herr_t rc = a < 0 ? -1 : H5Aread(a, type, v);
    if (a >= 0)
        H5Aclose(a);
    return rc;
}

int h5out_spikes_reopen(h5out *f, const char *pop, uint64_t keep, hs_error *err)
{
    int rc = h5out_check_file(f, err);
    if (rc == HS_OK)
        rc = h5out_check_pop(f, pop, err);
    if (rc != HS_OK)
        return rc;
    h5out_spk *s = new_spikes(f, pop, err);
    if (!s)
        return err->code;
    s->n = keep;
    char name[512];
    snprintf(name, sizeof name, "spikes/%s", pop);
    hsize_t had_t = 0, had_id = 0;
    uint8_t sorting = SORT_BY_TIME;
    hid_t st = sorting_type();
    if (H5Lexists(f->file, "spikes", H5P_DEFAULT) <= 0 ||
        H5Lexists(f->file, name, H5P_DEFAULT) <= 0 ||
        (s->grp = H5Gopen2(f->file, name, H5P_DEFAULT)) < 0 ||
        (s->t = h5out_open_cut(s->grp, "timestamps", keep, &had_t)) < 0 ||
        (s->id = h5out_open_cut(s->grp, "node_ids", keep, &had_id)) < 0 ||
        (keep && h5util_read_block(s->t, H5T_NATIVE_DOUBLE, keep - 1, 1, &s->last_t) < 0) ||
        st < 0 || read_sorting(s->grp, st, &sorting) < 0)
        rc = h5out_cut_failed(f, name, keep, "spikes", err);
    if (st >= 0)
        H5Tclose(st);
    s->by_time = sorting == SORT_BY_TIME;
    if (rc != HS_OK) {
        drop_spikes(s);
        return rc;
    }
    f->n_spk++;
    rc = h5out_flush(f, "/spikes/", pop, err);
    return rc == HS_OK ? (int)(f->n_spk - 1) : rc;
}

uint64_t h5out_spikes_count(const h5out *f, int h)
{
    return f->spk[h].n;
}

int h5out_spikes_read(h5out *f, int h, double *t_ms, uint64_t *ids, hs_error *err)
{
    const h5out_spk *s = &f->spk[h];
    if (s->n && (h5util_read_block(s->t, H5T_NATIVE_DOUBLE, 0, s->n, t_ms) < 0 ||
                 h5util_read_block(s->id, H5T_NATIVE_UINT64, 0, s->n, ids) < 0))
        return h5util_fail_input(f->path, err, "reading back /spikes/", s->pop);
    return HS_OK;
}
