"""Replay detection on plain numpy arrays: a second implementation of the C detector.

The functions here follow replay/*.h and docs/replay.md step by step, so that
they give the same candidate events and rank correlations as the C code on
the same spikes, and p-values within shuffle noise (the shuffles draw from
numpy's Generator, not from the C code's Philox streams). They take spike
times, cell ids and the rat's trajectory as arrays, so they work on recorded
data as well as on hebbsleep run files.

Units: times in ms, positions in cm, rates in Hz, speeds in cm/s.

Pipeline (``detect_arrays``, or ``detect`` on a run):

1. ``place_fields``: rate maps from the wake spikes and positions, the wake
   phases laid end to end; a place cell's map peaks at >= 1 Hz.
2. ``candidate_events`` per phase: population rate in 5 ms bins, 10 ms
   Gaussian smoothing, above mean + 3 SD with edges at the mean, 50-500 ms,
   >= 5 active place cells, awake only below 5 cm/s.
3. ``rank_order`` (Lee & Wilson 2002) against each running direction.
4. ``replay_score``: Bayesian decoding with a line fit (Davidson,
   Kloosterman & Wilson 2009) against circular place-field shifts and
   time-bin permutations.

Modules: ``trajectory`` (phases, wake time, running speed), ``fields`` (rate
maps, place fields), ``events`` (population rate, candidate events), ``rank``
(rank order), ``decoding`` (decoding, line fit, shuffles), ``pipeline``
(``detect_arrays``) and ``runs`` (``run_inputs``, ``detect``). Every public
name is importable from the package itself.
"""
from .decoding import decode, line_fit, replay_score, spike_counts
from .events import candidate_events, population_rate
from .fields import PlaceFields, place_fields, rate_maps
from .pipeline import detect_arrays
from .rank import RankResult, rank_order
from .runs import detect, run_inputs
from .trajectory import (Phase, mean_running_speed, on_track, running_direction,
                         running_speed, wake_time)

# Constants of the old single module, outside __all__ as they were there.
from .decoding import TIE  # noqa: F401
from .trajectory import RUNNING_CM_S  # noqa: F401

# Private helpers that python/tests/test_analysis.py checks on their own.
from .events import _gauss_smooth  # noqa: F401
from .pipeline import _sorted_spikes  # noqa: F401

__all__ = [
    "Phase", "PlaceFields", "RankResult",
    "on_track", "wake_time", "running_speed", "running_direction", "mean_running_speed",
    "rate_maps", "place_fields",
    "spike_counts", "decode", "line_fit", "replay_score",
    "population_rate", "candidate_events", "rank_order",
    "detect_arrays", "run_inputs", "detect",
]
