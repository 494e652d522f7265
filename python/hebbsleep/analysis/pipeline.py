"""Replay detection over a whole run on arrays (replay/analysis.h)."""
import numpy as np

from .decoding import replay_score
from .events import candidate_events
from .fields import place_fields
from .rank import rank_order
from .trajectory import _phase_table, mean_running_speed, on_track, running_speed, wake_time


def _stream(seed, event, kind):
    """The event's own generator: results do not depend on the other events."""
    return np.random.default_rng([int(seed), int(event), kind])


def _sorted_spikes(t_ms, ids):
    t = np.asarray(t_ms, dtype=float)
    ids = np.asarray(ids, dtype=np.int64)
    o = np.lexsort((ids, t))
    return t[o], ids[o]


def detect_arrays(spike_t_ms, spike_ids, n_cells, phases, traj_t_ms, traj_x_cm, traj_dir,
                  traj_lap=None, *, track_cm, run_dir=0, bin_cm=2.5, tbin_ms=15.0,
                  n_perm=1000, n_shuffle=500, min_peak_hz=1.0, seed=0, fields=None,
                  fields_from=None):
    """Replay detection over a whole run (replay/analysis.h), on arrays.

    Place fields come from the spikes of the wake phases against the
    trajectory, both in wake time; candidate events are sought in every phase
    (with the speed filter in wake phases); each is scored by rank order
    against every running direction (with two, the smaller p is kept and
    doubled: Bonferroni) and by decoding the place cells against their maps.

    Parameters
    ----------
    spike_t_ms, spike_ids : array_like
        Spikes of the analysed (excitatory) population: run time (ms), cell ids
        (< n_cells); any order.
    n_cells : int
        Cells in the population.
    phases : sequence
        ``(name, stage, start_ms, stop_ms)`` tuples or objects, in time order;
        stage "wake" marks the phases the trajectory's clock runs in.
    traj_t_ms, traj_x_cm, traj_dir : array_like
        The rat: run time (ms, increasing), position (cm from the track's
        start), running direction (+1, -1, 0 paused; see ``running_direction``
        for recorded data). Samples outside wake phases are ignored.
    traj_lap : array_like of int, optional
        Lap of each sample (speeds are not taken across laps); None: one lap.
    track_cm : float
        Track length (cm).
    run_dir : int
        +1 or -1: a one-way track run that way; 0: run both ways.
    bin_cm, tbin_ms : float
        Position bin (cm) and decoding time bin (ms).
    n_perm, n_shuffle : int
        Rank-order permutations and decoding shuffles of each kind.
    min_peak_hz : float
        Place-cell criterion (Hz).
    seed : int
        Keys every event's shuffles, with the event's number.
    fields : PlaceFields, optional
        Use these instead of estimating them (spike ids must index them).
    fields_from : sequence of str, optional
        The wake phases on this track (``replay.fields_from``); the other wake
        phases ran elsewhere (another environment): their running gives no
        fields and their events are not sought. None: every wake phase.

    Returns
    -------
    dict
        Columns like /replay/events, one row per event in time order:
        start_ms, stop_ms, peak_ms (ms), phase (name), phase_index, n_cells,
        rank_corr, p_value, direction (+1 forward, -1 reverse, 0), score,
        slope_cm_per_s, compression, significant, p_shift, p_perm; and, not
        columns, ``fields`` (PlaceFields or None), ``mean_speed_cm_s``.
    """
    phases = on_track(phases, fields_from)
    names, stages, start, stop = _phase_table(phases)
    t, ids = _sorted_spikes(spike_t_ms, spike_ids)
    if len(ids) and ids.max() >= n_cells:
        raise ValueError("spike ids must be < n_cells")
    tt = np.asarray(traj_t_ms, dtype=float)
    tw = wake_time(tt, phases)
    w = ~np.isnan(tw)
    lap = None if traj_lap is None else np.asarray(traj_lap)[w]
    x = np.asarray(traj_x_cm, dtype=float)[w]
    d = np.asarray(traj_dir)[w]
    speed = running_speed(tw[w], x, lap)
    mean_speed = mean_running_speed(speed)
    rows = []
    if fields is None and w.sum() >= 2:
        sw = wake_time(t, phases)
        ok = ~np.isnan(sw)
        fields = place_fields(sw[ok], ids[ok], n_cells, tw[w], x, d, track_cm=track_cm,
                              bin_cm=bin_cm, run_dir=run_dir, min_peak_hz=min_peak_hz)
    if fields is not None and fields.n_place > 0:
        for k in range(len(names)):
            if stages[k] == "elsewhere" or np.floor((stop[k] - start[k]) / 5.0) < 3:
                continue
            lo, hi = np.searchsorted(t, [start[k], stop[k]])
            awake = stages[k] == "wake" and w.sum() > 0
            ev = candidate_events(t[lo:hi], ids[lo:hi], n_cells, start[k], stop[k],
                                  is_place=fields.is_place,
                                  speed_t_ms=tt[w] if awake else None,
                                  speed_cm_s=speed if awake else None)
            for j in range(len(ev["start_ms"])):
                rows.append((k, ev["start_ms"][j], ev["stop_ms"][j], ev["peak_ms"][j],
                             ev["n_cells"][j]))
    out = _score_rows(rows, t, ids, fields, names, bin_cm, tbin_ms, n_perm, n_shuffle,
                      mean_speed, seed)
    out["fields"] = fields
    out["mean_speed_cm_s"] = mean_speed
    return out


def _score_rows(rows, t, ids, fields, names, bin_cm, tbin_ms, n_perm, n_shuffle, mean_speed,
                seed):
    cols = {c: [] for c in ("start_ms", "stop_ms", "peak_ms", "phase", "phase_index",
                            "n_cells", "rank_corr", "p_value", "direction", "score",
                            "slope_cm_per_s", "compression", "significant", "p_shift",
                            "p_perm")}
    for e, (k, a, z, peak, nc) in enumerate(rows):
        lo, hi = np.searchsorted(t, [a, z])
        et, eid = t[lo:hi], ids[lo:hi]
        best, best_dir = None, 0
        for di, dr in enumerate(fields.dirs):
            r = rank_order(et, eid, a, z, fields.centre_cm[di], n_perm=n_perm,
                           rng=_stream(seed, e, 0))
            if r.status == "ok" and (best is None or r.p < best.p):
                best, best_dir = r, dr
        place_row = np.full(fields.n_cells, -1)
        place_row[fields.place_ids] = np.arange(fields.n_place)
        pm = place_row[eid] >= 0
        dec = replay_score(et[pm], place_row[eid[pm]], a, z, fields.decode_maps, bin_cm,
                           tbin_ms=tbin_ms, n_shuffle=n_shuffle, mean_speed_cm_s=mean_speed,
                           rng=_stream(seed, e, 1))
        cols["start_ms"].append(a)
        cols["stop_ms"].append(z)
        cols["peak_ms"].append(peak)
        cols["phase"].append(names[k])
        cols["phase_index"].append(k)
        cols["n_cells"].append(nc)
        cols["rank_corr"].append(best.rho if best else np.nan)
        cols["p_value"].append(min(1.0, best.p * len(fields.dirs)) if best else 1.0)
        cols["direction"].append(best.direction * best_dir if best else 0)
        for c in ("score", "slope_cm_per_s", "compression", "p_shift", "p_perm"):
            cols[c].append(dec[c])
        cols["significant"].append(dec["significant"])
    types = dict(start_ms=float, stop_ms=float, peak_ms=float, phase=object,
                 phase_index=np.int64, n_cells=np.uint32, rank_corr=float, p_value=float,
                 direction=np.int8, score=float, slope_cm_per_s=float, compression=float,
                 significant=bool, p_shift=float, p_perm=float)
    return {c: np.array(v, dtype=types[c]) for c, v in cols.items()}
