"""The Python examples of docs/tutorial.md run as written, on a shortened
default experiment, so the tutorial cannot drift from the package."""
import contextlib
import copy
import io
import os
import re
import tempfile
import unittest

import yaml

import hebbsleep

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def shortened(cfg):
    """The default schedule with 4 laps in each wake phase (STDP x3 to learn
    about what 12 do) and one short sleep cycle."""
    cfg = copy.deepcopy(cfg)
    cfg["task"]["laps"] = 4 * sum(ph.get("stage") == "wake" for ph in cfg["schedule"])
    stdp = cfg["projections"]["ee"]["plasticity"]["params"]
    stdp["A_plus"] *= 3
    stdp["A_minus"] *= 3
    for ph in cfg["schedule"]:
        if ph.get("name") == "presleep":
            ph["duration_ms"] = 2000
        elif ph.get("stage") == "wake":
            ph["duration_ms"] = 44000
        elif ph.get("stage") == "rest":
            ph["duration_ms"] = 3000
        elif "repeat" in ph:
            ph["repeat"] = 1
            for sub in ph["phases"]:
                sub["duration_ms"] = 12000 if sub["stage"] == "nrem" else 4000
    cfg["replay"]["template_shuffles"] = 180
    return cfg


class TestTutorial(unittest.TestCase):
    def test_python_examples_run(self):
        with open(os.path.join(ROOT, "docs", "tutorial.md")) as fh:
            blocks = re.findall(r"```python\n(.*?)```", fh.read(), re.S)
        self.assertGreaterEqual(len(blocks), 4)
        real_simulate = hebbsleep.simulate

        def quick_simulate(config, overrides=None, **kw):
            with open(os.path.join(ROOT, config)) as fh:
                cfg = shortened(yaml.safe_load(fh))
            kw["threads"], kw["progress"] = 1, False
            return real_simulate(cfg, overrides, **kw)

        with tempfile.TemporaryDirectory() as d:
            h5 = os.path.join(d, "linear_track.h5")
            quick_simulate("experiments/linear_track.yaml", output=h5)
            hebbsleep.simulate = quick_simulate
            cwd = os.getcwd()
            try:
                os.chdir(ROOT)
                ns, out = {}, io.StringIO()
                for code in blocks:
                    code = code.replace("runs/linear_track.h5", h5)
                    code = code.replace("runs/replay.png", os.path.join(d, "replay.png"))
                    with contextlib.redirect_stdout(out):
                        exec(compile(code, "docs/tutorial.md", "exec"), ns)
            finally:
                os.chdir(cwd)
                hebbsleep.simulate = real_simulate
            self.assertTrue(os.path.getsize(os.path.join(d, "replay.png")) > 0)
            self.assertIsInstance(ns["run"], hebbsleep.Run)
            self.assertIn("significant, median compression", out.getvalue())


if __name__ == "__main__":
    unittest.main()
