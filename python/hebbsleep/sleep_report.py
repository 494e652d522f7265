"""Measures a sleep run (experiments/linear_track*.yaml) against the targets
of SCIENCE.md and prints one table: ripples, slow oscillation, replay
(from /replay/events, written by the run's detector), compression and
downscaling.

    /usr/bin/python3 scripts/sleep_report.py runs/linear_track.h5 [MORE.h5 ...]

With several runs (e.g. seeds) it ends with the replay counts pooled over
them and each run's post-task NREM fractions: a cycle has tens of events
and seeds differ, so a single cycle's fraction is a noisy estimate.

Ripples: the candidate events of /replay/events in NREM; their duration,
the peak of the basket-cell population spectrum (0.5 ms bins, Hann window,
80-400 Hz) inside each event, and the fraction of pyramidal cells that
fire in it. Slow oscillation, measured on the network, not its drive: down
states are stretches of >= 100 ms in which the pyramidal rate (10 ms bins,
50 ms Gaussian smoothing) stays below a fifth of the phase mean; the
frequency is down states per second. "in up%" is the fraction of events
whose peak lies in an up state of the drive (/replay/events/in_up_state),
"up time%" the fraction of the phase the drive spends in up states
(/sleep/up_states): enrichment is the first above the second. REM
template matching from /replay/template.
REM bump: pyramidal cells placed at the track field of the place cell that
drives them (/place_fields/place; the experiments wire place -> pc one to
one); in 500 ms bins with >= 20 spikes of such cells whose field centres
have an interquartile range below 25 cm (a localized bump), the median
step between consecutive such bins as a speed, the fraction of steps that
go forward, and the rates of the cells with >= 3 spikes in a bin.
Downscaling: synapses potentiated awake (weight at the end of the wake
phase above the initial weight), from the end of wake to the end of the
last NREM phase: the fall of their mean, the least-squares line
w_post = a w_pre + c and Spearman's rho.
"""
import sys
from collections import namedtuple

import h5py
import numpy as np
from scipy.ndimage import gaussian_filter1d
from scipy.stats import spearmanr

# A phase's replay events: how many, rank-order significant, decoded,
# forward among the rank-significant, |compression| of the decoded.
Counts = namedtuple("Counts", "stage events rank decoded forward compression")

# What one run's report returns for pooling: Counts per phase name (phases
# of at least 1 s), the post-task NREM phases with events, in order, and
# (phase, best factor, corrected p) per row of /replay/template.
RunReport = namedtuple("RunReport", "counts nrem templates")


class ReportError(ValueError):
    """The file lacks what the report needs (e.g. /replay/events)."""


def strs(a):
    """Decoded strings of an HDF5 string array."""
    return [x.decode() if isinstance(x, bytes) else str(x) for x in a]


def ripple_hz(t, a, b):
    """Peak frequency (Hz, 80-400) of the spike times t (ms) in [a, b): 0.5 ms
    bins, Hann window; NaN for fewer than 64 bins."""
    h, _ = np.histogram(t[(t >= a) & (t < b)], np.arange(a, b + 1e-9, 0.5))
    if len(h) < 64:
        return np.nan
    p = np.abs(np.fft.rfft((h - h.mean()) * np.hanning(len(h)))) ** 2
    f = np.fft.rfftfreq(len(h), 0.5e-3)
    sel = (f >= 80) & (f <= 400)
    return f[sel][np.argmax(p[sel])]


def down_states(t, a, b):
    """Down states [start, stop) in [a, b) from the population rate."""
    h, e = np.histogram(t[(t >= a) & (t < b)], np.arange(a, b + 1e-9, 10.0))
    r = gaussian_filter1d(h.astype(float), 5)
    low = r < 0.2 * r.mean()
    out, k = [], 0
    while k < len(low):
        if low[k]:
            s = k
            while k < len(low) and low[k]:
                k += 1
            if (k - s) * 10.0 >= 100:
                out.append((e[s], e[k]))
        else:
            k += 1
    return out


def rem_bump(pc_t, pc_id, centre, a, b):
    """Localized fraction, speed (cm/s), forward fraction, bump-cell rates (Hz)."""
    w = 500.0
    pos, rates = [], []
    for x in np.arange(a, b - w + 1e-9, w):
        m = (pc_t >= x) & (pc_t < x + w)
        ids = pc_id[m].astype(np.int64)
        c = centre[ids[ids < len(centre)]]
        c = c[np.isfinite(c)]
        if len(c) >= 20 and np.subtract(*np.percentile(c, [75, 25])) < 25:
            pos.append(np.median(c))
            n = np.bincount(ids)
            rates.extend(n[n >= 3] / (w / 1000))
        else:
            pos.append(np.nan)
    pos = np.array(pos)
    d = np.diff(pos)
    d = d[np.isfinite(d) & (np.abs(d) > 0.5)]
    speed = np.median(d) / (w / 1000) if len(d) else np.nan
    fwd = np.mean(d > 0) if len(d) else np.nan
    return np.mean(np.isfinite(pos)), speed, fwd, np.array(rates)


def report_file(path, out=None):
    """Prints the report of one run file to out (default: stdout) and
    returns its RunReport. Raises ReportError when the file has no
    /replay/events."""
    with h5py.File(path, "r") as f:
        return report(f, path, out)


def _events(f, path):
    """The columns of /replay/events the report reads."""
    if "/replay/events" not in f:
        raise ReportError(f"{path}: no /replay/events (run with a replay: section)")
    ev = f["/replay/events"]
    n = len(ev["start_ms"])
    return dict(a=ev["start_ms"][:], b=ev["stop_ms"][:], phase=strs(ev["phase"][:]),
                p=ev["p_value"][:], dir=ev["direction"][:],
                sig=ev["significant"][:] if "significant" in ev else np.zeros(n, bool),
                comp=ev["compression"][:],
                up=ev["in_up_state"][:] if "in_up_state" in ev else None)


def _phase_row(e, spk, ups, name, st, a, b, out):
    """Prints one phase's row and returns its Counts."""
    pc_t, pc_id, bc_t, n_pc = spk
    dur = (b - a) / 1000
    m = np.array([p == name for p in e["phase"]], bool)
    k = int(m.sum())
    d = np.median(e["b"][m] - e["a"][m]) if k else np.nan
    rip = (np.nanmedian([ripple_hz(bc_t, x, y) for x, y in zip(e["a"][m], e["b"][m])])
           if k else np.nan)
    cells = [len(np.unique(pc_id[(pc_t >= x) & (pc_t < y)])) / n_pc
             for x, y in zip(e["a"][m], e["b"][m])]
    sig = (e["p"][m] < 0.05)
    dec = e["sig"][m] > 0
    fwd = np.mean(e["dir"][m][sig] > 0) if sig.any() else np.nan
    comp = np.nanmedian(np.abs(e["comp"][m][dec])) if dec.any() else np.nan
    rate = np.sum((pc_t >= a) & (pc_t < b)) / n_pc / dur
    so = inup = uptime = np.nan
    if st == "nrem":
        so = len(down_states(pc_t, a, b)) / dur
        if ups is not None:
            u = ups[2] == name
            uptime = np.sum(ups[1][u] - ups[0][u]) / (b - a)
        if k and e["up"] is not None:
            inup = np.mean(e["up"][m] == 1)
    print(f"{name:10s} {st:5s} {rate:6.2f} {k:6d} {k/dur:5.2f} {d:6.0f} {rip:6.0f} "
          f"{100*np.mean(cells) if k else np.nan:6.1f} "
          f"{int(sig.sum()):4d} ({100*sig.mean() if k else 0:3.0f}%) "
          f"{int(dec.sum()):7d} {100*fwd:5.0f} {comp:6.1f} {so:5.2f} "
          f"{100*inup:6.0f} {100*uptime:8.0f}", file=out)
    return Counts(st, k, int(sig.sum()), int(dec.sum()), int(np.sum(e["dir"][m][sig] > 0)),
                  list(np.abs(e["comp"][m][dec])))


def _templates(f, out):
    """Prints and returns /replay/template's (phase, best factor, corrected p)."""
    templates = []
    if "/replay/template" in f:
        tp = f["/replay/template"]
        for name, fac, p in zip(strs(tp["phase"][:]), tp["best_factor"][:], tp["p_best"][:]):
            templates.append((name, float(fac), float(p)))
            print(f"template matching {name:8s}: best time-scale factor {fac:.2f}x, "
                  f"corrected p {p:.3f}", file=out)
    return templates


def _rem_bumps(f, spk, phases, out):
    """Prints the REM bump line of each REM phase (needs /place_fields/place)."""
    if "/place_fields/place" not in f:
        return
    pc_t, pc_id = spk[:2]
    centre = f["/place_fields/place"]["center_cm"][:]  # NaN: no field
    for name, st, a, b in phases:
        if st != "rem":
            continue
        loc, v, fwd, r = rem_bump(pc_t, pc_id, centre, a, b)
        rr = (f"cells at {np.median(r):.0f} Hz (10-90 %: {np.percentile(r, 10):.0f}-"
              f"{np.percentile(r, 90):.0f})" if len(r) else "no bump cells")
        print(f"REM bump {name:8s}: localized {100*loc:3.0f} % of 500 ms bins, moving "
              f"{v:5.1f} cm/s, {100*fwd:3.0f} % of steps forward, {rr}", file=out)


def _downscaling(f, names, stages, out):
    """Prints the downscaling line of /weights/ee: potentiated synapses from
    the end of the last wake phase to the end of the last NREM phase."""
    g = f["/weights/ee"]
    snaps = sorted(g.keys(), key=lambda k: g[k].attrs["t_ms"])
    by_phase = {}
    for s in snaps:
        by_phase[strs([g[s].attrs["phase"]])[0]] = s
    wake = [n for n, st in zip(names, stages) if st == "wake"]
    last_nrem = [n for n, st in zip(names, stages) if st == "nrem"][-1]
    if not (wake and wake[-1] in by_phase and last_nrem in by_phase):
        return
    w0 = g[snaps[0]]["weight"][:]
    wa = g[by_phase[wake[-1]]]["weight"][:]
    wb = g[by_phase[last_nrem]]["weight"][:]
    pot = wa > w0 * 1.0001
    fall = 1 - wb[pot].mean() / wa[pot].mean()
    A = np.vstack([wa[pot], np.ones(pot.sum())]).T
    (a, c), *_ = np.linalg.lstsq(A, wb[pot], rcond=None)
    rho = spearmanr(wa[pot], wb[pot])[0]
    print(f"downscaling of {pot.sum()} potentiated ee synapses, end of {wake[-1]} -> end "
          f"of {last_nrem}: mean {wa[pot].mean():.3f} -> {wb[pot].mean():.3f} nS "
          f"(-{100*fall:.1f} %), w_post = {a:.3f} w_pre + {c:.4f} nS, Spearman {rho:.3f}",
          file=out)


def report(f, path, out=None):
    """Prints the report of the open run file f (named path in the output)
    to out (default: stdout) and returns its RunReport. Raises ReportError
    when f has no /replay/events."""
    ph = f["/phases"]
    names, stages = strs(ph["name"][:]), strs(ph["stage"][:])
    phases = list(zip(names, stages, ph["start_ms"][:], ph["stop_ms"][:]))
    pc_t = f["/spikes/pc/timestamps"][:]
    pc_id = f["/spikes/pc/node_ids"][:]
    bc_t = f["/spikes/bc/timestamps"][:]
    n_pc = int(f["/spikes/pc"].attrs.get("n_nodes", pc_id.max() + 1)) if len(pc_id) else 1
    spk = (pc_t, pc_id, bc_t, n_pc)
    e = _events(f, path)
    ups = None
    if "/sleep/up_states" in f:
        u = f["/sleep/up_states"]
        ups = (u["start_ms"][:], u["stop_ms"][:], np.array(strs(u["phase"][:])))
    print(f"{path}", file=out)
    print(f"{'phase':10s} {'stage':5s} {'PC Hz':>6s} {'events':>6s} {'ev/s':>5s} "
          f"{'dur ms':>6s} {'ripple':>6s} {'cells%':>6s} {'rank p<.05':>10s} "
          f"{'decoded':>7s} {'fwd%':>5s} {'compr':>6s} {'SO Hz':>5s} {'in up%':>6s} "
          f"{'up time%':>8s}", file=out)
    counts = {name: _phase_row(e, spk, ups, name, st, a, b, out)
              for name, st, a, b in phases if b - a >= 1000}
    nrem = [n for n in names if n in counts and counts[n].stage == "nrem"
            and counts[n].events > 0 and n != "presleep"]
    if len(nrem) >= 2:
        first, last = (counts[n].rank / counts[n].events for n in (nrem[0], nrem[-1]))
        print(f"significant (rank) fraction, last / first NREM: "
              f"{last:.2f} / {first:.2f} = {last / first:.2f}", file=out)
    templates = _templates(f, out)
    _rem_bumps(f, spk, phases, out)
    _downscaling(f, names, stages, out)
    return RunReport(counts, nrem, templates)


def _pooled_line(label, cs, out):
    k, r, d, fw = (sum(getattr(c, f) for c in cs)
                   for f in ("events", "rank", "decoded", "forward"))
    comp = [x for c in cs for x in c.compression]
    print(f"{label:10s} {k:6d} {r:4d} ({100*r/max(k, 1):3.0f}%) {d:3d} ({100*d/max(k, 1):3.0f}%) "
          f"{100*fw/r if r else np.nan:5.0f} {np.nanmedian(comp) if comp else np.nan:6.1f}",
          file=out)


def pooled(runs, out=None):
    """Prints the replay counts of several RunReports summed: per sleep or
    rest phase name, all post-task NREM, each run's post-task fractions,
    and REM template factors."""
    print(f"pooled over {len(runs)} runs", file=out)
    print(f"{'phase':10s} {'events':>6s} {'rank p<.05':>10s} {'decoded':>10s} {'fwd%':>5s} "
          f"{'compr':>6s}", file=out)
    names = list(dict.fromkeys(n for counts, _, _ in runs for n in counts))
    for n in names:
        cs = [counts[n] for counts, _, _ in runs if n in counts]
        if cs[0].stage in ("nrem", "rest"):
            _pooled_line(n, cs, out)
    post = [[counts[n] for n in nrem] for counts, nrem, _ in runs]
    _pooled_line("post NREM", [c for cs in post for c in cs], out)
    fr = []
    for cs in post:
        k = sum(c.events for c in cs)
        fr.append(f"{100*sum(c.rank for c in cs)/k:.0f}/{100*sum(c.decoded for c in cs)/k:.0f}"
                  if k else "n/a")
    print("post-task NREM per run, rank / decoded: " + ", ".join(fr) + " %", file=out)
    rem = [(fac, p) for _, _, t in runs for n, fac, p in t if n.startswith("rem")]
    if rem:
        ok = sum(0.5 <= fac <= 2.0 for fac, _ in rem)
        sig = sum(p < 0.05 for _, p in rem)
        print(f"REM template: best factor in 0.5-2x in {ok} of {len(rem)} phases, "
              f"corrected p < 0.05 in {sig}", file=out)


def main(argv=None):
    """The command line: report each run file named in argv (default:
    sys.argv[1:]), then their pooled counts when there are several. Exits
    with the usage (no file) or with the message of a ReportError."""
    paths = sys.argv[1:] if argv is None else list(argv)
    if not paths:
        sys.exit(__doc__)
    try:
        runs = [report_file(p) for p in paths]
    except ReportError as e:
        sys.exit(str(e))
    if len(runs) > 1:
        pooled(runs)


if __name__ == "__main__":
    main()
