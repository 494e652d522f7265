"""Plots of a run: raster with phase bands, place fields, a replay event,
weight matrices and the downscaling scatter (matplotlib).

Every function draws into an `ax` (or `fig`) it is given, or makes one, and
returns it. Units: times in ms in the arguments; time axes are drawn in s
for whole runs and in ms from the event's start for replay events;
positions in cm; rates in Hz; weights in the projection's units (nS for
conductance-based cells, pA for current-based ones).

    from hebbsleep import plots
    plots.raster(run, ["pc"])
    plots.weight_matrices(run, "ee")
"""
import numpy as np

# One colour per stage, used by every band and legend.
STAGE_COLORS = {"wake": "#e8a33d", "rest": "#7bb662", "nrem": "#4f7cba", "rem": "#b5548a"}


def _ax(ax, **subplot_kw):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt
    return plt.figure().add_subplot(**subplot_kw)


def _fig(fig, figsize):
    if fig is not None:
        return fig
    import matplotlib.pyplot as plt
    return plt.figure(figsize=figsize)


# ---- place fields and orders ----

def _field_source(run, pop):
    """The place_fields table that drives pop's cells one to one (pop's own
    fields, or those of a place-cell population projecting one_to_one)."""
    if pop in run.place_fields:
        return run.place_fields[pop]
    for proj in run.config.get("projections", {}).values():
        if (proj.get("post") == pop and proj.get("pre") in run.place_fields
                and proj.get("connect", {}).get("rule") == "one_to_one"):
            return run.place_fields[proj["pre"]]
    return None


def field_centres(run, pop):
    """The true field centre (cm) of each cell of pop, NaN for a cell
    without a field: pop's own /place_fields, or those of a place-cell
    population driving it one to one (place -> pc in the default
    experiment). None when no fields are known."""
    f = _field_source(run, pop)
    if f is None:
        return None
    c = np.asarray(f["center_cm"], dtype=float)
    n = run.spikes[pop].n_nodes if pop in run.spikes else len(c)
    out = np.full(n, np.nan)
    out[:min(n, len(c))] = c[:n]
    return out


def field_order(centres_cm):
    """Cell ids sorted by field centre, cells without a field (NaN) after
    them in id order."""
    c = np.asarray(centres_cm, dtype=float)
    has = np.flatnonzero(~np.isnan(c))
    return np.concatenate([has[np.argsort(c[has], kind="stable")],
                           np.flatnonzero(np.isnan(c))])


def wake_fields(run, pop=None):
    """The place fields of pop (default: the run's replay population) as the
    replay detector estimates them: from the spikes of the wake phases on
    the track (replay.fields_from) against the rat's position, laid end to end
    (hebbsleep.analysis.place_fields, with the run's track, bins and running
    direction). Returns an analysis.PlaceFields: maps [n_dirs, n_cells,
    n_bins] (Hz) over bins of bin_cm (cm) from 0, centre_cm, is_place."""
    from . import analysis
    kw = analysis.run_inputs(run, pop)
    phases = analysis.on_track(kw["phases"], kw["fields_from"])
    tw = analysis.wake_time(kw["traj_t_ms"], phases)
    w = ~np.isnan(tw)
    sw = analysis.wake_time(kw["spike_t_ms"], phases)
    ok = ~np.isnan(sw)
    return analysis.place_fields(sw[ok], kw["spike_ids"][ok], kw["n_cells"], tw[w],
                                 kw["traj_x_cm"][w], kw["traj_dir"][w], track_cm=kw["track_cm"],
                                 bin_cm=kw["bin_cm"], run_dir=kw["run_dir"])


# ---- raster ----

def phase_bands(run, ax, start_ms=None, stop_ms=None, labels=True, alpha=0.18, scale=1e-3):
    """Shades each phase of run overlapping [start_ms, stop_ms) in its
    stage's colour (STAGE_COLORS) over the full height of ax, with the
    phase's name on top. x is run time times scale (1e-3: s). Returns the
    Rectangles, one per phase drawn, each with gid = the phase name."""
    from matplotlib.patches import Rectangle
    a = -np.inf if start_ms is None else start_ms
    z = np.inf if stop_ms is None else stop_ms
    out = []
    for ph in run.phases:
        lo, hi = max(ph.start_ms, a), min(ph.stop_ms, z)
        if hi <= lo:
            continue
        r = Rectangle((lo * scale, 0), (hi - lo) * scale, 1, transform=ax.get_xaxis_transform(),
                      color=STAGE_COLORS.get(ph.stage, "0.8"), alpha=alpha, lw=0, zorder=0)
        r.set_gid(ph.name)
        ax.add_patch(r)
        out.append(r)
        if labels:
            ax.text(0.5 * (lo + hi) * scale, 1.0, ph.name, transform=ax.get_xaxis_transform(),
                    ha="center", va="bottom", fontsize=7, color=STAGE_COLORS.get(ph.stage, "k"))
    return out


def raster(run, pops=None, start_ms=None, stop_ms=None, ax=None, order="field",
           position=True, markersize=1.0):
    """Spike raster of pops (default: every recorded population) over
    [start_ms, stop_ms) (ms; default: the whole run), x in s. Populations
    are stacked bottom to top in the order given; within one, cells are
    sorted by their true field centre (order="field", cells without a field
    above) or by id (order="id"). Phases are shaded by stage; where there is
    behaviour the rat's position (cm) is drawn on a twin axis (kept as
    ax.position_ax). One scatter per population, labelled with its name.
    Returns ax."""
    ax = _ax(ax)
    pops = list(run.spikes) if pops is None else [pops] if isinstance(pops, str) else list(pops)
    a = 0.0 if start_ms is None else float(start_ms)
    z = run.stop_ms() if stop_ms is None else float(stop_ms)
    base, ticks = 0, []
    for i, pop in enumerate(pops):
        t, ids = run.spikes_in(pop, a, z)
        n = run.spikes[pop].n_nodes
        c = field_centres(run, pop) if order == "field" else None
        row = np.arange(n)
        if c is not None:
            row[field_order(c)] = np.arange(n)
        ax.scatter(t * 1e-3, base + row[ids], s=markersize, marker=".", lw=0,
                   color="C%d" % i if i else "k", label=pop, rasterized=True)
        ticks.append((base + n / 2, pop + (" (by field)" if c is not None else "")))
        base += n
    ax.set_xlim(a * 1e-3, z * 1e-3)
    ax.set_ylim(0, max(base, 1))
    ax.set_yticks([p for p, _ in ticks])
    ax.set_yticklabels([s for _, s in ticks], rotation=90, va="center")
    ax.set_xlabel("time (s)")
    ax.set_ylabel("cell")
    phase_bands(run, ax, a, z)
    b = run.behavior
    if position and b is not None:
        k = (b.time_ms >= a) & (b.time_ms < z)
        if k.any():
            tt, xx = b.time_ms[k], b.position_cm[k].astype(float)
            gap = np.flatnonzero(np.diff(tt) > 1.5 * np.median(np.diff(tt))) + 1 if len(tt) > 1 else []
            tt, xx = np.insert(tt, gap, np.nan), np.insert(xx, gap, np.nan)  # no line across sleep
            ax2 = ax.twinx()
            ax2.plot(tt * 1e-3, xx, color="0.25", lw=0.7, label="position")
            ax2.set_ylabel("position (cm)")
            ax2.set_ylim(bottom=0)
            ax.position_ax = ax2
    return ax


# ---- place fields ----

def place_fields(data, pop="pc", source="spikes", bin_cm=2.5, bin_edges_cm=None, ax=None,
                 min_peak_hz=1.0, normalize=True, fields=None):
    """Rate maps, one row per cell, sorted by field position (the bin of
    each map's peak), cells peaking below min_peak_hz (Hz) left out (the
    detector's place-cell criterion).

    data: a Run, or an array [n_cells, n_bins] of rate maps (Hz) over
    bin_edges_cm (cm; default 0..n_bins). With a Run, source "spikes" maps
    pop's wake spikes against the rat's position while running, as the
    replay detector does (wake_fields, its bins; or the PlaceFields given
    as fields), "true" draws the Gaussian fields the run was given (centre,
    width sigma, peak; bins of bin_cm). normalize scales each row to its
    peak. Returns ax (the image is ax.images[0])."""
    ax = _ax(ax)
    if hasattr(data, "spikes"):
        if source == "true":
            f = _field_source(data, pop)
            if f is None:
                raise ValueError("no true place fields for %s" % pop)
            length = float(data.config.get("task", {}).get("length_cm", 200))
            bin_edges_cm = np.linspace(0, length, int(np.ceil(length / bin_cm)) + 1)
            x = 0.5 * (bin_edges_cm[1:] + bin_edges_cm[:-1])
            c, w, p = (np.asarray(f[k], float)[:, None] for k in ("center_cm", "width_cm", "peak_hz"))
            maps = np.nan_to_num(p * np.exp(-0.5 * ((x[None, :] - c) / w) ** 2))
            title = "place fields (given), %s" % pop
        else:
            f = fields if fields is not None else wake_fields(data, pop)
            maps = f.maps[0]
            bin_edges_cm = f.bin_cm * np.arange(f.n_bins + 1)
            title = "place fields from wake spikes, %s" % pop
    else:
        maps = np.asarray(data, dtype=float)
        title = "place fields"
        if bin_edges_cm is None:
            bin_edges_cm = np.arange(maps.shape[1] + 1, dtype=float)
    peak = maps.max(axis=1) if maps.size else np.zeros(0)
    keep = np.flatnonzero(peak >= min_peak_hz)
    keep = keep[np.argsort(np.argmax(maps[keep], axis=1), kind="stable")]
    img = maps[keep] / peak[keep, None] if normalize else maps[keep]
    im = ax.imshow(img, aspect="auto", interpolation="nearest", cmap="viridis",
                   extent=(bin_edges_cm[0], bin_edges_cm[-1], len(keep), 0))
    ax.set_xlabel("position (cm)")
    ax.set_ylabel("cell (sorted by field)")
    ax.set_title("%s: %d cells" % (title, len(keep)))
    ax.figure.colorbar(im, ax=ax, label="rate / peak" if normalize else "rate (Hz)")
    return ax


# ---- replay ----

def event_spikes(times_ms, ids, centres_cm, t0_ms=0.0, ax=None):
    """One event's spikes (times ms, cell ids) drawn at their cell's field
    centre (cm; NaN: not drawn), x in ms from t0_ms, so that a sequence
    replayed along the track climbs (forward) or falls (reverse). Returns
    ax (the spikes are ax.collections[0])."""
    ax = _ax(ax)
    t, ids = np.asarray(times_ms, float), np.asarray(ids, np.int64)
    y = np.asarray(centres_cm, float)[ids]
    ok = ~np.isnan(y)
    ax.scatter(t[ok] - t0_ms, y[ok], s=9, marker="|", color="k", lw=1)
    ax.set_ylabel("field centre (cm)")
    return ax


def posterior(post, tbin_edges_ms, xbin_edges_cm, slope_cm_per_s=None, intercept_cm=None,
              ax=None, t0_ms=None):
    """A decoded posterior post [n_tbins, n_xbins] (each row sums to 1)
    over time bins tbin_edges_ms (ms) and position bins xbin_edges_cm (cm),
    time on x in ms from t0_ms (default the first edge), with the fitted
    line x(t) = intercept_cm + slope_cm_per_s * (t - tbin_edges_ms[0]) / 1000
    (cm; intercept at the first edge) when given. Returns ax (the image is
    ax.collections[0], the line ax.lines[0])."""
    ax = _ax(ax)
    te = np.asarray(tbin_edges_ms, float)
    xe = np.asarray(xbin_edges_cm, float)
    t0 = te[0] if t0_ms is None else t0_ms
    mesh = ax.pcolormesh(te - t0, xe, np.asarray(post, float).T, cmap="bone_r",
                         shading="flat", rasterized=True)
    if slope_cm_per_s is not None and intercept_cm is not None:
        x = intercept_cm + slope_cm_per_s * (te - te[0]) * 1e-3
        ax.plot(te - t0, x, color="C3", lw=1.5, ls="--",
                label="fit, %.0f cm/s" % slope_cm_per_s)
        ax.legend(loc="upper left", fontsize=7, frameon=False)
    ax.set_ylim(xe[0], xe[-1])
    ax.set_xlabel("time from event start (ms)")
    ax.set_ylabel("decoded position (cm)")
    ax.figure.colorbar(mesh, ax=ax, label="P(position)")
    return ax


def decode_event(run, event, pop=None, fields=None):
    """Decodes replay event number `event` (a row of run.replay_events) as
    the detector does (hebbsleep.analysis: spike_counts, decode, line_fit;
    time bins of the events' tbin_ms from the event's start, place cells'
    maps from wake_fields unless fields are given). Returns (posterior
    [n_tbins, n_bins], tbin_edges_ms (ms), xbin_edges_cm (cm),
    slope_cm_per_s, intercept_cm): the best line runs through the centres
    of its first and last time bins; intercept_cm is its position at the
    first time edge."""
    from . import analysis
    e = run.replay_events
    pop = pop or e.attrs.get("population") or "pc"
    tbin = float(e.attrs.get("tbin_ms", 15.0))
    f = fields if fields is not None else wake_fields(run, pop)
    a, z = float(e["start_ms"][event]), float(e["stop_ms"][event])
    t, ids = run.spikes_in(pop, a, z)
    counts = analysis.spike_counts(t, ids, f.n_cells, a, z, tbin)[f.place_ids]
    post = analysis.decode(f.decode_maps, counts, tbin)
    line = analysis.line_fit(post)
    n_t = post.shape[0]
    tedges = a + tbin * np.arange(n_t + 1)
    xedges = f.bin_cm * np.arange(post.shape[1] + 1)
    slope = line["slope"] * f.bin_cm / (tbin * 1e-3)           # bins per time bin -> cm/s
    intercept = (line["start_bin"] + 0.5) * f.bin_cm - slope * 0.5 * tbin * 1e-3
    return post, tedges, xedges, slope, intercept


def replay_event(run, event, pop=None, fig=None, axes=None, post=None, tbin_edges_ms=None,
                 xbin_edges_cm=None, slope_cm_per_s=None, intercept_cm=None, centres_cm=None,
                 fields=None):
    """Replay event number `event` (a row of run.replay_events): its spikes
    ordered by field centre (event_spikes) above its decoded posterior with
    the fitted line (posterior), both in ms from the event's start.

    pop defaults to the detector's population (replay_events.attrs). The
    posterior [n_tbins, n_xbins] with its edges (ms, cm) and the line
    (slope cm/s, intercept cm at the first time edge) may be given; without
    them it decodes the event (decode_event, hebbsleep.analysis). centres_cm (cm per cell) defaults
    to the true fields (field_centres), else the wake maps' peaks; fields
    (wake_fields' PlaceFields) spares estimating them again.
    axes: two axes (spikes, posterior), else made in fig. Returns the
    figure."""
    e = run.replay_events
    pop = pop or e.attrs.get("population") or "pc"
    a, z = float(e["start_ms"][event]), float(e["stop_ms"][event])
    if axes is None:
        fig = _fig(fig, (5, 5))
        axes = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [1, 1.2]})
    ax1, ax2 = axes
    if centres_cm is None:
        centres_cm = field_centres(run, pop)
    if centres_cm is None:
        fields = fields if fields is not None else wake_fields(run, pop)
        centres_cm = fields.centre_cm[0]
    t, ids = run.spikes_in(pop, a, z)
    event_spikes(t, ids, centres_cm, a, ax1)
    ax1.set_xlim(0, z - a)
    ax1.set_title("replay event %d (%s): %d cells\nrank rho %.2f (p %.2g), line score %.2f,\n"
                  "%.0f cm/s = %.0fx running speed"
                  % (event, e["phase"][event], e["n_cells"][event], e["rank_corr"][event],
                     e["p_value"][event], e["score"][event], e["slope_cm_per_s"][event],
                     e["compression"][event]), fontsize=9)
    if post is None:
        post, tbin_edges_ms, xbin_edges_cm, slope_cm_per_s, intercept_cm = \
            decode_event(run, event, pop, fields)
    posterior(post, tbin_edges_ms, xbin_edges_cm, slope_cm_per_s, intercept_cm, ax2, t0_ms=a)
    ax1.set_ylim(xbin_edges_cm[0], xbin_edges_cm[-1])
    ax1.set_xlabel("")
    # a hidden colour bar keeps the spikes as wide as the posterior below
    ax1.figure.colorbar(ax2.collections[0], ax=ax1).ax.set_visible(False)
    return ax1.figure


# ---- weights ----

def _weight_units(run, proj):
    p = run.config.get("projections", {}).get(proj, {})
    model = run.config.get("populations", {}).get(p.get("post"), {}).get("model", "")
    return "pA" if model == "lif_cuba" else "nS"


def _snapshot_index(run, proj, snapshot):
    snaps = run.weights[proj]
    if isinstance(snapshot, str):
        return next(i for i, s in enumerate(snaps) if s.name == snapshot)
    return range(len(snaps))[snapshot]


def key_snapshots(run, proj):
    """Indices of the snapshots of proj that frame learning and sleep:
    "before wake" (the last taken at or before the first wake phase
    starts), "after wake" (the first at or after the last wake phase ends:
    with a rest after running, the first after the rest, i.e. before the
    sleep that follows), "after sleep" (the last). Keys whose moment the
    run lacks are left out."""
    snaps, out = run.weights[proj], {}
    if not snaps:
        return out
    t = np.array([s.t_ms for s in snaps])
    wake = [p for p in run.phases if p.stage == "wake"]
    if wake:
        before = np.flatnonzero(t <= wake[0].start_ms)
        if len(before):
            out["before wake"] = int(before[-1])
        end = wake[-1].stop_ms
        for p in run.phases:                # a rest straight after running counts as awake
            if p.start_ms == end and p.stage == "rest":
                end = p.stop_ms
        after = np.flatnonzero(t >= end)
        if len(after):
            out["after wake"] = int(after[0])
    out["after sleep"] = len(snaps) - 1
    return out


def weight_matrix(run, proj, snapshot=-1, ax=None, place_only=True, vmax=None, colorbar=True):
    """The weights of proj at one snapshot (index or name), rows presynaptic
    and columns postsynaptic, each sorted by the true field centre of its
    population's cells (field_order; place_only keeps only cells with a
    field), 0 where there is no synapse. For an E->E projection learned on
    a track, potentiation shows above the diagonal (forward). vmax in the
    projection's units (default: its 99.5th percentile). Returns ax (the
    image is ax.images[0])."""
    ax = _ax(ax)
    i = _snapshot_index(run, proj, snapshot)
    s = run.weights[proj][i]
    w = run.weight_matrix(proj, i)
    p = run.config.get("projections", {}).get(proj, {})
    orders = []
    for side, n in (("pre", w.shape[0]), ("post", w.shape[1])):
        c = field_centres(run, p.get(side)) if p.get(side) in run.spikes else None
        if c is None:
            orders.append(np.arange(n))
        else:
            o = field_order(c[:n])
            orders.append(o[~np.isnan(c[o])] if place_only else o)
    w = w[np.ix_(orders[0], orders[1])]
    if vmax is None:
        vmax = np.percentile(w, 99.5) if w.size else 1.0
    im = ax.imshow(w, aspect="auto", interpolation="nearest", cmap="magma", vmin=0, vmax=vmax)
    ax.set_xlabel("post cell (sorted by field)")
    ax.set_ylabel("pre cell (sorted by field)")
    ax.set_title("%s at %.0f s (%s)" % (proj, s.t_ms * 1e-3, s.phase), fontsize=9)
    if colorbar:
        ax.figure.colorbar(im, ax=ax, label="weight (%s)" % _weight_units(run, proj))
    return ax


def weight_matrices(run, proj, snapshots=None, fig=None, axes=None, place_only=True):
    """weight_matrix side by side for several snapshots (default
    key_snapshots: before wake, after wake, after sleep), one colour scale
    (the 99.5th percentile over them) and one colour bar. snapshots: a dict
    title -> index/name, or a list. Returns the figure."""
    if snapshots is None:
        snapshots = key_snapshots(run, proj)
    if not isinstance(snapshots, dict):
        snapshots = {str(s): s for s in snapshots}
    if axes is None:
        fig = _fig(fig, (4 * len(snapshots), 3.6))
        axes = fig.subplots(1, len(snapshots), squeeze=False)[0]
    vals = [run.weights[proj][_snapshot_index(run, proj, s)].weight for s in snapshots.values()]
    vmax = np.percentile(np.concatenate(vals), 99.5) if vals else 1.0
    for ax, (title, s) in zip(axes, snapshots.items()):
        weight_matrix(run, proj, s, ax, place_only, vmax, colorbar=False)
        ax.set_title("%s: %s" % (title, ax.get_title()), fontsize=9)
    fig = axes[0].figure
    fig.colorbar(axes[0].images[0], ax=list(axes), label="weight (%s)" % _weight_units(run, proj))
    return fig


def downscaling(run, proj, before, after, ax=None, max_points=20000, seed=0):
    """w_post against w_pre for every synapse of proj between two snapshots
    (index or name) with the least-squares line w_post = a w_pre + c and the
    identity; the legend gives a, c (projection's units) and Spearman's rho
    over all synapses. Only the drawing is thinned to max_points synapses
    (a fixed random subset; None: all); the fit and rho use every synapse.
    Returns ax; ax.fit = (a, c, rho)."""
    from scipy.stats import spearmanr
    ax = _ax(ax)
    snaps = run.weights[proj]
    s0 = snaps[_snapshot_index(run, proj, before)]
    s1 = snaps[_snapshot_index(run, proj, after)]
    if not (np.array_equal(s0.pre, s1.pre) and np.array_equal(s0.post, s1.post)):
        raise ValueError("snapshots %s and %s hold different synapses" % (s0.name, s1.name))
    x, y = s0.weight, s1.weight
    a, c = np.polyfit(x, y, 1)
    rho = spearmanr(x, y).correlation
    k = np.arange(len(x))
    if max_points is not None and len(x) > max_points:
        k = np.sort(np.random.default_rng(seed).choice(len(x), max_points, replace=False))
    u = _weight_units(run, proj)
    ax.scatter(x[k], y[k], s=6, lw=0, alpha=0.5, color="C0", rasterized=True,
               label="synapses (Spearman rho = %.3f)" % rho)
    xs = np.array([0.0, x.max() if len(x) else 1.0])
    ax.plot(xs, a * xs + c, color="C3", lw=1, ls="--",
            label="fit: w_post = %.3f w_pre %+.3f %s" % (a, c, u))
    ax.plot(xs, xs, color="0.5", ls=":", label="w_post = w_pre")
    ax.set_xlabel("w_pre (%s), %s at %.0f s" % (u, s0.phase, s0.t_ms * 1e-3))
    ax.set_ylabel("w_post (%s), %s at %.0f s" % (u, s1.phase, s1.t_ms * 1e-3))
    ax.set_title("downscaling of %s" % proj, fontsize=9)
    ax.legend(loc="upper left", fontsize=7)
    ax.fit = (a, c, rho)
    return ax
