"""Rate maps and place fields from running (replay/fields.h, replay/decode.h).

Units: times in ms, positions in cm, rates in Hz.
"""
import numpy as np


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
