"""Replay detection on plain numpy arrays: a second implementation of the C detector.

The functions here follow replay/*.h and docs/replay.md step by step, so that
they give the same candidate events and rank correlations as the C code on
the same spikes, and p-values within shuffle noise (the shuffles draw from
numpy's Generator, not from the C code's Philox streams). They take spike
times, cell ids and the rat's trajectory as arrays, so they work on recorded
data as well as on hebbsleep run files.

Units: times in ms, positions in cm, rates in Hz, speeds in cm/s.

Pipeline (``detect_arrays``, or ``detect`` on a run):

1. ``place_fields``: rate maps from the wake spikes and positions, the wake
   phases laid end to end; a place cell's map peaks at >= 1 Hz.
2. ``candidate_events`` per phase: population rate in 5 ms bins, 10 ms
   Gaussian smoothing, above mean + 3 SD with edges at the mean, 50-500 ms,
   >= 5 active place cells, awake only below 5 cm/s.
3. ``rank_order`` (Lee & Wilson 2002) against each running direction.
4. ``replay_score``: Bayesian decoding with a line fit (Davidson,
   Kloosterman & Wilson 2009) against circular place-field shifts and
   time-bin permutations.
"""
from collections import namedtuple

import numpy as np
import scipy.sparse
import scipy.stats

RUNNING_CM_S = 5.0   # faster is running (SCIENCE.md's awake-replay limit)

__all__ = [
    "Phase", "PlaceFields", "RankResult",
    "wake_time", "running_speed", "running_direction", "mean_running_speed",
    "rate_maps", "place_fields",
    "spike_counts", "decode", "line_fit", "replay_score",
    "population_rate", "candidate_events", "rank_order",
    "detect_arrays", "run_inputs", "detect",
]

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


# ---- wake time and speed ----

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


# ---- place fields ----

def _map_kernel(bin_cm, smooth_cm):
    r = int(np.ceil(3 * smooth_cm / bin_cm))
    z = np.arange(-r, r + 1) * bin_cm / smooth_cm if smooth_cm > 0 else np.zeros(1)
    return np.exp(-0.5 * z * z)


def _smooth_rows(a, w):
    """Rows of a convolved with the symmetric kernel w, truncated at the ends."""
    r = len(w) // 2
    pad = np.pad(a, [(0, 0)] * (a.ndim - 1) + [(r, r)])
    out = np.zeros(a.shape)
    n = a.shape[-1]
    for j in range(len(w)):
        out += w[j] * pad[..., j:j + n]
    return out


def _n_bins(track_cm, bin_cm):
    return max(1, int(np.ceil(track_cm / bin_cm - 1e-9)))


def _pos_bin(x_cm, bin_cm, n_bins):
    b = np.floor(np.asarray(x_cm, dtype=float) / bin_cm)
    b = np.where(b >= 0, b, 0)            # NaN and negative positions: the first bin
    return np.minimum(b, n_bins - 1).astype(np.int64)


def rate_maps(spike_t_ms, spike_ids, n_cells, traj_t_ms, traj_x_cm, traj_dir=None, *,
              bin_cm=2.5, n_bins=80, smooth_cm=4.0, direction=0):
    """Smoothed rate maps f_i(x) = (G * c_i)(x) / (G * o)(x) (replay/decode.h).

    Parameters
    ----------
    spike_t_ms : array_like of float
        Spike times (ms), on the trajectory's clock, any order. A spike takes
        the position of the last sample at or before it; spikes outside the
        trajectory's span are dropped.
    spike_ids : array_like of int
        Cell of each spike, < n_cells.
    n_cells : int
    traj_t_ms, traj_x_cm : array_like of float
        Trajectory sample times (ms, increasing, at least 2) and positions (cm
        from the track's start). Sample k stands for t[k+1] - t[k] (the last for
        the one before it).
    traj_dir : array_like of int, optional
        Running direction per sample (+1, -1, 0 paused); None: every sample counts.
    bin_cm : float
        Position bin (cm); positions outside [0, n_bins bin_cm) go to the end bins.
    n_bins : int
        Number of position bins from 0 cm.
    smooth_cm : float
        SD of the Gaussian smoothing (cm), truncated at 3 SD and at the track's
        ends; 0: none.
    direction : int
        +1 or -1: only samples (and spikes) running that way; 0: every running
        sample (dir != 0).

    Returns
    -------
    maps : ndarray, shape (n_cells, n_bins)
        Rates (Hz); 0 where there is no occupancy within the kernel's reach.
    """
    t = np.asarray(traj_t_ms, dtype=float)
    x = np.asarray(traj_x_cm, dtype=float)
    if len(t) < 2 or np.any(np.diff(t) <= 0):
        raise ValueError("the trajectory needs >= 2 samples at increasing times")
    ids = np.asarray(spike_ids, dtype=np.int64)
    st = np.asarray(spike_t_ms, dtype=float)
    if len(ids) and (ids.min() < 0 or ids.max() >= n_cells):
        raise ValueError("spike ids must be in [0, n_cells)")
    if traj_dir is None:
        kept = np.ones(len(t), dtype=bool)
    else:
        d = np.asarray(traj_dir)
        kept = d == direction if direction else d != 0
    dt = np.diff(t)
    dt = np.concatenate((dt, dt[-1:]))
    xb = _pos_bin(x, bin_cm, n_bins)
    occ = np.bincount(xb[kept], weights=1e-3 * dt[kept], minlength=n_bins)
    t_end = t[-1] + dt[-1]
    inside = (st >= t[0]) & (st < t_end)
    k = np.searchsorted(t, st[inside], side="right") - 1
    use = kept[k]
    cells = ids[inside][use]
    counts = np.zeros((n_cells, n_bins))
    np.add.at(counts, (cells, xb[k[use]]), 1.0)
    w = _map_kernel(bin_cm, smooth_cm)
    socc = _smooth_rows(occ[None, :], w)[0]
    sc = _smooth_rows(counts, w)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(socc > 0, sc / np.where(socc > 0, socc, 1.0), 0.0)


class PlaceFields:
    """A run's place fields, as replay detection uses them (replay/fields.h).

    Attributes
    ----------
    dirs : tuple of int
        Running direction of each map: (run_dir,) on a one-way track, (+1, -1)
        on a track run both ways.
    maps : ndarray, shape (n_dirs, n_cells, n_bins)
        Rate maps (Hz) per direction.
    centre_cm : ndarray, shape (n_dirs, n_cells)
        Field centre (cm): the centre of the map's highest bin (the first on
        ties); NaN where the map peaks below min_peak_hz.
    is_place : ndarray of bool, shape (n_cells,)
        A field in some direction: a place cell.
    place_ids : ndarray of int
        The place cells, ascending: the rows of decode_maps.
    decode_maps : ndarray, shape (n_place, n_bins)
        Maps (Hz) decoded against: the one-way map, or on a track run both ways
        a map of every running sample.
    bin_cm : float
        Position bin (cm).
    """

    def __init__(self, dirs, maps, centre_cm, is_place, decode_maps, bin_cm):
        self.dirs = tuple(dirs)
        self.maps = maps
        self.centre_cm = centre_cm
        self.is_place = is_place
        self.place_ids = np.flatnonzero(is_place)
        self.decode_maps = decode_maps
        self.bin_cm = float(bin_cm)

    @property
    def n_cells(self):
        return self.maps.shape[1]

    @property
    def n_bins(self):
        return self.maps.shape[2]

    @property
    def n_place(self):
        return len(self.place_ids)

    def __repr__(self):
        return (f"PlaceFields({self.n_place} place cells of {self.n_cells}, "
                f"{self.n_bins} bins of {self.bin_cm:g} cm, dirs {self.dirs})")


def place_fields(spike_t_ms, spike_ids, n_cells, traj_t_ms, traj_x_cm, traj_dir, *,
                 track_cm, bin_cm=2.5, run_dir=0, min_peak_hz=1.0, smooth_cm=4.0):
    """Place fields and place cells from running (replay/fields.h).

    Spikes and trajectory must be on one clock: for a simulated run, wake time
    (``wake_time``), as ``detect_arrays`` does.

    Parameters
    ----------
    spike_t_ms, spike_ids, n_cells, traj_t_ms, traj_x_cm, traj_dir
        As for ``rate_maps``; traj_dir is required (+1, -1, 0 paused).
    track_cm : float
        Track length (cm): ceil(track_cm / bin_cm) bins from 0 cm.
    bin_cm : float
        Position bin (cm).
    run_dir : int
        +1 or -1: a one-way track run only that way (one map per cell); 0: run
        both ways (a map per direction, and one of all running for decoding).
    min_peak_hz : float
        A map peaking at or above it (and above 0 Hz) is a field (Hz); 1 Hz as in
        the C detector (cf. Lee & Wilson 2002; Davidson et al. 2009).
    smooth_cm : float
        Map smoothing SD (cm).

    Returns
    -------
    PlaceFields
    """
    if run_dir not in (-1, 0, 1):
        raise ValueError("run_dir must be -1, 0 or +1")
    nb = _n_bins(track_cm, bin_cm)
    dirs = (run_dir,) if run_dir else (1, -1)
    args = (spike_t_ms, spike_ids, n_cells, traj_t_ms, traj_x_cm, traj_dir)
    kw = dict(bin_cm=bin_cm, n_bins=nb, smooth_cm=smooth_cm)
    maps = np.stack([rate_maps(*args, direction=d, **kw) for d in dirs])
    best = np.argmax(maps, axis=2)
    peak = np.take_along_axis(maps, best[..., None], axis=2)[..., 0]
    field = (peak >= min_peak_hz) & (peak > 0)
    centre = np.where(field, (best + 0.5) * bin_cm, np.nan)
    is_place = field.any(axis=0)
    src = maps[0] if run_dir else rate_maps(*args, direction=0, **kw)
    return PlaceFields(dirs, maps, centre, is_place, src[is_place], bin_cm)


# ---- decoding and the line fit ----

def spike_counts(spike_t_ms, spike_ids, n_cells, start_ms, stop_ms, tbin_ms=15.0):
    """Spike counts of an event in time bins (replay_score_event).

    Parameters
    ----------
    spike_t_ms, spike_ids : array_like
        Spike times (ms) and cells (< n_cells); spikes outside [start_ms, stop_ms)
        are ignored.
    n_cells : int
    start_ms, stop_ms : float
        The event (ms), binned into ceil((stop - start) / tbin_ms) bins; the last
        may be partial.
    tbin_ms : float
        Time bin (ms).

    Returns
    -------
    counts : ndarray of int, shape (n_cells, n_tbins)
    """
    if not stop_ms > start_ms:
        raise ValueError("empty event window")
    nt = max(1, int(np.ceil((stop_ms - start_ms) / tbin_ms - 1e-9)))
    t = np.asarray(spike_t_ms, dtype=float)
    ids = np.asarray(spike_ids, dtype=np.int64)
    m = (t >= start_ms) & (t < stop_ms)
    b = np.minimum(((t[m] - start_ms) / tbin_ms).astype(np.int64), nt - 1)
    counts = np.zeros((n_cells, nt), dtype=np.int64)
    np.add.at(counts, (ids[m], b), 1)
    return counts


def _normalise(logp, empty):
    """Rows of exp(logp), each summing to 1; rows flagged empty uniform."""
    p = np.exp(logp - logp.max(axis=-1, keepdims=True))
    p /= p.sum(axis=-1, keepdims=True)
    p[..., empty, :] = 1.0 / logp.shape[-1]
    return p


def decode(maps, counts, tbin_ms, eps_hz=0.01):
    """Bayesian position decoding with a uniform prior (Davidson et al. 2009).

    P(x | n_t) ~ prod_i f_i(x)^n_i exp(-tau sum_i f_i(x)), f_i floored at eps_hz,
    normalised per time bin; a time bin without spikes gets 1 / n_bins.

    Parameters
    ----------
    maps : array_like, shape (n_cells, n_bins)
        Rate maps (Hz).
    counts : array_like of int, shape (n_cells, n_tbins)
        Spike counts per time bin.
    tbin_ms : float
        Time bin tau (ms).
    eps_hz : float
        Rate floor (Hz).

    Returns
    -------
    posterior : ndarray, shape (n_tbins, n_bins)
        Each row sums to 1.
    """
    f = np.maximum(np.asarray(maps, dtype=float), eps_hz)
    c = np.asarray(counts, dtype=float)
    logp = c.T @ np.log(f) - 1e-3 * tbin_ms * f.sum(axis=0)
    return _normalise(logp, c.sum(axis=0) == 0)


class _Lines:
    """Every line through (0, a) and (T - 1, b), a and b position bins, in the
    C code's (a, b) order, as a sparse sum over (time bin, centre bin)."""

    def __init__(self, n_tbins, n_bins):
        T, n = n_tbins, n_bins
        a, b = np.divmod(np.arange(n * n), n)
        if T == 1:
            a = b = np.arange(n)           # one time bin: flat lines only
        den = T - 1 if T > 1 else 1
        t = np.arange(T)
        off = np.floor((b - a)[:, None] * t[None, :] / den + 0.5).astype(np.int64)
        cols = t[None, :] * n + a[:, None] + off
        L = len(a)
        self.a, self.b, self.den = a, b, den
        self.mat = scipy.sparse.csr_matrix(
            (np.ones(L * T), cols.ravel(), np.arange(0, L * T + 1, T)), shape=(L, T * n))

    def scores(self, band_mass):
        """Mean band mass along every line; band_mass (S, T, n) -> (S, L)."""
        S, T, n = band_mass.shape
        return np.asarray(self.mat @ band_mass.reshape(S, T * n).T).T / T


def _band_mass(posterior, band):
    """Mass of each row within +-band bins of each centre bin: (..., T, n)."""
    n = posterior.shape[-1]
    cum = np.concatenate((np.zeros(posterior.shape[:-1] + (1,)),
                          np.cumsum(posterior, axis=-1)), axis=-1)
    c = np.arange(n)
    return cum[..., np.minimum(c + band + 1, n)] - cum[..., np.maximum(c - band, 0)]


def line_fit(posterior, band=3):
    """The best line through a posterior (Davidson et al. 2009, radon-like search).

    Every line from (time bin 0, position bin a) to (time bin T - 1, bin b) is
    scored by R = 1/T sum_t sum_{|x - line(t)| <= band} P(x | n_t), line(t)
    rounded to the nearest bin; the best wins (the first in (a, b) order).

    Parameters
    ----------
    posterior : array_like, shape (n_tbins, n_bins)
    band : int
        Half-width of the band (position bins); 3 as in SCIENCE.md.

    Returns
    -------
    dict
        start_bin, end_bin (position bins at the first and last time bin),
        slope (bins per time bin), score (0 .. 1).
    """
    p = np.asarray(posterior, dtype=float)
    lines = _Lines(*p.shape)
    s = lines.scores(_band_mass(p, band)[None])[0]
    k = int(np.argmax(s))
    a, b = int(lines.a[k]), int(lines.b[k])
    return dict(start_bin=a, end_bin=b, slope=(b - a) / lines.den, score=float(s[k]))


def _rotations(a):
    """All rotations of the rows of a, as a view: out[i, m, x] = a[i, (x + m) mod n]."""
    n = a.shape[1]
    return np.lib.stride_tricks.sliding_window_view(np.concatenate((a, a), axis=1), n, axis=1)


def _shift_posteriors(f_rot, logf_rot, counts, shifts, tau_s):
    """Posteriors with each cell's map rotated by its shift, f_i((x - shift_i)
    mod n): (S, T, n). f_rot, logf_rot: _rotations of the maps and their logs."""
    n = f_rot.shape[2]
    active = np.flatnonzero(counts.sum(axis=1) > 0)
    pick = n - shifts                       # f2[i, x - shift + n] is window n - shift
    sumf = f_rot[np.arange(len(f_rot))[None, :], pick].sum(axis=1)           # (S, n)
    logf = logf_rot[active[None, :], pick[:, active]]                         # (S, active, n)
    logp = np.matmul(counts[active].T.astype(float)[None], logf) - tau_s * sumf[:, None, :]
    return _normalise(logp, counts.sum(axis=0) == 0)


# Shuffles that score the same as the event up to rounding count as ties: a
# reversed posterior, or rows swapped, sum the same band masses in another
# order (as rank.c's 1e-12 on |rho|).
TIE = 1e-12


def _summary(scores, score):
    """p = (1 + #{shuffle >= score}) / (1 + n) and the 95th percentile."""
    p = (1.0 + np.sum(scores >= score - TIE)) / (1.0 + len(scores))
    return p, float(np.quantile(scores, 0.95))


def replay_score(spike_t_ms, spike_ids, start_ms, stop_ms, maps, bin_cm, *, tbin_ms=15.0,
                 n_shuffle=500, band=3, eps_hz=0.01, mean_speed_cm_s=np.nan, rng=None,
                 batch=64):
    """Line-fit replay score of one event against two shuffle kinds (replay/decode.h).

    The event's spikes are decoded (``decode``) and the best line fitted
    (``line_fit``); the score is compared with n_shuffle circular place-field
    shifts (each cell's map rotated by its own uniform number of bins) and
    n_shuffle time-bin permutations of the posterior. The event is significant
    when its score exceeds the 95th percentile of both (Takigawa et al. 2023:
    one kind alone misjudges the false-positive rate). Shuffle scores within
    1e-12 of the event's are ties: they count towards p and against
    significance, whichever way rounding went.

    Parameters
    ----------
    spike_t_ms, spike_ids : array_like
        Spike times (ms) and rows of maps (< len(maps)); others outside the event
        are ignored.
    start_ms, stop_ms : float
        The event [start, stop) (ms).
    maps : array_like, shape (n_cells, n_bins)
        Rate maps (Hz), e.g. ``PlaceFields.decode_maps`` with spike_ids mapped to
        its rows.
    bin_cm : float
        Position bin of the maps (cm).
    tbin_ms : float
        Decoding time bin (ms); 15 (SCIENCE.md: 10-20).
    n_shuffle : int
        Shuffles of each kind (SCIENCE.md: >= 500).
    band : int
        Half-width of the line's band (position bins).
    eps_hz : float
        Rate floor (Hz).
    mean_speed_cm_s : float
        Mean running speed (cm/s) for the compression.
    rng : numpy.random.Generator, optional
        Draws for the shuffles; default: np.random.default_rng().
    batch : int
        Shuffles decoded at once (memory only).

    Returns
    -------
    dict
        score, start_bin, end_bin, slope (bins per time bin), slope_cm_per_s
        (signed: + towards the track's end), compression (|slope_cm_per_s| /
        mean_speed_cm_s; NaN when that is not > 0), p_shift, p_perm (Monte-Carlo
        p-values), q95_shift, q95_perm, significant (bool), n_tbins, n_empty
        (time bins without spikes), posterior (n_tbins, n_bins).
    """
    rng = np.random.default_rng() if rng is None else rng
    f = np.maximum(np.asarray(maps, dtype=float), eps_hz)
    n_cells, n = f.shape
    counts = spike_counts(spike_t_ms, spike_ids, n_cells, start_ms, stop_ms, tbin_ms)
    T = counts.shape[1]
    tau_s = 1e-3 * tbin_ms
    post = decode(f, counts, tbin_ms, eps_hz)
    lines = _Lines(T, n)
    mass = _band_mass(post, band)
    s = lines.scores(mass[None])[0]
    k = int(np.argmax(s))
    score = float(s[k])
    slope = (int(lines.b[k]) - int(lines.a[k])) / lines.den
    slope_cm_s = slope * bin_cm / tau_s
    perm = np.argsort(rng.random((n_shuffle, T)), axis=1)
    perm_scores = np.concatenate([lines.scores(mass[perm[lo:lo + batch]]).max(axis=1)
                                  for lo in range(0, n_shuffle, batch)])
    shift_scores = np.empty(n_shuffle)
    f_rot, logf_rot = _rotations(f), _rotations(np.log(f))
    for lo in range(0, n_shuffle, batch):
        sh = rng.integers(0, n, size=(min(batch, n_shuffle - lo), n_cells))
        p = _shift_posteriors(f_rot, logf_rot, counts, sh, tau_s)
        shift_scores[lo:lo + len(sh)] = lines.scores(_band_mass(p, band)).max(axis=1)
    p_shift, q_shift = _summary(shift_scores, score)
    p_perm, q_perm = _summary(perm_scores, score)
    speed = float(mean_speed_cm_s)
    return dict(score=score, start_bin=int(lines.a[k]), end_bin=int(lines.b[k]), slope=slope,
                slope_cm_per_s=slope_cm_s,
                compression=abs(slope_cm_s) / speed if speed > 0 else np.nan,
                p_shift=p_shift, p_perm=p_perm, q95_shift=q_shift, q95_perm=q_perm,
                significant=bool(score > q_shift + TIE and score > q_perm + TIE), n_tbins=T,
                n_empty=int(np.sum(counts.sum(axis=0) == 0)), posterior=post)


# ---- candidate events ----

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


# ---- rank order ----

RankResult = namedtuple("RankResult", "rho p direction n_cells n_perm status")
RankResult.__doc__ = """Rank-order score of one event against one direction's fields.

rho: Spearman rho (NaN unless status is "ok"); p: two-sided Monte-Carlo
p-value (1 unless "ok"); direction: +1 (cells fire in order of increasing
centre), -1, 0; n_cells: active cells with a field; n_perm: permutations
drawn; status: "ok", "too_few" (< 5 cells) or "no_order" (equal centres)."""


def rank_order(spike_t_ms, spike_ids, start_ms, stop_ms, field_centre_cm, *, n_perm=1000,
               min_cells=5, rng=None):
    """Rank-order replay score (Lee & Wilson 2002; replay/rank.h).

    The active cells with a field (finite centre) are ranked by their first
    spike in [start_ms, stop_ms) (ties by cell id); rho is Spearman's
    correlation of that rank with the field centres (tied centres get their
    mean rank). The null comes from n_perm random permutations of the ranks
    among the cells (cell-id shuffles):
    p = (1 + #{|rho_perm| >= |rho|}) / (1 + n_perm), never 0.

    Parameters
    ----------
    spike_t_ms, spike_ids : array_like
        Spike times (ms) and cells (indices into field_centre_cm), any order.
    start_ms, stop_ms : float
        The event (ms).
    field_centre_cm : array_like of float
        Each cell's field centre (cm) in one running direction; NaN: no field.
    n_perm : int
        Permutations (SCIENCE.md: >= 1000).
    min_cells : int
        Fewest cells scored.
    rng : numpy.random.Generator, optional

    Returns
    -------
    RankResult
    """
    rng = np.random.default_rng() if rng is None else rng
    centre = np.asarray(field_centre_cm, dtype=float)
    t = np.asarray(spike_t_ms, dtype=float)
    ids = np.asarray(spike_ids, dtype=np.int64)
    m = (t >= start_ms) & (t < stop_ms)
    first = np.full(len(centre), np.inf)
    np.minimum.at(first, ids[m], t[m])
    cells = np.flatnonzero(np.isfinite(first) & np.isfinite(centre))
    cells = cells[np.lexsort((cells, first[cells]))]
    c = centre[cells]
    n = len(cells)
    if n < min_cells:
        return RankResult(np.nan, 1.0, 0, n, 0, "too_few")
    if np.all(c == c[0]):
        return RankResult(np.nan, 1.0, 0, n, 0, "no_order")
    cr = scipy.stats.rankdata(c)
    cr = (cr - cr.mean()) / np.sqrt(np.sum((cr - cr.mean()) ** 2))
    rank = np.arange(n) - 0.5 * (n - 1)
    rank /= np.sqrt(np.sum(rank ** 2))
    rho = float(np.clip(rank @ cr, -1.0, 1.0))
    perm = np.argsort(rng.random((n_perm, n)), axis=1)
    k = int(np.sum(np.abs(rank[perm] @ cr) >= abs(rho) - 1e-12))
    return RankResult(rho, (1.0 + k) / (1.0 + n_perm), int(np.sign(rho)), n, n_perm, "ok")


# ---- a whole run ----

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
                  n_perm=1000, n_shuffle=500, min_peak_hz=1.0, seed=0, fields=None):
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

    Returns
    -------
    dict
        Columns like /replay/events, one row per event in time order:
        start_ms, stop_ms, peak_ms (ms), phase (name), phase_index, n_cells,
        rank_corr, p_value, direction (+1 forward, -1 reverse, 0), score,
        slope_cm_per_s, compression, significant, p_shift, p_perm; and, not
        columns, ``fields`` (PlaceFields or None), ``mean_speed_cm_s``.
    """
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
            if np.floor((stop[k] - start[k]) / 5.0) < 3:
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


# ---- run files ----

def _h5_config(meta):
    """The run's YAML config with its --set overrides applied (key.path=value)."""
    import yaml
    text = meta.attrs.get("config", b"")
    text = text.decode() if isinstance(text, bytes) else str(text)
    cfg = yaml.safe_load(text) or {}
    over = meta.attrs.get("overrides", b"")
    over = over.decode() if isinstance(over, bytes) else str(over)
    for line in filter(None, over.split("\n")):
        key, _, value = line.partition("=")
        node, parts = cfg, key.strip().split(".")
        for p in parts[:-1]:
            p = int(p) if isinstance(node, list) else p
            if not isinstance(node, list) and p not in node:
                node[p] = {}
            node = node[p]
        last = int(parts[-1]) if isinstance(node, list) else parts[-1]
        node[last] = yaml.safe_load(value)
    return cfg


class _H5Run:
    """What ``detect`` reads from a run file, when no loaded Run is given."""

    def __init__(self, path):
        import h5py
        Spikes = namedtuple("Spikes", "times_ms ids")
        Behavior = namedtuple("Behavior", "time_ms position_cm lap direction")
        with h5py.File(path, "r") as f:
            self.config = _h5_config(f["meta"])
            self.spikes = {p: Spikes(g["timestamps"][:], g["node_ids"][:].astype(np.int64))
                           for p, g in f["spikes"].items()}
            ph = f["phases"]
            self.phases = [Phase(n, s, a, b) for n, s, a, b in zip(
                ph["name"].asstr()[:], ph["stage"].asstr()[:], ph["start_ms"][:],
                ph["stop_ms"][:])]
            self.behavior = None
            if "behavior" in f:
                b = f["behavior"]
                self.behavior = Behavior(b["time"][:], b["position"][:], b["lap"][:],
                                         b["direction"][:])
            self.replay_attrs = {}
            if "replay/events" in f:
                self.replay_attrs = {k: (v.decode() if isinstance(v, bytes) else v)
                                     for k, v in f["replay/events"].attrs.items()}


def _get(obj, *names):
    for n in names:
        if hasattr(obj, n):
            return getattr(obj, n)
    raise AttributeError(f"{type(obj).__name__} has none of {names}")


def run_inputs(run, population=None):
    """The arguments of ``detect_arrays`` for a run, as the C detector sets them.

    Parameters
    ----------
    run : hebbsleep.Run or str or os.PathLike
        A loaded run (``hebbsleep.load``) or the path of a run file.
    population : str, optional
        The analysed population; default: the config's ``replay.population``.

    Returns
    -------
    dict
        Keyword arguments for ``detect_arrays``: spikes, phases and trajectory
        from the file; track_cm and run_dir from its task (a one-way track of
        generated laps is analysed in its one direction, alternating laps or a
        tracked rat both ways); bin_cm, tbin_ms, n_perm, n_shuffle from its
        ``replay:`` section (C defaults where absent).
    """
    if not hasattr(run, "spikes"):
        run = _H5Run(run)
    cfg = getattr(run, "config", None) or {}
    rp = dict(cfg.get("replay") or {})
    attrs = dict(getattr(run, "replay_attrs", None) or
                 getattr(getattr(run, "replay_events", None), "attrs", None) or {})
    pop = population or rp.get("population") or attrs.get("population")
    if pop is None:
        raise ValueError("no population named and the run has no replay section")
    sp = run.spikes[pop]
    t = np.asarray(_get(sp, "times_ms", "timestamps"), dtype=float)
    ids = np.asarray(_get(sp, "ids", "node_ids"), dtype=np.int64)
    size = ((cfg.get("populations") or {}).get(pop) or {}).get("size")
    size = getattr(sp, "n_nodes", None) if size is None else size
    n_cells = int(size) if size is not None else int(ids.max()) + 1 if len(ids) else 0
    task = cfg.get("task") or {}
    one_way = bool(task.get("one_way", False)) and "trajectory" not in task
    run_dir = (-1 if task.get("reverse", False) else 1) if one_way else 0
    b = run.behavior
    if b is None:
        raise ValueError("the run has no behaviour: place fields need the rat's runs")
    return dict(spike_t_ms=t, spike_ids=ids, n_cells=n_cells, phases=list(run.phases),
                traj_t_ms=np.asarray(_get(b, "time_ms", "time"), dtype=float),
                traj_x_cm=np.asarray(_get(b, "position_cm", "position"), dtype=float),
                traj_dir=np.asarray(b.direction), traj_lap=np.asarray(b.lap),
                track_cm=float(task.get("length_cm", 200.0)), run_dir=run_dir,
                bin_cm=float(rp.get("bin_cm", attrs.get("bin_cm", 2.5))),
                tbin_ms=float(rp.get("tbin_ms", attrs.get("tbin_ms", 15.0))),
                n_perm=int(rp.get("n_perm", attrs.get("n_perm", 1000))),
                n_shuffle=int(rp.get("n_shuffle", attrs.get("n_shuffle", 500))))


def detect(run, population=None, seed=0, **overrides):
    """Run the whole replay detector on a run, as the C code does at its end.

    Parameters
    ----------
    run : hebbsleep.Run or str or os.PathLike
        A loaded run or a run file's path.
    population : str, optional
        The analysed population; default: the config's ``replay.population``.
    seed : int
        Keys the shuffles (numpy streams: the statistics, not the draws, of
        the C detector's).
    **overrides
        Any keyword of ``detect_arrays`` (e.g. n_perm=2000, bin_cm=5).

    Returns
    -------
    dict
        As ``detect_arrays``: columns like /replay/events, plus ``fields`` and
        ``mean_speed_cm_s``.
    """
    kw = run_inputs(run, population)
    kw.update(overrides)
    return detect_arrays(seed=seed, **kw)
