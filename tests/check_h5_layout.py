#!/usr/bin/python3
"""Checks that a hebbsleep run file follows the layout of DESIGN.md ("The HDF5
file"): SONATA spikes and reports to the letter, /meta, /phases, and when
present the behaviour /behavior, the place fields /place_fields/<population>,
the weight snapshots /weights/<projection>/<snapshot>, the replay events
/replay/events, the REM template matching /replay/template and the slow
oscillation's up states /sleep/up_states.

Usage: check_h5_layout.py FILE [--expect-complete 0|1]

Runs on Debian's python3-h5py and python3-numpy. Exits 0 when the file
passes, 1 listing every problem found.
"""
import re
import sys

import h5py
import numpy as np

MAGIC = 0x0A7A
SNAPSHOT_NAME = re.compile(r"\d{6}")
SORTING = {"none": 0, "by_id": 1, "by_time": 2}


class Checker:
    def __init__(self):
        self.problems = []

    def expect(self, ok, what):
        if not ok:
            self.problems.append(what)
        return ok

    def dtype(self, obj, name, want):
        return self.expect(obj.dtype == np.dtype(want),
                           f"{name}: dtype {obj.dtype}, want {want}")

    def str_attr(self, obj, name, key, value=None):
        if not self.expect(key in obj.attrs, f"{name}: no attribute {key}"):
            return None
        v = obj.attrs[key]
        if not self.expect(isinstance(v, str), f"{name}.{key}: {type(v).__name__}, want str"):
            return None
        if value is not None:
            self.expect(v == value, f"{name}.{key} = {v!r}, want {value!r}")
        return v

    def num_attr(self, obj, name, key, want):
        if not self.expect(key in obj.attrs, f"{name}: no attribute {key}"):
            return None
        v = obj.attrs[key]
        self.expect(np.asarray(v).dtype == np.dtype(want),
                    f"{name}.{key}: dtype {np.asarray(v).dtype}, want {want}")
        return v


def check_root(c, f):
    magic = c.num_attr(f, "/", "magic", "uint32")
    if magic is not None:
        c.expect(int(magic) == MAGIC, f"/.magic = {magic:#x}, want {MAGIC:#x}")
    version = c.num_attr(f, "/", "version", "uint32")
    if version is not None:
        c.expect(list(np.asarray(version)) == [0, 1], f"/.version = {version}, want [0, 1]")


def check_extendible(c, ds, name):
    c.expect(ds.chunks is not None, f"{name}: not chunked")
    c.expect(ds.maxshape[0] is None, f"{name}: first axis not unlimited")


def check_sorting(c, grp, name):
    if not c.expect("sorting" in grp.attrs, f"{name}: no attribute sorting"):
        return None
    tid = grp.attrs.get_id("sorting").get_type()
    dt = h5py.check_enum_dtype(grp.attrs.get_id("sorting").dtype)
    c.expect(isinstance(tid, h5py.h5t.TypeEnumID), f"{name}.sorting: not an HDF5 enum")
    c.expect(dt == SORTING, f"{name}.sorting: members {dt}, want {SORTING}")
    if isinstance(tid, h5py.h5t.TypeEnumID):
        c.expect(tid.get_super().get_size() == 1 and
                 tid.get_super().get_sign() == h5py.h5t.SGN_NONE,
                 f"{name}.sorting: base type not uint8")
    return int(grp.attrs["sorting"])


def check_spikes(c, f):
    for pop, grp in f.get("spikes", {}).items():
        name = f"/spikes/{pop}"
        sorting = check_sorting(c, grp, name)
        if not c.expect("timestamps" in grp and "node_ids" in grp,
                        f"{name}: timestamps or node_ids missing"):
            continue
        t, ids = grp["timestamps"], grp["node_ids"]
        c.dtype(t, f"{name}/timestamps", "float64")
        c.dtype(ids, f"{name}/node_ids", "uint64")
        c.str_attr(t, f"{name}/timestamps", "units", "ms")
        check_extendible(c, t, f"{name}/timestamps")
        check_extendible(c, ids, f"{name}/node_ids")
        c.expect(t.shape == ids.shape and t.ndim == 1,
                 f"{name}: timestamps {t.shape} and node_ids {ids.shape} differ")
        if sorting == SORTING["by_time"]:
            c.expect(bool(np.all(np.diff(t[:]) >= 0)), f"{name}: sorting by_time, times not")
        if "n_nodes" in grp.attrs:
            c.num_attr(grp, name, "n_nodes", "uint64")


def check_mapping(c, m, name, n_values, n_rows):
    for key in ("node_ids", "index_pointers", "element_ids", "time"):
        if not c.expect(key in m, f"{name}/mapping/{key} missing"):
            return
    nodes, ptr, elem, time = m["node_ids"], m["index_pointers"], m["element_ids"], m["time"]
    c.dtype(nodes, f"{name}/mapping/node_ids", "uint64")
    c.dtype(ptr, f"{name}/mapping/index_pointers", "uint64")
    c.dtype(elem, f"{name}/mapping/element_ids", "uint32")
    c.dtype(time, f"{name}/mapping/time", "float64")
    n = nodes.shape[0]
    c.expect(ptr.shape == (n + 1,), f"{name}: index_pointers {ptr.shape}, want ({n + 1},)")
    if ptr.shape == (n + 1,):
        c.expect(bool(np.all(ptr[:] == np.arange(n + 1))), f"{name}: index_pointers not 0..n")
    c.expect(elem.shape == (n,) and not np.any(elem[:]), f"{name}: element_ids not n zeros")
    c.expect(n == n_values, f"{name}: {n} nodes but {n_values} values per row")
    c.str_attr(time, f"{name}/mapping/time", "units", "ms")
    if c.expect(time.shape == (3,), f"{name}/mapping/time: shape {time.shape}, want (3,)"):
        start, stop, dt = time[:]
        c.expect(dt > 0, f"{name}/mapping/time: dt = {dt}")
        c.expect(np.isclose(stop, start + n_rows * dt),
                 f"{name}/mapping/time: stop {stop} != start + {n_rows} * dt")


def check_reports(c, f):
    for pop, grp in f.get("report", {}).items():
        name = f"/report/{pop}"
        if not c.expect("data" in grp and "mapping" in grp, f"{name}: data or mapping missing"):
            continue
        data = grp["data"]
        c.dtype(data, f"{name}/data", "float32")
        c.expect(data.ndim == 2, f"{name}/data: rank {data.ndim}, want 2")
        c.str_attr(data, f"{name}/data", "units")
        c.str_attr(data, f"{name}/data", "variable")
        check_extendible(c, data, f"{name}/data")
        if data.ndim == 2:
            check_mapping(c, grp["mapping"], name, data.shape[1], data.shape[0])


def check_meta(c, f, expect_complete):
    if not c.expect("meta" in f, "/meta missing"):
        return
    m = f["meta"]
    for key in ("version", "git_commit", "config", "overrides"):
        c.str_attr(m, "/meta", key)
    created = c.str_attr(m, "/meta", "created")
    if created is not None:
        c.expect(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", created) is not None,
                 f"/meta.created = {created!r}, not ISO 8601 UTC")
    c.num_attr(m, "/meta", "seed", "uint64")
    c.num_attr(m, "/meta", "threads", "int32")
    c.num_attr(m, "/meta", "wall_s", "float64")
    complete = c.num_attr(m, "/meta", "complete", "int32")
    if complete is not None and expect_complete is not None:
        c.expect(int(complete) == expect_complete,
                 f"/meta.complete = {complete}, want {expect_complete}")


def check_phases(c, f):
    if "phases" not in f:
        return
    p = f["phases"]
    lengths = set()
    for key in ("name", "stage"):
        if c.expect(key in p, f"/phases/{key} missing"):
            c.expect(h5py.check_string_dtype(p[key].dtype) is not None,
                     f"/phases/{key}: not strings")
            lengths.add(p[key].shape)
    for key in ("start_ms", "stop_ms"):
        if c.expect(key in p, f"/phases/{key} missing"):
            c.dtype(p[key], f"/phases/{key}", "float64")
            c.str_attr(p[key], f"/phases/{key}", "units", "ms")
            lengths.add(p[key].shape)
    c.expect(len(lengths) <= 1, f"/phases: datasets differ in length {lengths}")


def check_columns(c, g, name, columns):
    """Checks the 1-D datasets of group g, given as (key, dtype, units; dtype
    None: any), and that their lengths agree; returns {key: values} of the
    numeric ones present."""
    values, lengths = {}, {}
    for key, want, units in columns:
        if not c.expect(key in g, f"{name}/{key} missing"):
            continue
        ds = g[key]
        if not c.expect(isinstance(ds, h5py.Dataset), f"{name}/{key}: not a dataset"):
            continue
        if want is not None:
            c.dtype(ds, f"{name}/{key}", want)
        c.str_attr(ds, f"{name}/{key}", "units", units)
        if not c.expect(ds.ndim == 1, f"{name}/{key}: rank {ds.ndim}, want 1"):
            continue
        lengths[key] = ds.shape[0]
        if ds.dtype.kind in "iuf":
            values[key] = ds[:]
    c.expect(len(set(lengths.values())) <= 1, f"{name}: lengths differ: " +
             ", ".join(f"{key} {n}" for key, n in lengths.items()))
    return values


def expect_none(c, bad, what):
    """Records what (with the index of the first) when any of bad is set."""
    if bad.any():
        c.expect(False, f"{what} (first at [{int(np.flatnonzero(bad)[0])}])")


def check_directions(c, d, name):
    expect_none(c, ~np.isin(d, (-1, 0, 1)), f"{name}: values other than +1, -1 and 0")


def check_behavior(c, f):
    if "behavior" not in f:
        return
    if not c.expect(isinstance(f["behavior"], h5py.Group), "/behavior: not a group"):
        return
    v = check_columns(c, f["behavior"], "/behavior",
                      (("time", "float64", "ms"), ("position", "float64", "cm"),
                       ("lap", "uint32", ""), ("direction", "int8", "")))
    if "time" in v:
        t = v["time"].astype(float)
        expect_none(c, ~np.isfinite(t), "/behavior/time: not finite")
        expect_none(c, np.concatenate(([False], ~(np.diff(t) > 0))),
                    "/behavior/time: not increasing")
    if "position" in v:
        expect_none(c, ~np.isfinite(v["position"].astype(float)),
                    "/behavior/position: not finite")
    if "direction" in v:
        check_directions(c, v["direction"], "/behavior/direction")
    if any(k in f["behavior"] for k in ("segment", "x", "y", "segments")):
        check_geometry(c, f["behavior"])


def check_segments(c, g):
    """Checks the segment table /behavior/segments; returns its rows or None."""
    name = "/behavior/segments"
    if not c.expect(isinstance(g, h5py.Group), f"{name}: not a group"):
        return None
    v = check_columns(c, g, name, tuple((k, "float64", "cm") for k in (
        "x0", "y0", "x1", "y1", "offset_cm", "length_cm")))
    rows = {len(x) for x in v.values()}
    if c.expect("name" in g, f"{name}/name missing"):
        c.expect(h5py.check_string_dtype(g["name"].dtype) is not None,
                 f"{name}/name: not strings")
        rows.add(g["name"].shape[0] if g["name"].ndim == 1 else -1)
    c.expect(len(rows) <= 1, f"{name}: columns differ in length {rows}")
    for key, x in v.items():
        expect_none(c, ~np.isfinite(x.astype(float)), f"{name}/{key}: not finite")
    if "length_cm" in v:
        expect_none(c, ~(v["length_cm"].astype(float) > 0), f"{name}/length_cm: not > 0")
    return rows.pop() if len(rows) == 1 else None


def check_geometry(c, b):
    """The maze geometry under /behavior: segment, x and y as long as time,
    segment ids rows of /behavior/segments."""
    v = check_columns(c, b, "/behavior",
                      (("time", "float64", "ms"), ("segment", "uint8", ""),
                       ("x", "float64", "cm"), ("y", "float64", "cm")))
    for key in ("x", "y"):
        if key in v:
            expect_none(c, ~np.isfinite(v[key].astype(float)), f"/behavior/{key}: not finite")
    rows = None
    if c.expect("segments" in b, "/behavior/segments missing"):
        rows = check_segments(c, b["segments"])
    if "segment" in v and rows is not None:
        expect_none(c, v["segment"] >= rows,
                    f"/behavior/segment: not a row of /behavior/segments ({rows} rows)")


def check_fields(c, g, name):
    v = check_columns(c, g, name,
                      (("center_cm", "float64", "cm"), ("width_cm", "float64", "cm"),
                       ("peak_hz", "float64", "Hz"), ("direction", "int8", "")))
    if "width_cm" in g:
        c.str_attr(g["width_cm"], f"{name}/width_cm", "definition",
                   "sigma of the Gaussian field")
    if "direction" in v:
        check_directions(c, v["direction"], f"{name}/direction")
    if not all(k in v for k in ("center_cm", "width_cm", "peak_hz")) or \
            len({len(v[k]) for k in ("center_cm", "width_cm", "peak_hz")}) != 1:
        return
    center, width, peak = (v[k].astype(float) for k in ("center_cm", "width_cm", "peak_hz"))
    field = np.isfinite(center)
    expect_none(c, np.isinf(center), f"{name}/center_cm: infinite")
    expect_none(c, field & ~(width > 0), f"{name}/width_cm: not > 0 for a field")
    expect_none(c, field & ~(peak >= 0), f"{name}/peak_hz: not >= 0 for a field")


def check_place_fields(c, f):
    for pop, grp in f.get("place_fields", {}).items():
        name = f"/place_fields/{pop}"
        if c.expect(isinstance(grp, h5py.Group), f"{name}: not a group"):
            check_fields(c, grp, name)


def check_snapshot(c, g, name, units):
    """Checks one weight snapshot group; returns its t_ms, or None."""
    arrays = []
    for key, want in (("pre", "uint64"), ("post", "uint64"), ("weight", "float64")):
        if not c.expect(key in g, f"{name}: {key} missing"):
            continue
        ds = g[key]
        arrays.append((key, ds))
        c.dtype(ds, f"{name}/{key}", want)
        c.expect(ds.ndim == 1, f"{name}/{key}: rank {ds.ndim}, want 1")
    if "weight" in g:
        c.str_attr(g["weight"], f"{name}/weight", "units", units)
    shapes = {ds.shape for _, ds in arrays}
    c.expect(len(shapes) <= 1, f"{name}: lengths differ: " +
             ", ".join(f"{key} {ds.shape}" for key, ds in arrays))
    c.str_attr(g, name, "phase")
    t = c.num_attr(g, name, "t_ms", "float64")
    return None if t is None else float(t)


def check_projection(c, grp, name):
    c.str_attr(grp, name, "pre_population")
    c.str_attr(grp, name, "post_population")
    units = c.str_attr(grp, name, "units")
    last = None
    for snap in sorted(grp.keys()):
        sname = f"{name}/{snap}"
        c.expect(SNAPSHOT_NAME.fullmatch(snap) is not None,
                 f"{sname}: name is not six digits")
        if not c.expect(isinstance(grp[snap], h5py.Group), f"{sname}: not a group"):
            continue
        t = check_snapshot(c, grp[snap], sname, units)
        if t is None:
            continue
        if last is not None:
            c.expect(t >= last[1],
                     f"{name}: t_ms decreases from {last[0]} ({last[1]}) to {snap} ({t})")
        last = (snap, t)


def check_weights(c, f):
    for proj, grp in f.get("weights", {}).items():
        name = f"/weights/{proj}"
        if c.expect(isinstance(grp, h5py.Group), f"{name}: not a group"):
            check_projection(c, grp, name)


REPLAY_COLUMNS = (
    ("start_ms", "float64", "ms"), ("stop_ms", "float64", "ms"), ("n_cells", "uint32", ""),
    ("rank_corr", "float64", ""), ("p_value", "float64", ""), ("score", "float64", ""),
    ("direction", "int8", ""), ("slope_cm_per_s", "float64", "cm/s"),
    ("compression", "float64", ""), ("significant", "uint8", ""),
    ("p_shift", "float64", ""), ("p_perm", "float64", ""), ("peak_ms", "float64", "ms"),
    ("in_up_state", "int8", ""))


def check_replay(c, f):
    """/replay/events: one row per event, in time order, each in a phase."""
    if "replay" not in f:
        return
    name = "/replay/events"
    c.expect("events" in f["replay"] or "template" in f["replay"],
             "/replay: neither events nor template")
    if "events" not in f["replay"] or \
            not c.expect(isinstance(f["replay"]["events"], h5py.Group), f"{name}: not a group"):
        return
    g = f["replay"]["events"]
    c.str_attr(g, name, "population")
    c.num_attr(g, name, "alpha", "float64")
    c.num_attr(g, name, "n_perm", "uint64")
    c.num_attr(g, name, "n_shuffle", "uint64")
    c.num_attr(g, name, "bin_cm", "float64")
    c.num_attr(g, name, "tbin_ms", "float64")
    v = check_columns(c, g, name, REPLAY_COLUMNS)
    rows = {len(x) for x in v.values()}
    if c.expect("phase" in g, f"{name}/phase missing"):
        c.expect(h5py.check_string_dtype(g["phase"].dtype) is not None,
                 f"{name}/phase: not strings")
        c.str_attr(g["phase"], f"{name}/phase", "units", "")
        rows.add(g["phase"].shape[0] if g["phase"].ndim == 1 else -1)
        if "phases" in f and "name" in f["phases"]:
            known = set(f["phases"]["name"].asstr()[:])
            bad = np.array([p not in known for p in g["phase"].asstr()[:]], dtype=bool)
            expect_none(c, bad, f"{name}/phase: not a phase of /phases/name")
    c.expect(len(rows) <= 1, f"{name}: columns differ in length {rows}")
    if "start_ms" in v and "stop_ms" in v and len(v["start_ms"]) == len(v["stop_ms"]):
        a, b = v["start_ms"], v["stop_ms"]
        expect_none(c, ~(np.isfinite(a) & np.isfinite(b) & (a <= b)),
                    f"{name}: start_ms and stop_ms not finite with start <= stop")
        expect_none(c, np.concatenate(([False], np.diff(a) < 0)),
                    f"{name}/start_ms: not in time order")
    if "direction" in v:
        check_directions(c, v["direction"], f"{name}/direction")
    if "significant" in v:
        expect_none(c, v["significant"] > 1, f"{name}/significant: not 0 or 1")
    if "in_up_state" in v:
        expect_none(c, ~np.isin(v["in_up_state"], (-1, 0, 1)),
                    f"{name}/in_up_state: values other than +1, 0 and -1")
    if all(k in v for k in ("start_ms", "stop_ms", "peak_ms")) and \
            len({len(v[k]) for k in ("start_ms", "stop_ms", "peak_ms")}) == 1:
        a, b, p = v["start_ms"], v["stop_ms"], v["peak_ms"]
        expect_none(c, ~((p >= a) & (p <= b)), f"{name}/peak_ms: outside [start_ms, stop_ms]")


def check_phase_names(c, f, ds, name):
    """ds holds strings, each a row of /phases/name."""
    if not c.expect(h5py.check_string_dtype(ds.dtype) is not None, f"{name}: not strings"):
        return
    if "phases" in f and "name" in f["phases"]:
        known = set(f["phases"]["name"].asstr()[:])
        bad = np.array([p not in known for p in ds.asstr()[:]], dtype=bool)
        expect_none(c, bad, f"{name}: not a phase of /phases/name")


TEMPLATE_TABLES = ("factor", "r_max", "z", "p", "t_best_ms")


def check_template(c, f):
    """/replay/template: one row per phase scanned, [n, n_factors] tables."""
    if "replay" not in f or "template" not in f["replay"]:
        return
    name = "/replay/template"
    g = f["replay"]["template"]
    if not c.expect(isinstance(g, h5py.Group), f"{name}: not a group"):
        return
    c.str_attr(g, name, "population")
    c.str_attr(g, name, "note")
    for key in ("bin_ms", "lap_ms"):
        c.num_attr(g, name, key, "float64")
    for key in ("n_shuffle", "n_factors", "n_cells", "n_bins", "n_laps"):
        c.num_attr(g, name, key, "uint64")
    v = check_columns(c, g, name, (("best_factor", "float64", ""), ("p_best", "float64", "")))
    rows = {len(x) for x in v.values()}
    if c.expect("phase" in g, f"{name}/phase missing"):
        check_phase_names(c, f, g["phase"], f"{name}/phase")
        c.str_attr(g["phase"], f"{name}/phase", "units", "")
        rows.add(g["phase"].shape[0] if g["phase"].ndim == 1 else -1)
    c.expect(len(rows) <= 1, f"{name}: columns differ in length {rows}")
    n = rows.pop() if len(rows) == 1 else None
    for key in TEMPLATE_TABLES:
        if not c.expect(key in g and isinstance(g[key], h5py.Dataset), f"{name}/{key} missing"):
            continue
        ds = g[key]
        c.dtype(ds, f"{name}/{key}", "float64")
        c.str_attr(ds, f"{name}/{key}", "units", "ms" if key == "t_best_ms" else "")
        c.str_attr(ds, f"{name}/{key}", "definition")
        if c.expect(ds.ndim == 2, f"{name}/{key}: rank {ds.ndim}, want 2") and n is not None:
            c.expect(ds.shape[0] == n, f"{name}/{key}: {ds.shape[0]} rows, want {n}")
    if "p_best" in v:
        expect_none(c, ~((v["p_best"] >= 0) & (v["p_best"] <= 1)),
                    f"{name}/p_best: not in [0, 1]")
    if "p" in g and g["p"].ndim == 2:
        p = g["p"][:]
        expect_none(c, ~((p >= 0) & (p <= 1)).ravel(), f"{name}/p: not in [0, 1]")


def check_up_states(c, f):
    """/sleep/up_states: extendible columns of up states, each in a phase."""
    if "sleep" not in f:
        return
    name = "/sleep/up_states"
    if not c.expect("up_states" in f["sleep"] and isinstance(f["sleep"]["up_states"], h5py.Group),
                    f"{name}: missing or not a group"):
        return
    g = f["sleep"]["up_states"]
    v = check_columns(c, g, name, (("start_ms", "float64", "ms"), ("stop_ms", "float64", "ms"),
                                   ("phase", None, ""), ("population", None, "")))
    for key in ("start_ms", "stop_ms", "phase", "population"):
        if key in g:
            check_extendible(c, g[key], f"{name}/{key}")
    if "phase" in g:
        check_phase_names(c, f, g["phase"], f"{name}/phase")
    if "population" in g:
        c.expect(h5py.check_string_dtype(g["population"].dtype) is not None,
                 f"{name}/population: not strings")
    if "start_ms" in v and "stop_ms" in v and len(v["start_ms"]) == len(v["stop_ms"]):
        a, b = v["start_ms"], v["stop_ms"]
        expect_none(c, ~(np.isfinite(a) & np.isfinite(b) & (a <= b)),
                    f"{name}: start_ms and stop_ms not finite with start <= stop")


def main(argv):
    if len(argv) not in (2, 4) or (len(argv) == 4 and argv[2] != "--expect-complete"):
        print(__doc__.strip().splitlines()[3], file=sys.stderr)
        return 2
    expect_complete = int(argv[3]) if len(argv) == 4 else None
    c = Checker()
    with h5py.File(argv[1], "r") as f:
        check_root(c, f)
        check_spikes(c, f)
        check_reports(c, f)
        check_meta(c, f, expect_complete)
        check_phases(c, f)
        check_behavior(c, f)
        check_place_fields(c, f)
        check_weights(c, f)
        check_replay(c, f)
        check_template(c, f)
        check_up_states(c, f)
    for p in c.problems:
        print(f"{argv[1]}: {p}", file=sys.stderr)
    return 1 if c.problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
