"""hebbsleep.sleep_report over several runs: the pooled counts are the sums
of each run's /replay/events, read here with h5py on their own; and
scripts/sleep_report.py prints what the package does."""
import copy
import io
import os
import re
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy as np

import hebbsleep
from hebbsleep import sleep_report as report

import test_plots  # its small network (its setUpModule is not run here)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

_NREM = {"gains": {"ee": {"stdp": 0, "transmission": 1.9}, "pb": {"transmission": 0.7}},
         "set": {"noise": {"rate": 12}, "pc": {"b_g": 3, "tau_syn_in": 15}},
         "drive": {"noise": {"pattern": "slow_oscillation", "up_ms": 800, "down_ms": 250}}}


def _experiment():
    """experiments/linear_track.yaml in small: test_plots' network at 160
    cells with basket cells, 360 deg of precession and STDP x3, a baseline
    NREM, the run, two short NREM phases with downscaling."""
    cfg = copy.deepcopy(test_plots.EXPERIMENT)
    pops, proj = cfg["populations"], cfg["projections"]
    for name in ("place", "noise", "pc"):
        pops[name]["size"] = 160
    pops["place"]["params"]["precession_deg"] = 360
    pops["bc"] = {"model": "lif_coba", "size": 20,
                  "params": {"C_m": 118.5, "g_L": 7.515, "E_L": -74.74, "V_th": -57.7,
                             "V_reset": -65, "t_ref": 1.2, "E_ex": 0, "E_in": -70,
                             "tau_syn_ex": 4.1, "tau_syn_in": 1.2}}
    stdp = proj["ee"]["plasticity"]["params"]
    stdp["A_plus"] = stdp["A_minus"] = 0.03
    proj["ee"]["homeostasis"][0]["params"]["rate_per_s"] = 0.005
    proj["pb"] = {"pre": "pc", "post": "bc", "receptor": "ex", "weight": 3.4,
                  "delay_ms": 0.9, "connect": {"rule": "fixed_probability", "p": 0.25}}
    proj["bp"] = {"pre": "bc", "post": "pc", "receptor": "in", "weight": 0.65,
                  "delay_ms": 1.1, "connect": {"rule": "fixed_probability", "p": 0.375}}
    cfg["recording"]["spikes"] = ["pc", "bc"]
    cfg["schedule"] = [
        dict(copy.deepcopy(_NREM), name="presleep", stage="nrem", duration_ms=6000,
             gains={"ee": {"stdp": 0, "downscale": 0, "transmission": 1.9},
                    "pb": {"transmission": 0.7}}),
        {"name": "run", "stage": "wake", "duration_ms": 30000,
         "gains": {"ee": {"transmission": 0.1, "downscale": 0}}},
        {"repeat": 2,
         "phases": [dict(copy.deepcopy(_NREM), name="nrem", stage="nrem", duration_ms=8000)]},
    ]
    cfg["replay"] = {"population": "pc"}
    return cfg


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
        hebbsleep.simulate(_experiment(), seed=seed, threads=1, progress=False, output=p)
        PATHS.append(p)


def tearDownModule():
    TMP.cleanup()


class TestPooled(unittest.TestCase):
    def test_pooled_counts_are_the_runs_sums(self):
        out = io.StringIO()
        report.pooled([report.report_file(p, out) for p in PATHS], out)
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

    def test_script_prints_the_package_report(self):
        out = io.StringIO()
        report.pooled([report.report_file(p, out) for p in PATHS], out)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        res = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "sleep_report.py")]
                             + PATHS, capture_output=True, text=True, env=env, cwd=TMP.name)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(res.stdout, out.getvalue())

    def test_a_run_without_replay_events_is_refused(self):
        with h5py.File(os.path.join(TMP.name, "bare.h5"), "w") as f:
            with h5py.File(PATHS[0], "r") as src:
                for name in ("phases", "spikes"):
                    src.copy(name, f)
        with self.assertRaisesRegex(report.ReportError, r"bare\.h5: no /replay/events"):
            report.report_file(os.path.join(TMP.name, "bare.h5"), io.StringIO())


if __name__ == "__main__":
    unittest.main()
