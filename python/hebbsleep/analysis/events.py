"""Candidate replay events from the population rate (replay/events.h).

Units: times in ms, rates in Hz per cell, speeds in cm/s.
"""
import numpy as np

from .trajectory import RUNNING_CM_S


def _gauss_smooth(r, sigma_bins):
    """GSL's gsl_filter_gaussian with end padding, kernel +-ceil(3 sigma) bins."""
    half = int(np.ceil(3.0 * sigma_bins))
    if half == 0:
        return r.copy()
    w = np.exp(-0.5 * (np.arange(-half, half + 1) / sigma_bins) ** 2)
    w /= w.sum()
    return np.convolve(np.pad(r, half, mode="edge"), w, mode="valid")


def population_rate(spike_t_ms, n_cells, t0_ms, t1_ms, bin_ms=5.0, smooth_ms=10.0):
    """Smoothed population rate per cell (replay/events.h).

    Parameters
    ----------
    spike_t_ms : array_like of float
        Spike times (ms) of the population; those outside the window are ignored.
    n_cells : int
        Cells of the population (the rate is per cell).
    t0_ms, t1_ms : float
        The window (ms), cut to whole bins.
    bin_ms : float
        Rate bin (ms).
    smooth_ms : float
        SD of the Gaussian smoothing (ms), kernel +-3 SD, ends padded with the
        end values; 0: none.

    Returns
    -------
    rate : ndarray of float
        Rate (Hz per cell) in each bin [t0 + k bin_ms, t0 + (k + 1) bin_ms).
    """
    nb = int(np.floor((t1_ms - t0_ms) / bin_ms))
    if nb < 3:
        raise ValueError("the window holds fewer than 3 rate bins")
    t = np.asarray(spike_t_ms, dtype=float)
    t = t[(t >= t0_ms) & (t < t0_ms + nb * bin_ms)]
    b = np.minimum(((t - t0_ms) / bin_ms).astype(np.int64), nb - 1)
    rate = np.bincount(b, minlength=nb) * (1000.0 / (n_cells * bin_ms))
    return _gauss_smooth(rate, smooth_ms / bin_ms)


def candidate_events(spike_t_ms, spike_ids, n_cells, t0_ms, t1_ms, *, is_place=None,
                     speed_t_ms=None, speed_cm_s=None, bin_ms=5.0, smooth_ms=10.0, k_sd=3.0,
                     min_ms=50.0, max_ms=500.0, min_cells=5, max_speed_cm_s=RUNNING_CM_S):
    """Candidate replay events from the population rate (replay/events.h).

    An event is a run of bins with the smoothed rate above mean + k_sd SD (over
    the window's bins), extended on both sides to where the rate returns to the
    mean; it is kept when it lasts min_ms .. max_ms, holds >= min_cells distinct
    active (place) cells and, with a speed trace, the rat's mean speed during it
    is below max_speed_cm_s (Davidson, Kloosterman & Wilson 2009).

    Parameters
    ----------
    spike_t_ms, spike_ids : array_like
        Spike times (ms) and cells (< n_cells) of the whole population.
    n_cells : int
    t0_ms, t1_ms : float
        The window (ms), e.g. one phase; cut to whole bins, at least 3.
    is_place : array_like of bool, optional
        Only these cells count as active cells; None: every cell.
    speed_t_ms, speed_cm_s : array_like of float, optional
        The rat's speed (cm/s) at increasing times (ms, same clock as the
        spikes); None: no speed filter (sleep). The speed during an event is the
        mean of the samples inside it, else the speed interpolated at its middle.
    bin_ms, smooth_ms, k_sd, min_ms, max_ms, min_cells, max_speed_cm_s
        As in the C code's defaults: 5 ms, 10 ms, 3, 50 ms, 500 ms, 5, 5 cm/s.

    Returns
    -------
    dict of ndarray
        start_ms, stop_ms (bin edges where the rate meets the mean), peak_ms
        (centre of the bin of highest smoothed rate), peak_hz (Hz per cell),
        n_cells (active cells), speed_cm_s (NaN without a speed trace), one
        entry per event in time order.
    """
    t = np.asarray(spike_t_ms, dtype=float)
    ids = np.asarray(spike_ids, dtype=np.int64)
    r = population_rate(t, n_cells, t0_ms, t1_ms, bin_ms, smooth_ms)
    nb = len(r)
    mean = r.mean()
    thr = mean + k_sd * r.std(ddof=1)
    above = np.concatenate(([False], r > mean, [False]))
    edge = np.flatnonzero(above[1:] != above[:-1])
    lo, hi = edge[0::2], edge[1::2]            # maximal runs above the mean
    hot = np.concatenate(([0], np.cumsum(r > thr)))
    crosses = hot[hi] - hot[lo] > 0
    lo, hi = lo[crosses], hi[crosses]
    # distinct (place) cells per run, binned as the rate is
    m = (t >= t0_ms) & (t < t0_ms + nb * bin_ms)
    if is_place is not None:
        m &= np.asarray(is_place, dtype=bool)[ids]
    b = np.minimum(((t[m] - t0_ms) / bin_ms).astype(np.int64), nb - 1)
    run_of = np.full(nb, -1)
    for k, (a, z) in enumerate(zip(lo, hi)):
        run_of[a:z] = k
    k = run_of[b]
    pairs = np.unique(np.stack((k[k >= 0], ids[m][k >= 0])), axis=1)
    cells = np.bincount(pairs[0], minlength=len(lo)) if pairs.size else np.zeros(len(lo), int)
    start = t0_ms + lo * bin_ms
    stop = t0_ms + hi * bin_ms
    peak = np.array([a + int(np.argmax(r[a:z])) for a, z in zip(lo, hi)], dtype=np.int64)
    speed = np.full(len(lo), np.nan)
    if speed_t_ms is not None:
        st = np.asarray(speed_t_ms, dtype=float)
        sv = np.asarray(speed_cm_s, dtype=float)
        for j in range(len(lo)):
            inside = (st >= start[j]) & (st < stop[j])
            speed[j] = sv[inside].mean() if inside.any() else np.interp(
                0.5 * (start[j] + stop[j]), st, sv)
    dur = stop - start
    keep = (dur >= min_ms) & (dur <= max_ms) & (cells >= min_cells)
    if speed_t_ms is not None:
        keep &= speed < max_speed_cm_s
    return dict(start_ms=start[keep], stop_ms=stop[keep],
                peak_ms=t0_ms + (peak[keep] + 0.5) * bin_ms,
                peak_hz=r[peak[keep]] if len(peak) else np.zeros(0),
                n_cells=cells[keep], speed_cm_s=speed[keep])
