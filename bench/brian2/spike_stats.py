#!/usr/bin/python3
"""Rates and ISI CV of a hebbsleep run file, computed exactly as
standalone.py computes Brian2's, so bench/compare.sh compares like with like.

usage: spike_stats.py RUN.h5 N_EXC N_INH DURATION_S
Prints rate_exc_hz, rate_inh_hz and cv_exc as key=value.
"""
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from standalone import isi_cv  # noqa: E402


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    path, n_exc, n_inh, dur = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    with h5py.File(path, "r") as f:
        ids = f["spikes/exc/node_ids"][:].astype(np.int64)
        times = f["spikes/exc/timestamps"][:]
        n_inh_spikes = f["spikes/inh/node_ids"].shape[0]
    print(f"rate_exc_hz={len(ids) / n_exc / dur:.4f} "
          f"rate_inh_hz={n_inh_spikes / n_inh / dur:.4f} "
          f"cv_exc={isi_cv(ids, times, n_exc):.4f}")


if __name__ == "__main__":
    main()
