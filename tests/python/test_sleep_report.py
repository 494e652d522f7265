"""scripts/sleep_report.py over several runs: the pooled counts are the sums
of each run's /replay/events, read here with h5py on their own."""
import contextlib
import copy
import importlib.util
import io
import os
import re
import sys
import tempfile
import unittest

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "python"))
import hebbsleep  # noqa: E402

_spec = importlib.util.spec_from_file_location(
    "sleep_report", os.path.join(ROOT, "scripts", "sleep_report.py"))
report = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(report)

_LIF = {"E_ex": 0, "E_in": -70, "tau_syn_ex": 5.4, "tau_syn_in": 3.3}
# experiments/linear_track.yaml in small: 160 cells, laps of a 1 m track,
# a baseline NREM, the run, two short NREM phases with downscaling.
_NREM = {"gains": {"ee": {"stdp": 0, "transmission": 1.9}, "pb": {"transmission": 0.7}},
         "set": {"noise": {"rate": 12}, "pc": {"b_g": 3, "tau_syn_in": 15}},
         "drive": {"noise": {"pattern": "slow_oscillation", "up_ms": 800, "down_ms": 250}}}
EXPERIMENT = {
    "simulation": {"dt_ms": 0.1},
    "task": {"track": "linear", "length_cm": 100, "laps": 20, "speed_cm_s": 25,
             "speed_sd_cm_s": 3, "ramp_cm": 10, "pause_s": 1, "one_way": True},
    "populations": {
        "place": {"model": "place_cells", "size": 160,
                  "params": {"field_fraction": 0.5, "sigma_cm": 6, "peak_hz": 20,
                             "out_hz": 0.1, "theta_hz": 7, "precession_deg": 360,
                             "directional": 1}},
        "noise": {"model": "poisson", "size": 160, "params": {"rate": 0}},
        "pc": {"model": "lif_coba", "size": 160,
               "params": dict(_LIF, C_m=180, g_L=4.315, E_L=-75.19, V_th=-50, V_reset=-60,
                              t_ref=5, b_g=0, tau_a=300, E_a=-80)},
        "bc": {"model": "lif_coba", "size": 20,
               "params": dict(_LIF, C_m=118.5, g_L=7.515, E_L=-74.74, V_th=-57.7,
                              V_reset=-65, t_ref=1.2, tau_syn_ex=4.1, tau_syn_in=1.2)},
    },
    "projections": {
        "mf": {"pre": "place", "post": "pc", "receptor": "ex", "weight": 25, "delay_ms": 0.1,
               "connect": {"rule": "one_to_one"}},
        "nz": {"pre": "noise", "post": "pc", "receptor": "ex", "weight": 7.5, "delay_ms": 0.1,
               "connect": {"rule": "one_to_one"}},
        "ee": {"pre": "pc", "post": "pc", "receptor": "ex", "weight": 0.1, "delay_ms": 2.2,
               "connect": {"rule": "fixed_probability", "p": 0.25, "autapses": False},
               "plasticity": {"rule": "stdp_pair",
                              "params": {"A_plus": 0.03, "A_minus": 0.03, "tau_plus": 20,
                                         "tau_minus": 20, "w_min": 0, "w_max": 20}},
               "homeostasis": [{"rule": "downscale", "params": {"rate_per_s": 0.005}}]},
        "pb": {"pre": "pc", "post": "bc", "receptor": "ex", "weight": 3.4, "delay_ms": 0.9,
               "connect": {"rule": "fixed_probability", "p": 0.25}},
        "bp": {"pre": "bc", "post": "pc", "receptor": "in", "weight": 0.65, "delay_ms": 1.1,
               "connect": {"rule": "fixed_probability", "p": 0.375}},
    },
    "recording": {"spikes": ["pc", "bc"], "weights": {"ee": {}}},
    "schedule": [
        dict(copy.deepcopy(_NREM), name="presleep", stage="nrem", duration_ms=6000,
             gains={"ee": {"stdp": 0, "downscale": 0, "transmission": 1.9},
                    "pb": {"transmission": 0.7}}),
        {"name": "run", "stage": "wake", "duration_ms": 30000,
         "gains": {"ee": {"transmission": 0.1, "downscale": 0}}},
        {"repeat": 2,
         "phases": [dict(copy.deepcopy(_NREM), name="nrem", stage="nrem", duration_ms=8000)]},
    ],
    "replay": {"population": "pc"},
}


def _events(path):
    with h5py.File(path, "r") as f:
        e = f["/replay/events"]
        return ([x.decode() if isinstance(x, bytes) else str(x) for x in e["phase"][:]],
                e["p_value"][:], e["significant"][:], e["direction"][:], e["compression"][:])


def _row(ev, names):
    """A pooled row computed here: events, rank-significant (%), decoded (%),
    forward % of the rank-significant, median |compression| of the decoded."""
    k = r = d = fw = 0
    comp = []
    for ph, p, sig, direction, c in ev:
        m = np.isin(ph, names)
        rs = m & (p < 0.05)
        k += int(m.sum())
        r += int(rs.sum())
        d += int(np.sum(sig[m] > 0))
        fw += int(np.sum(direction[rs] > 0))
        comp += list(np.abs(c[m & (sig > 0)]))
    return (f"{k} {r} ({100 * r / max(k, 1):.0f}%) {d} ({100 * d / max(k, 1):.0f}%) "
            f"{100 * fw / r if r else np.nan:.0f} "
            f"{np.nanmedian(comp) if comp else np.nan:.1f}"), k, r


def setUpModule():
    global TMP, PATHS
    TMP = tempfile.TemporaryDirectory()
    PATHS = []
    for seed in (1, 2):
        p = os.path.join(TMP.name, f"s{seed}.h5")
        hebbsleep.simulate(EXPERIMENT, seed=seed, threads=1, progress=False, output=p)
        PATHS.append(p)


def tearDownModule():
    TMP.cleanup()


class TestPooled(unittest.TestCase):
    def test_pooled_counts_are_the_runs_sums(self):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            report.pooled([report.main(p) for p in PATHS])
        text = out.getvalue()
        self.assertIn("pooled over 2 runs", text)
        pooled = text[text.index("pooled over 2 runs"):]
        ev = [_events(p) for p in PATHS]
        post = ("nrem_1", "nrem_2")
        for label, names in (("presleep", ("presleep",)), ("nrem_1", ("nrem_1",)),
                             ("nrem_2", ("nrem_2",)), ("post NREM", post)):
            row = re.search(rf"^{re.escape(label)}\s+(.*)$", pooled, re.M)
            self.assertIsNotNone(row, label)
            want, k, r = _row(ev, names)
            self.assertEqual(" ".join(re.sub(r"\(\s+", "(", row.group(1)).split()), want, label)
        # the sums must cover rank-significant events, so that a swapped
        # column (rank vs forward vs decoded) shows
        _, k, r = _row(ev, post)
        self.assertGreater(r, 0)
        self.assertLess(r, k)
        per_run = re.search(r"per run, rank / decoded: (.*) %", pooled).group(1).split(", ")
        self.assertEqual(len(per_run), 2)
        for (ph, p, sig, _, _), cell in zip(ev, per_run):
            m = np.isin(ph, post)
            n = int(m.sum())
            self.assertGreater(n, 0)
            want = f"{100 * np.sum(p[m] < 0.05) / n:.0f}/{100 * np.sum(sig[m] > 0) / n:.0f}"
            self.assertEqual(cell, want)


if __name__ == "__main__":
    unittest.main()
