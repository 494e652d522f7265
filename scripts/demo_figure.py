#!/usr/bin/python3
"""One-page summary of a run of the default experiment (make demo):

    /usr/bin/python3 scripts/demo_figure.py runs/linear_track.h5 runs/linear_track.png

Raster of the whole run with its phases and the rat's position, place
fields (given and estimated from the wake spikes), the most significant
NREM replay event decoded, the E->E weights before wake, after wake and
after sleep, the downscaling scatter across sleep, and the fraction of
significant replay per phase. Needs the package: PYTHONPATH=python (make
demo sets it) or installed (README.md).
"""
import os
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import hebbsleep  # noqa: E402
from hebbsleep import plots  # noqa: E402

PROJ = "ee"   # the learned recurrent E->E projection of experiments/linear_track.yaml


def best_nrem_event(e):
    """The most significant NREM event: significant by decoding, then the
    smallest of the larger decoding p, the rank-order p, the highest score."""
    nrem = np.array([str(p).startswith("nrem") for p in e["phase"]])
    k = np.flatnonzero(nrem & (e["significant"] == 1))
    if not len(k):
        k = np.flatnonzero(nrem)
    if not len(k):
        return None
    key = np.lexsort((-e["score"][k], e["p_value"][k],
                      np.maximum(e["p_shift"][k], e["p_perm"][k])))
    return int(k[key[0]])


def replay_fractions(run, ax):
    """Bars: candidate events per phase and the significant fraction."""
    e = run.replay_events
    names = [p.name for p in run.phases]
    n = np.array([np.sum(e["phase"] == p) for p in names])
    sig = np.array([np.sum((e["phase"] == p) & (e["significant"] == 1)) for p in names])
    frac = np.where(n > 0, sig / np.maximum(n, 1), 0.0)
    colours = [plots.STAGE_COLORS.get(p.stage, "0.6") for p in run.phases]
    x = np.arange(len(names))
    ax.bar(x, 100 * frac, color=colours)
    for i in range(len(names)):
        ax.text(x[i], 100 * frac[i] + 1, "%d/%d" % (sig[i], n[i]), ha="center", fontsize=7)
    ax.set_xticks(x)
    ax.set_xticklabels(names, rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("significant replay (% of events)")
    ax.set_ylim(0, 110)
    ax.set_title("replay by decoding (significant / candidate events)", fontsize=9)


def main(argv):
    if len(argv) != 3:
        sys.exit("usage: demo_figure.py RUN.h5 OUT.png")
    path, out = argv[1], argv[2]
    run = hebbsleep.load(path)
    pop = run.replay_events.attrs.get("population", "pc") if run.replay_events else "pc"

    plt.rcParams.update({"font.size": 9, "axes.titlesize": 9})
    fig = plt.figure(figsize=(11, 15), layout="constrained")
    top, mid, weights, bottom = fig.subfigures(4, 1, height_ratios=[1.0, 1.25, 0.95, 0.95])
    fig.suptitle("hebbsleep: %s (seed %s)" % (os.path.basename(path), run.meta.get("seed")),
                 fontsize=12)

    ax = plots.raster(run, [pop], ax=top.subplots())
    ax.set_title("%s spikes over the run, cells sorted by place field; rat's position in "
                 "grey (wake)" % pop, pad=14)

    a, b, c = mid.subfigures(1, 3, width_ratios=[1, 1, 1.15])
    fields = plots.wake_fields(run, pop)
    plots.place_fields(run, pop, source="true", ax=a.subplots())
    plots.place_fields(run, pop, fields=fields, ax=b.subplots())
    k = best_nrem_event(run.replay_events) if run.replay_events else None
    if k is not None:
        plots.replay_event(run, k, pop, fig=c, fields=fields)
    else:
        c.text(0.5, 0.5, "no NREM replay event", ha="center")

    snaps = plots.key_snapshots(run, PROJ)
    plots.weight_matrices(run, PROJ, snaps, fig=weights)

    d, r = bottom.subplots(1, 2)
    if "after wake" in snaps:
        plots.downscaling(run, PROJ, snaps["after wake"], snaps["after sleep"], ax=d)
        d.set_title("downscaling across sleep: w_post against w_pre, every synapse of %s"
                    % PROJ)
    if run.replay_events is not None:
        replay_fractions(run, r)

    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    fig.savefig(out, dpi=110)
    print("demo figure written to %s" % out)


if __name__ == "__main__":
    main(sys.argv)
