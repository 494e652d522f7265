#!/usr/bin/python3
"""Plots bench/scaling.sh's tables: scaling_size.png (RTF against network
size at in-degree 80) and scaling_rate.png (RTF against firing rate of
bench/rate.yaml), and prints the cost ratio at a tenth of the rate.

usage: plot_scaling.py DIR   (reads DIR/scaling_{size,rate}.tsv)
"""
import os
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def load(path):
    return np.genfromtxt(path, delimiter="\t", names=True)


def mean_rate(d, side):
    # 4:1 excitatory to inhibitory in every network of the sweeps
    return 0.8 * d["exc_hz_" + side] + 0.2 * d["inh_hz_" + side]


def plot_size(d, out):
    fig, ax = plt.subplots(figsize=(5, 3.6), dpi=100)
    n = d["neurons"]
    for side, label, m in (("hs", "hebbsleep", "o-"), ("b2", "Brian2 standalone", "s--")):
        ok = np.isfinite(d["rtf_" + side])
        if ok.any():
            ax.loglog(n[ok], d["rtf_" + side][ok], m, label=label)
    ref = d["rtf_hs"][-1] * n / n[-1]   # from the largest: small networks may die out
    ax.loglog(n, ref, ":", color="grey", label="proportional to N")
    ax.set_xlabel("neurons (in-degree 80)")
    ax.set_ylabel("wall s per biological s")
    ax.set_title("COBA, size sweep")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out)


def cost_ratio(rate, rtf, hi):
    """RTF at rate hi over RTF at hi/10, interpolated in log-log."""
    o = np.argsort(rate)
    lr, lc = np.log(rate[o]), np.log(rtf[o])
    f = lambda r: np.exp(np.interp(np.log(r), lr, lc))
    return f(hi) / f(hi / 10)


def plot_rate(d, out):
    fig, ax = plt.subplots(figsize=(5, 3.6), dpi=100)
    for side, label, m in (("hs", "hebbsleep", "o-"), ("b2", "Brian2 standalone", "s--")):
        ok = np.isfinite(d["rtf_" + side])
        if ok.any():
            ax.loglog(mean_rate(d, side)[ok], d["rtf_" + side][ok], m, label=label)
    r = mean_rate(d, "hs")
    ax.loglog(r, d["rtf_hs"][-1] * r / r[-1], ":", color="grey", label="proportional to rate")
    ax.set_xlabel("mean firing rate (Hz)")
    ax.set_ylabel("wall s per biological s")
    ax.set_title("4000 neurons, Poisson-driven (bench/rate.yaml)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    d_size = load(os.path.join(sys.argv[1], "scaling_size.tsv"))
    d_rate = load(os.path.join(sys.argv[1], "scaling_rate.tsv"))
    plot_size(d_size, os.path.join(sys.argv[1], "scaling_size.png"))
    plot_rate(d_rate, os.path.join(sys.argv[1], "scaling_rate.png"))
    for side in ("hs", "b2"):
        if np.isfinite(d_rate["rtf_" + side]).all():
            r = mean_rate(d_rate, side)
            hi = min(10.0, r.max())
            print(f"{side}: cost at {hi:g} Hz over cost at {hi / 10:g} Hz = "
                  f"{cost_ratio(r, d_rate['rtf_' + side], hi):.2f} (target >= 3)")


if __name__ == "__main__":
    main()
