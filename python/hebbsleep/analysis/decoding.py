"""Bayesian decoding, the line fit and its two shuffles (replay/decode.h).

Davidson, Kloosterman & Wilson 2009: an event's spikes are decoded into a
posterior over position per time bin, the best line is fitted through it, and
its score is compared with circular place-field shifts and time-bin
permutations.

Units: times in ms, positions in cm (maps in position bins), rates in Hz.
"""
import numpy as np
import scipy.sparse


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
    return _best_line(_Lines(*p.shape), _band_mass(p, band))


def _best_line(lines, mass):
    """line_fit's dict for the best of lines on one posterior's band mass (T, n)."""
    s = lines.scores(mass[None])[0]
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
    fit = _best_line(lines, mass)
    score, slope = fit["score"], fit["slope"]
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
    return dict(score=score, start_bin=fit["start_bin"], end_bin=fit["end_bin"], slope=slope,
                slope_cm_per_s=slope_cm_s,
                compression=abs(slope_cm_s) / speed if speed > 0 else np.nan,
                p_shift=p_shift, p_perm=p_perm, q95_shift=q_shift, q95_perm=q_perm,
                significant=bool(score > q_shift + TIE and score > q_perm + TIE), n_tbins=T,
                n_empty=int(np.sum(counts.sum(axis=0) == 0)), posterior=post)
