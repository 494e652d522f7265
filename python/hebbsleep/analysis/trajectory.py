"""The rat's clock and movement: phases, wake time, running speed and direction.

Units: times in ms, positions in cm, speeds in cm/s.
"""
from collections import namedtuple

import numpy as np

RUNNING_CM_S = 5.0   # faster is running (SCIENCE.md's awake-replay limit)

Phase = namedtuple("Phase", "name stage start_ms stop_ms")


def _phase_table(phases):
    """Names, stages, starts and stops (ms) of phases given as tuples or objects."""
    rows = []
    for p in phases:
        if hasattr(p, "start_ms"):
            rows.append((str(p.name), str(p.stage), float(p.start_ms), float(p.stop_ms)))
        else:
            name, stage, start, stop = p
            rows.append((str(name), str(stage), float(start), float(stop)))
    names = [r[0] for r in rows]
    stages = [r[1] for r in rows]
    start = np.array([r[2] for r in rows], dtype=float)
    stop = np.array([r[3] for r in rows], dtype=float)
    if np.any(stop < start) or np.any(start[1:] < stop[:-1]):
        raise ValueError("phases must be in time order, each with stop >= start, "
                         "not overlapping")
    return names, stages, start, stop


def on_track(phases, fields_from=None):
    """The phases with every wake phase not in fields_from relabelled stage
    "elsewhere" (``replay.fields_from``: it ran in another environment, so
    wake_time leaves it out and no events are sought in it). None: as given.

    Raises ValueError, as the C config does, for an empty list, a repeated
    name, or a name that is not a wake phase of the run.
    """
    if fields_from is None:
        return list(phases)
    names, stages, start, stop = _phase_table(phases)
    keep = list(fields_from)
    if not keep:
        raise ValueError("fields_from names no phase")
    for n in keep:
        if keep.count(n) > 1:
            raise ValueError(f"fields_from: {n!r} is listed twice")
        if n not in names or stages[names.index(n)] != "wake":
            raise ValueError(f"fields_from: {n!r} is not a wake phase of the run")
    return [Phase(n, "elsewhere" if s == "wake" and n not in keep else s, a, b)
            for n, s, a, b in zip(names, stages, start, stop)]


def wake_time(t_ms, phases):
    """Map run times onto wake time, the wake phases laid end to end.

    The rat's trajectory clock runs only in wake phases, so a sleep between two
    wake phases is neither time spent somewhere nor movement.

    Parameters
    ----------
    t_ms : array_like of float
        Run times (ms from the start of the run), any order.
    phases : sequence
        Phases as ``(name, stage, start_ms, stop_ms)`` tuples or objects with
        those attributes, in time order; a phase covers [start_ms, stop_ms).

    Returns
    -------
    t_wake : ndarray of float
        Wake time (ms) of each time; NaN outside wake phases.
    """
    t = np.asarray(t_ms, dtype=float)
    _, stages, start, stop = _phase_table(phases)
    is_wake = np.array([s == "wake" for s in stages], dtype=bool)
    dur = np.where(is_wake, stop - start, 0.0)
    offset = np.concatenate(([0.0], np.cumsum(dur)[:-1])) if len(dur) else dur
    out = np.full(t.shape, np.nan)
    if len(start) == 0:
        return out
    # side="right": a zero-length phase never claims a time
    k = np.searchsorted(start, t, side="right") - 1
    ok = k >= 0
    kk = np.where(ok, k, 0)
    ok &= (t < stop[kk]) & is_wake[kk]
    out[ok] = offset[kk[ok]] + (t[ok] - start[kk[ok]])
    return out


def running_speed(t_ms, x_cm, lap=None):
    """Speed of each trajectory sample, as the C detector measures it.

    |dx| / dt to the next sample of the same lap, else from the previous one,
    else 0 (a sample alone in its lap): a one-way rat carried back to the
    start between laps is not running.

    Parameters
    ----------
    t_ms : array_like of float
        Sample times (ms, increasing; wake time for a simulated rat).
    x_cm : array_like of float
        Positions (cm).
    lap : array_like of int, optional
        Lap index of each sample; None: one lap.

    Returns
    -------
    speed : ndarray of float
        Speed (cm/s) of each sample.
    """
    t = np.asarray(t_ms, dtype=float)
    x = np.asarray(x_cm, dtype=float)
    n = len(t)
    lap = np.zeros(n, dtype=np.int64) if lap is None else np.asarray(lap)
    a = np.arange(n)
    b = np.arange(n)
    if n > 1:
        same = lap[1:] == lap[:-1]          # sample k and k + 1 share a lap
        nxt = np.concatenate((same, [False]))
        prv = np.concatenate(([False], same))
        b[nxt] += 1
        a[~nxt & prv] -= 1
    speed = np.zeros(n)
    m = b > a
    speed[m] = np.abs(x[b[m]] - x[a[m]]) / (1e-3 * (t[b[m]] - t[a[m]]))
    return speed


def running_direction(t_ms, x_cm, min_speed_cm_s=RUNNING_CM_S):
    """Running direction of recorded positions: +1, -1, or 0 (slower than min_speed_cm_s).

    For tracked rats whose files carry no direction. The velocity is the
    central difference of the positions (cm/s).

    Parameters
    ----------
    t_ms, x_cm : array_like of float
        Sample times (ms, increasing) and positions (cm).
    min_speed_cm_s : float
        Slower samples are paused (cm/s); 5 as in the C detector.

    Returns
    -------
    direction : ndarray of int8
    """
    t = np.asarray(t_ms, dtype=float)
    x = np.asarray(x_cm, dtype=float)
    if len(t) < 2:
        return np.zeros(len(t), dtype=np.int8)
    v = np.gradient(x, 1e-3 * t)
    d = np.sign(v).astype(np.int8)
    d[np.abs(v) <= min_speed_cm_s] = 0
    return d


def mean_running_speed(speed_cm_s):
    """Mean of the speeds above 5 cm/s (cm/s); 0 when the rat never ran."""
    s = np.asarray(speed_cm_s, dtype=float)
    s = s[s > RUNNING_CM_S]
    return float(s.mean()) if len(s) else 0.0
