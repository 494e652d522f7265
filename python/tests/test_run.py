"""hebbsleep.load, Run, Neo conversion and simulate, against the binary's own
summary (`hebbsleep info`), analytic solutions and conservation of spikes."""
import os
import signal
import subprocess
import tempfile
import time
import unittest
import warnings

import h5py
import numpy as np

import hebbsleep

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# A lif_cuba cell with constant I_e and no input: V(t) = E_L + R I_e (1 - e^{-t/tau}),
# recorded every step; a noisy network with a plastic projection in two phases.
EXPERIMENT = {
    "simulation": {"dt_ms": 0.1, "seed": 3},
    "populations": {
        "step": {"model": "lif_cuba", "size": 2,
                 "params": {"tau_m": 10, "C_m": 250, "E_L": -65, "V_th": 100,
                            "V_reset": -65, "I_e": 500}},
        "noise": {"model": "poisson", "size": 100, "params": {"rate": 20}},
        "exc": {"model": "lif_coba", "size": 50},
    },
    "projections": {
        "ne": {"pre": "noise", "post": "exc", "receptor": "ex", "weight": 6,
               "connect": {"rule": "fixed_indegree", "indegree": 20},
               "plasticity": {"rule": "stdp_pair",
                              "params": {"A_plus": 0.01, "A_minus": 0.012, "w_max": 12}}},
    },
    "recording": {"spikes": ["noise", "exc"],
                  "traces": {"step": {"variable": "V_m", "ids": [0, 1]}},
                  "weights": {"ne": {}}},
    "schedule": [{"name": "first", "stage": "wake", "duration_ms": 300},
                 {"name": "second", "stage": "nrem", "duration_ms": 200}],
}


class TestRun(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.res = hebbsleep.simulate(EXPERIMENT, threads=1, progress=False)

    def test_phases_and_meta(self):
        r = self.res
        self.assertTrue(r.complete)
        self.assertEqual([(p.name, p.stage, p.start_ms, p.stop_ms) for p in r.phases],
                         [("first", "wake", 0.0, 300.0), ("second", "nrem", 300.0, 500.0)])
        self.assertEqual(r.meta["seed"], 3)
        self.assertEqual(r.config["populations"]["exc"]["size"], 50)

    def test_rates_agree_with_info(self):
        # the binary's own summary is a second code path over the same file
        out = subprocess.run([hebbsleep.runner.binary(), "info", self.res.path],
                             capture_output=True, text=True, check=True).stdout
        for pop in ("noise", "exc"):
            line = next(x for x in out.splitlines() if x.strip().startswith(pop + " "))
            hz = float(line.split("Hz per neuron")[0].split(",")[-1])
            self.assertAlmostEqual(self.res.rate(pop), hz, places=3)
        # and the Poisson source fires at its rate, within 4 SE
        n = len(self.res.spikes["noise"].times_ms)
        self.assertLess(abs(n - 20 * 100 * 0.5), 4 * np.sqrt(20 * 100 * 0.5))

    def test_trace_is_the_analytic_charging_curve(self):
        tr = self.res.traces["step"]
        self.assertEqual((tr.variable, tr.units), ("V_m", "mV"))
        self.assertEqual(list(tr.node_ids), [0, 1])
        self.assertEqual(tr.data.shape, (5000, 2))
        # a sample at step k holds V after k + 1 steps (or k: accept the closer)
        R, tau = 10 / 250, 10.0
        v = -65 + R * 500 * (1 - np.exp(-(tr.time_ms + 0.1) / tau))
        v0 = -65 + R * 500 * (1 - np.exp(-tr.time_ms / tau))
        err = min(np.abs(tr.data[:, 0] - v).max(), np.abs(tr.data[:, 0] - v0).max())
        self.assertLess(err, 1e-4)  # float32 storage of ~-50 mV: 4e-6 resolution
        np.testing.assert_array_equal(tr.data[:, 0], tr.data[:, 1])

    def test_spiketrains_conserve_spikes(self):
        s = self.res.spikes["exc"]
        trains = self.res.spiketrains("exc")
        self.assertEqual(len(trains), 50)
        self.assertEqual(sum(len(t) for t in trains), len(s.times_ms))
        for i, t in enumerate(trains):
            self.assertEqual(t.annotations["node_id"], i)
            mine = np.sort(s.times_ms[s.ids == i])
            np.testing.assert_array_equal(t.rescale("ms").magnitude, mine)

    def test_to_neo_segments_split_spikes_by_phase(self):
        block = self.res.to_neo()
        self.assertEqual([seg.name for seg in block.segments], ["first", "second"])
        for pop in ("noise", "exc"):
            total = sum(len(st) for seg in block.segments for st in seg.spiketrains
                        if st.annotations["population"] == pop)
            self.assertEqual(total, len(self.res.spikes[pop].times_ms))
        seg = block.segments[1]
        self.assertEqual(float(seg.spiketrains[0].t_start.rescale("ms")), 300.0)
        sig = [a for a in seg.analogsignals if a.name == "step.V_m"][0]
        self.assertEqual(sig.shape, (2000, 2))
        self.assertAlmostEqual(float(sig.sampling_period.rescale("ms")), 0.1)

    def test_weights_snapshots_and_matrix(self):
        snaps = self.res.weights["ne"]
        self.assertGreaterEqual(len(snaps), 2)
        self.assertEqual(snaps[0].t_ms, 0.0)
        self.assertTrue(np.all(snaps[0].weight == 6))
        # fixed in-degree: every post cell has exactly 20 synapses
        np.testing.assert_array_equal(np.bincount(snaps[-1].post, minlength=50), 20)
        w = self.res.weight_matrix("ne")
        self.assertEqual(w.shape, (100, 50))
        self.assertAlmostEqual(w.sum(), snaps[-1].weight.sum(), places=9)
        self.assertFalse(np.array_equal(snaps[0].weight, snaps[-1].weight))  # STDP acted

    def test_same_seed_same_run_any_threads(self):
        other = hebbsleep.simulate(EXPERIMENT, threads=2, progress=False)
        np.testing.assert_array_equal(other.spikes["exc"].times_ms,
                                      self.res.spikes["exc"].times_ms)
        np.testing.assert_array_equal(other.weights["ne"][-1].weight,
                                      self.res.weights["ne"][-1].weight)
        reseeded = hebbsleep.simulate(EXPERIMENT, seed=4, threads=1, progress=False)
        self.assertEqual(reseeded.meta["seed"], 4)
        self.assertFalse(np.array_equal(reseeded.spikes["noise"].times_ms,
                                        self.res.spikes["noise"].times_ms))

    def test_overrides_reach_the_binary(self):
        r = hebbsleep.simulate(EXPERIMENT, {"populations.noise.params.rate": 0},
                               progress=False)
        self.assertEqual(len(r.spikes["noise"].times_ms), 0)
        self.assertEqual(r.config["populations"]["noise"]["params"]["rate"], 0)


class TestErrors(unittest.TestCase):
    def test_bad_config_raises_with_the_binary_message(self):
        bad = dict(EXPERIMENT, populations=dict(EXPERIMENT["populations"]))
        bad["populations"]["exc"] = {"model": "lif_coba", "size": 50,
                                     "params": {"C_m": -1}}
        with self.assertRaises(hebbsleep.SimulationError) as cm:
            hebbsleep.simulate(bad, progress=False)
        self.assertEqual(cm.exception.returncode, 2)
        self.assertIn("populations.exc.params.C_m", cm.exception.message)
        self.assertRegex(cm.exception.message, r"experiment\.yaml:\d+:\d+")

    def test_bad_override_raises(self):
        with self.assertRaises(hebbsleep.SimulationError) as cm:
            hebbsleep.simulate(EXPERIMENT, {"populations.exc.size": -3}, progress=False)
        self.assertEqual(cm.exception.returncode, 2)
        self.assertIn("populations.exc.size", cm.exception.message)

    def test_not_a_run_file(self):
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "x.h5")
            with h5py.File(p, "w") as f:
                f["a"] = 1
            with self.assertRaisesRegex(ValueError, "not a hebbsleep run file"):
                hebbsleep.load(p)

    def test_interrupted_run_loads_and_says_so(self):
        with tempfile.TemporaryDirectory() as d:
            h5 = os.path.join(d, "killed.h5")
            cfg = os.path.join(ROOT, "bench", "cuba.yaml")
            p = subprocess.Popen([hebbsleep.runner.binary(), "run", cfg, "-o", h5, "--quiet",
                                  "--threads", "1", "--set", "simulation.duration_ms=600000"])
            try:
                deadline = time.time() + 60
                while time.time() < deadline and not _has_spikes(h5):
                    time.sleep(0.2)
            finally:
                p.send_signal(signal.SIGKILL)
                p.wait()
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                r = hebbsleep.load(h5)
            self.assertFalse(r.complete)
            self.assertTrue(any(issubclass(x.category, hebbsleep.IncompleteRunWarning)
                                for x in w))
            self.assertGreater(len(r.spikes["exc"].times_ms), 0)
            self.assertLess(r.stop_ms(), 600000.0)
            self.assertGreater(r.rate("exc"), 0)


def _has_spikes(path):
    try:
        with h5py.File(path, "r", locking=False) as f:
            return f["spikes/exc/timestamps"].shape[0] > 0
    except (OSError, KeyError):
        return False


if __name__ == "__main__":
    unittest.main()
