"""A loaded run as Neo objects (neo.SpikeTrain, neo.Block), for tools built
on Neo such as Elephant. Neo and quantities are optional: they are imported
when a conversion is asked for.

Units are carried as `quantities`: times in ms, each trace in its file
units (mV, nS, pA).
"""
import numpy as np


def spiketrains(run, pop, start_ms=None, stop_ms=None):
    """A neo.SpikeTrain per neuron of pop (index = node id), over
    [start_ms, stop_ms) (default: the whole run), annotated with
    population and node_id."""
    import neo
    import quantities as pq
    a = 0.0 if start_ms is None else float(start_ms)
    b = run.stop_ms() if stop_ms is None else float(stop_ms)
    t, ids = run.spikes_in(pop, a, b)
    order = np.argsort(ids, kind="stable")
    t, ids = t[order], ids[order]
    n = run.spikes[pop].n_nodes
    bounds = np.searchsorted(ids, np.arange(n + 1))
    return [neo.SpikeTrain(t[bounds[i]:bounds[i + 1]] * pq.ms, t_start=a * pq.ms,
                           t_stop=b * pq.ms, name="%s[%d]" % (pop, i),
                           population=pop, node_id=i)
            for i in range(n)]


def _analogsignal(run, pop, tr, a, b):
    """The samples of trace tr in [a, b) as a neo.AnalogSignal, or None."""
    import neo
    import quantities as pq
    k = (tr.time_ms >= a) & (tr.time_ms < b)
    if not k.any():
        return None
    period = tr.time_ms[1] - tr.time_ms[0] if len(tr.time_ms) > 1 else run.dt_ms
    return neo.AnalogSignal(tr.data[k], units=tr.units or "dimensionless",
                            t_start=tr.time_ms[k][0] * pq.ms,
                            sampling_period=period * pq.ms,
                            name="%s.%s" % (pop, tr.variable),
                            population=pop, node_ids=tr.node_ids)


def _replay_epoch(events, phase):
    """The replay events of one phase as a neo.Epoch annotated with their columns."""
    import neo
    import quantities as pq
    k = events["phase"] == phase
    return neo.Epoch(times=events["start_ms"][k] * pq.ms,
                     durations=(events["stop_ms"][k] - events["start_ms"][k]) * pq.ms,
                     labels=np.array(["replay"] * int(k.sum())), name="replay events",
                     array_annotations={c: events[c][k] for c in events if c != "phase"})


def to_block(run):
    """A neo.Block with one Segment per phase: every population's spike
    trains, each trace as an AnalogSignal, and the replay events of the
    phase as an Epoch (annotated with their columns). An interrupted run
    ends with the last phase it reached."""
    import neo
    block = neo.Block(name=run.path, file_origin=run.path,
                      complete=run.complete, seed=run.meta.get("seed"))
    for ph in run.phases:
        seg = neo.Segment(name=ph.name, stage=ph.stage)
        b = min(ph.stop_ms, run.stop_ms())
        if b <= ph.start_ms:
            break
        for pop in run.spikes:
            for st in spiketrains(run, pop, ph.start_ms, b):
                seg.spiketrains.append(st)
        for pop, tr in run.traces.items():
            sig = _analogsignal(run, pop, tr, ph.start_ms, b)
            if sig is not None:
                seg.analogsignals.append(sig)
        e = run.replay_events
        if e is not None and e.n_rows:
            seg.epochs.append(_replay_epoch(e, ph.name))
        block.segments.append(seg)
    return block
