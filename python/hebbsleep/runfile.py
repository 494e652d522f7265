"""Reading a run file (docs/file_format.md) into numpy arrays: `load` and
the `Run` it returns (its Neo objects come from neo_convert).

Units follow the file: times in ms, positions in cm, potentials in mV,
conductances in nS, currents in pA, rates in Hz.
"""
import collections
import warnings

import h5py
import numpy as np
import yaml

from . import neo_convert

MAGIC = 0x0A7A

Spikes = collections.namedtuple("Spikes", "times_ms ids n_nodes")
Spikes.__doc__ = """Spikes of one population, in time order.

times_ms: float64 [n], ms. ids: int64 [n], population-local ids.
n_nodes: the population's size (ids lie in [0, n_nodes))."""

Phase = collections.namedtuple("Phase", "name stage start_ms stop_ms")
Phase.__doc__ = "One phase of the schedule, running over [start_ms, stop_ms)."

Behavior = collections.namedtuple("Behavior", "time_ms position_cm lap direction")
Behavior.__doc__ = """The rat's trajectory, 1 ms samples in run time (wake phases only).

position_cm: distance along the track, cm; lap: lap number;
direction: +1 / -1 running direction, 0 still."""

Trace = collections.namedtuple("Trace", "variable units time_ms node_ids data")
Trace.__doc__ = """One recorded state variable of one population.

time_ms: float64 [n_times], ms; node_ids: int64 [n_nodes];
data: float32 [n_times, n_nodes] in `units`."""

Snapshot = collections.namedtuple("Snapshot", "name t_ms phase pre post weight")
Snapshot.__doc__ = """The weights of one projection at one instant.

pre, post: int64 [n_synapses], population-local ids, (pre, post) ascending;
weight: float64 [n_synapses] in the projection's units (nS or pA)."""


class IncompleteRunWarning(UserWarning):
    """The run file was not closed cleanly (meta complete = 0)."""


class Table(collections.abc.Mapping):
    """Columns of equal length (a group such as /replay/events) with the
    group's attributes in `attrs` and each column's in `column_attrs`."""

    def __init__(self, columns, attrs=None, column_attrs=None):
        self._columns = dict(columns)
        self.attrs = dict(attrs or {})
        self.column_attrs = dict(column_attrs or {})

    def __getitem__(self, key):
        return self._columns[key]

    def __iter__(self):
        return iter(self._columns)

    def __len__(self):
        return len(self._columns)

    @property
    def n_rows(self):
        return len(next(iter(self._columns.values()))) if self._columns else 0

    def __repr__(self):
        return "Table(%d rows: %s)" % (self.n_rows, ", ".join(self._columns))


def _str(x):
    return x.decode() if isinstance(x, bytes) else str(x)


def _attr_value(v):
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, np.generic):
        return v.item()
    return v


def _read_table(g):
    cols, col_attrs = {}, {}
    for name, ds in g.items():
        if not isinstance(ds, h5py.Dataset):
            continue
        cols[name] = ds.asstr()[()] if h5py.check_string_dtype(ds.dtype) else ds[()]
        col_attrs[name] = {k: _attr_value(v) for k, v in ds.attrs.items()}
    return Table(cols, {k: _attr_value(v) for k, v in g.attrs.items()}, col_attrs)


def _apply_override(cfg, text):
    key, _, value = text.partition("=")
    node, parts = cfg, key.strip().split(".")
    for p in parts[:-1]:
        node = node.setdefault(p, {})
    node[parts[-1]] = yaml.safe_load(value)


class Run:
    """A run file read into memory. Use `load(path)`.

    Attributes
    ----------
    path : str
    complete : bool
        False when the run was interrupted (the file is still readable;
        everything up to the last flushed write is there).
    meta : dict
        version, git_commit, seed, threads, config (YAML text), overrides,
        complete, wall_s (wall-clock seconds), created (UTC).
    config : dict
        The experiment, parsed, with the run's --set overrides applied.
    dt_ms : float
    phases : list of Phase
    spikes : dict population -> Spikes
    traces : dict population -> Trace
    behavior : Behavior or None
    place_fields : dict population -> dict of arrays
        center_cm (NaN: no field), width_cm (sigma), peak_hz, direction.
    weights : dict projection -> list of Snapshot, in time order
    replay_events : Table or None
        /replay/events: one row per candidate event (docs/file_format.md).
    replay_template : Table or None
        /replay/template: REM template matching per sleep phase.
    up_states : Table or None
        /sleep/up_states: start_ms, stop_ms, phase, population.
    """

    def __init__(self, path):
        self.path = str(path)
        with h5py.File(self.path, "r") as f:
            if f.attrs.get("magic") != MAGIC:
                raise ValueError("%s: not a hebbsleep run file (no magic 0x0A7A at /)"
                                 % self.path)
            self._read(f)
        if not self.complete:
            warnings.warn("%s: the run did not finish (complete = 0); it holds what "
                          "was written before it stopped" % self.path,
                          IncompleteRunWarning, stacklevel=3)

    def _read(self, f):
        m = f["meta"].attrs if "meta" in f else {}
        self.meta = {k: _attr_value(v) for k, v in m.items()}
        self.complete = bool(self.meta.get("complete", 0))
        self.config = yaml.safe_load(self.meta.get("config", "")) or {}
        for line in str(self.meta.get("overrides", "")).splitlines():
            if "=" in line:
                _apply_override(self.config, line)
        self.dt_ms = float(self.config.get("simulation", {}).get("dt_ms", 0.1))

        self.phases = []
        if "phases" in f:
            g = f["phases"]
            self.phases = [Phase(_str(n), _str(s), float(a), float(b)) for n, s, a, b in
                           zip(g["name"][()], g["stage"][()], g["start_ms"][()],
                               g["stop_ms"][()])]

        pops = self.config.get("populations", {})
        self.spikes = {}
        for pop, g in f.get("spikes", {}).items():
            n = g.attrs.get("n_nodes", pops.get(pop, {}).get("size", 0))
            self.spikes[pop] = Spikes(g["timestamps"][()], g["node_ids"][()].astype(np.int64),
                                      int(n))

        self.traces = {}
        for pop, g in f.get("report", {}).items():
            start, stop, dt = g["mapping/time"][()]
            data = g["data"][()]
            self.traces[pop] = Trace(_str(g["data"].attrs.get("variable", "")),
                                     _str(g["data"].attrs.get("units", "")),
                                     start + dt * np.arange(data.shape[0]),
                                     g["mapping/node_ids"][()].astype(np.int64), data)

        self.behavior = None
        if "behavior" in f:
            g = f["behavior"]
            self.behavior = Behavior(g["time"][()], g["position"][()], g["lap"][()],
                                     g["direction"][()])

        self.place_fields = {pop: {k: ds[()] for k, ds in g.items()}
                             for pop, g in f.get("place_fields", {}).items()}

        self.weights = {}
        for proj, g in f.get("weights", {}).items():
            snaps = []
            for name in sorted(g):
                s = g[name]
                snaps.append(Snapshot(name, float(s.attrs["t_ms"]), _str(s.attrs["phase"]),
                                      s["pre"][()].astype(np.int64),
                                      s["post"][()].astype(np.int64), s["weight"][()]))
            self.weights[proj] = snaps

        self.replay_events = _read_table(f["replay/events"]) if "replay/events" in f else None
        self.replay_template = (_read_table(f["replay/template"])
                                if "replay/template" in f else None)
        self.up_states = _read_table(f["sleep/up_states"]) if "sleep/up_states" in f else None

    # ---- conveniences ----

    def phase(self, name):
        """The Phase called name."""
        for p in self.phases:
            if p.name == name:
                return p
        raise KeyError("no phase '%s' (phases: %s)" % (name, ", ".join(p.name for p in self.phases)))

    def stop_ms(self):
        """End of the run: the last phase's stop (an interrupted run: its last spike)."""
        t = self.phases[-1].stop_ms if self.phases else 0.0
        if not self.complete:
            last = [s.times_ms[-1] for s in self.spikes.values() if len(s.times_ms)]
            t = min(t, max(last)) if last else t
        return t

    def spikes_in(self, pop, start_ms=None, stop_ms=None):
        """Spike times (ms) and ids of pop in [start_ms, stop_ms)."""
        s = self.spikes[pop]
        lo = 0 if start_ms is None else np.searchsorted(s.times_ms, start_ms, "left")
        hi = len(s.times_ms) if stop_ms is None else np.searchsorted(s.times_ms, stop_ms, "left")
        return s.times_ms[lo:hi], s.ids[lo:hi]

    def rate(self, pop, start_ms=None, stop_ms=None):
        """Mean rate per neuron of pop in [start_ms, stop_ms), Hz."""
        a = 0.0 if start_ms is None else start_ms
        b = self.stop_ms() if stop_ms is None else stop_ms
        t, _ = self.spikes_in(pop, a, b)
        n = self.spikes[pop].n_nodes
        return len(t) / (n * (b - a) * 1e-3) if n and b > a else float("nan")

    def weight_matrix(self, proj, snapshot=-1):
        """Dense [n_pre, n_post] weights of one snapshot (index or name); 0 where
        there is no synapse (several synapses of a pair are summed)."""
        snaps = self.weights[proj]
        s = (next(x for x in snaps if x.name == snapshot) if isinstance(snapshot, str)
             else snaps[snapshot])
        attrs = self.config.get("projections", {}).get(proj, {})
        n_pre = self.spikes[attrs["pre"]].n_nodes if attrs.get("pre") in self.spikes else 0
        n_post = self.spikes[attrs["post"]].n_nodes if attrs.get("post") in self.spikes else 0
        n_pre = max(n_pre, int(s.pre.max()) + 1 if len(s.pre) else 0)
        n_post = max(n_post, int(s.post.max()) + 1 if len(s.post) else 0)
        w = np.zeros((n_pre, n_post))
        np.add.at(w, (s.pre, s.post), s.weight)
        return w

    # ---- Neo (neo_convert) ----

    def spiketrains(self, pop, start_ms=None, stop_ms=None):
        """A neo.SpikeTrain per neuron of pop over [start_ms, stop_ms):
        neo_convert.spiketrains."""
        return neo_convert.spiketrains(self, pop, start_ms, stop_ms)

    def to_neo(self):
        """A neo.Block with one Segment per phase: neo_convert.to_block."""
        return neo_convert.to_block(self)

    def __repr__(self):
        return "<hebbsleep.Run %s: %s, %d phases, %s>" % (
            self.path, "complete" if self.complete else "INCOMPLETE", len(self.phases),
            ", ".join("%s %d spikes" % (p, len(s.times_ms)) for p, s in self.spikes.items()))


def load(path):
    """Reads a run file (HDF5, docs/file_format.md) into a Run.

    An interrupted run (meta complete = 0) loads with an
    IncompleteRunWarning and run.complete False.
    """
    return Run(path)
