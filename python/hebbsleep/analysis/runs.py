"""Replay detection on a hebbsleep run: a loaded Run or a run file."""
from collections import namedtuple

import numpy as np

from .pipeline import detect_arrays
from .trajectory import Phase


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
        tracked rat both ways); bin_cm, tbin_ms, n_perm, n_shuffle and
        fields_from from its ``replay:`` section (C defaults where absent).
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
                n_shuffle=int(rp.get("n_shuffle", attrs.get("n_shuffle", 500))),
                fields_from=rp.get("fields_from"))


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
