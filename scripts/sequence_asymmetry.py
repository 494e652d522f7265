#!/usr/bin/python3
"""Sequence learning in the weights of a wake run.

  scripts/sequence_asymmetry.py RUN.h5 [PROJECTION] [INPUT_POPULATION]

For every learned synapse i -> j between cells with place fields (centres
from /place_fields/<input population>, the cells driven one to one), a
synapse is forward when j's field lies ahead of i's in the running
direction within one field width (0 < c_j - c_i <= 4 sigma), backward when
behind within one width. Prints the mean weight of each group and their
ratio, from the last weight snapshot (and the first, for reference).
"""
import sys

import h5py
import numpy as np


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    path = sys.argv[1]
    proj = sys.argv[2] if len(sys.argv) > 2 else "ee"
    inp = sys.argv[3] if len(sys.argv) > 3 else "place"
    with h5py.File(path, "r") as f:
        centre = f[f"place_fields/{inp}/center_cm"][:]
        width = np.nanmax(f[f"place_fields/{inp}/width_cm"][:]) * 4.0
        g = f[f"weights/{proj}"]
        snaps = sorted(g)
        for name in (snaps[0], snaps[-1]):
            s = g[name]
            pre, post, w = s["pre"][:], s["post"][:], s["weight"][:]
            d = centre[post] - centre[pre]
            ok = ~np.isnan(d)
            fwd = ok & (d > 0) & (d <= width)
            bwd = ok & (d < 0) & (d >= -width)
            mf, mb = w[fwd].mean(), w[bwd].mean()
            print(f"{name} t={s.attrs['t_ms'] / 1000:.1f} s: forward {mf:.4f} "
                  f"({fwd.sum()} synapses), backward {mb:.4f} ({bwd.sum()}), "
                  f"ratio {mf / mb:.2f}")


if __name__ == "__main__":
    main()
