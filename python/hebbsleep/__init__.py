"""hebbsleep: read, analyse and plot the runs of the hebbsleep simulator.

    import hebbsleep
    run = hebbsleep.load("runs/linear_track.h5")       # or:
    run = hebbsleep.simulate("experiments/linear_track.yaml", threads=2)
    run.spikes["pc"].times_ms, run.phases, run.replay_events["compression"]
    block = run.to_neo()                                # a neo.Block

Modules: runfile (load, Run: a run file read into numpy arrays), runner
(simulate: runs the C binary), neo_convert (Run.to_neo: Neo objects), plots
(the standard figures), analysis (the replay detector on numpy arrays) and
sleep_report (a sleep run against SCIENCE.md's targets, pooled over runs).

Units: ms, cm, mV, nS, pA, Hz (docs/file_format.md).
"""
from .runfile import (Behavior, IncompleteRunWarning, Phase, Run, Snapshot, Spikes, Table,
                      Trace, load)
from .runner import SimulationError, simulate

__version__ = "0.1.0"
__all__ = ["load", "simulate", "Run", "Spikes", "Phase", "Behavior", "Trace", "Snapshot",
           "Table", "IncompleteRunWarning", "SimulationError"]
