#!/usr/bin/python3
"""The place code of a population, measured from its spikes and the rat's
positions in a run file (not from the input's parameters).

  scripts/place_code.py RUN.h5 [POPULATION] [THETA_HZ]

Rate maps in 2 cm bins over the running samples (direction +1 only, as the
fields of the default experiment are directional), smoothed with a 3-bin
window. A cell has a field when its map peaks at 5 Hz or more; the field
is the contiguous stretch around the peak above 20 % of it, its width that
stretch's length. Prints the fraction of cells with fields, the median and
range of widths and peaks, the mean rate outside fields, and the phase
precession: the slope of spike theta phase (THETA_HZ, default 7) against
position within the field, from a circular-linear fit (Kempter et al.
2012), as the median over cells with at least 30 in-field spikes.
"""
import sys

import h5py
import numpy as np


def rate_maps(t_spk, ids, n, time_ms, pos, dirn, bin_cm=2.0, length=None):
    length = length or pos.max()
    nb = int(np.ceil(length / bin_cm))
    run = dirn > 0
    dt_s = (time_ms[1] - time_ms[0]) * 1e-3
    occ = np.bincount(np.minimum((pos[run] / bin_cm).astype(int), nb - 1), minlength=nb) * dt_s
    k = np.clip(np.searchsorted(time_ms, t_spk, side="right") - 1, 0, len(time_ms) - 1)
    keep = run[k]
    b = np.minimum((pos[k][keep] / bin_cm).astype(int), nb - 1)
    counts = np.zeros((n, nb))
    np.add.at(counts, (ids[keep], b), 1)
    kern = np.ones(3) / 3
    occ_s = np.convolve(occ, kern, mode="same")
    maps = np.array([np.convolve(c, kern, mode="same") for c in counts])
    return maps / np.maximum(occ_s, 1e-9), occ, k, keep


def field_of(m, bin_cm):
    p = int(np.argmax(m))
    if m[p] < 5.0:
        return None
    thr = 0.2 * m[p]
    lo, hi = p, p
    while lo > 0 and m[lo - 1] > thr:
        lo -= 1
    while hi < len(m) - 1 and m[hi + 1] > thr:
        hi += 1
    return lo * bin_cm, (hi + 1) * bin_cm, m[p]


def circ_lin_slope(x, phase):
    """Slope a maximising |mean exp(i (phase - 2 pi a x))| over a grid."""
    slopes = np.linspace(-2.0, 2.0, 801)   # cycles per unit of x
    r = [abs(np.mean(np.exp(1j * (phase - 2 * np.pi * a * x)))) for a in slopes]
    return slopes[int(np.argmax(r))] * 360.0   # degrees per unit of x


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    path = sys.argv[1]
    pop = sys.argv[2] if len(sys.argv) > 2 else "pc"
    theta = float(sys.argv[3]) if len(sys.argv) > 3 else 7.0
    with h5py.File(path, "r") as f:
        time_ms = f["behavior/time"][:]
        pos = f["behavior/position"][:]
        dirn = f["behavior/direction"][:]
        t_spk = f[f"spikes/{pop}/timestamps"][:]
        ids = f[f"spikes/{pop}/node_ids"][:].astype(int)
        n = int(f[f"spikes/{pop}"].attrs.get("n_nodes", ids.max() + 1))
    bin_cm = 2.0
    maps, occ, k, keep = rate_maps(t_spk, ids, n, time_ms, pos, dirn, bin_cm)
    fields = [field_of(m, bin_cm) for m in maps]
    have = [i for i, fl in enumerate(fields) if fl]
    widths = np.array([fields[i][1] - fields[i][0] for i in have])
    peaks = np.array([fields[i][2] for i in have])
    print(f"{pop}: {len(have)} of {n} cells with a field ({100 * len(have) / n:.1f} %)")
    if have:
        print(f"  field width (20 % of peak): median {np.median(widths):.1f} cm, "
              f"range {widths.min():.1f}-{widths.max():.1f} cm")
        print(f"  peak rate: median {np.median(peaks):.1f} Hz, "
              f"range {peaks.min():.1f}-{peaks.max():.1f} Hz")
    spk_pos = pos[k]
    outside = []
    slopes = []
    for i in range(n):
        mine = (ids == i) & keep
        fl = fields[i]
        if fl is None:
            continue
        inside = mine & (spk_pos >= fl[0]) & (spk_pos < fl[1])
        run_time = occ.sum()
        in_time = occ[int(fl[0] / bin_cm):int(fl[1] / bin_cm)].sum()
        outside.append((mine.sum() - inside.sum()) / max(run_time - in_time, 1e-9))
        if inside.sum() >= 30:
            x = (spk_pos[inside] - fl[0]) / (fl[1] - fl[0])   # 0..1 across the field
            ph = np.mod(2 * np.pi * theta * t_spk[inside] * 1e-3, 2 * np.pi)
            slopes.append(circ_lin_slope(x, ph))
    if outside:
        print(f"  rate outside the field: mean {np.mean(outside):.2f} Hz")
    if slopes:
        s = np.array(slopes)
        print(f"  phase precession: median slope {np.median(s):.0f} deg per field, "
              f"{100 * np.mean(s < 0):.0f} % of {len(s)} cells negative")


if __name__ == "__main__":
    main()
