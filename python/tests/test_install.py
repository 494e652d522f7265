"""The package installs offline as README.md says, into a virtual environment
that sees Debian's packages, and `import hebbsleep` then works from outside
the repository without PYTHONPATH: a regular install (of a copy of python/,
so that its build/ and egg-info stay out of the tree) and an editable one
(of python/ itself, which must leave no file behind)."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import hebbsleep

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PYDIR = os.path.join(ROOT, "python")

# Every module of the package, from its files: a subpackage left out of
# pyproject.toml's packages fails to import once installed.
MODULES = sorted(
    ".".join(os.path.relpath(os.path.join(d, f[:-3]), PYDIR).split(os.sep)).replace(
        ".__init__", "")
    for d, _, files in os.walk(os.path.join(PYDIR, "hebbsleep")) for f in files
    if f.endswith(".py"))

CHECK = """
import importlib, importlib.metadata, json, sys
import hebbsleep
mods = json.loads(sys.argv[1])
for m in mods:
    importlib.import_module(m)
try:
    binary = hebbsleep.runner.binary()
except FileNotFoundError:
    binary = None
print(json.dumps({"file": hebbsleep.__file__, "version": hebbsleep.__version__,
                  "dist": importlib.metadata.version("hebbsleep"), "binary": binary}))
"""


def _env():
    """The environment of a user's shell: no PYTHONPATH, no pip settings of
    this machine, no user site-packages, no HEBBSLEEP_BIN."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "HEBBSLEEP_BIN") and not k.startswith("PIP_")}
    env.update(PIP_CONFIG_FILE=os.devnull, PYTHONNOUSERSITE="1")
    return env


def _files(top):
    """The files under top, without byte-code caches."""
    return {os.path.relpath(os.path.join(d, f), top)
            for d, dirs, files in os.walk(top) if "__pycache__" not in d for f in files}


class TestInstall(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.venv = os.path.join(cls.tmp.name, "venv")
        cls.run_ok([sys.executable, "-m", "venv", "--system-site-packages", cls.venv])

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    @classmethod
    def run_ok(cls, cmd, cwd=None):
        res = subprocess.run(cmd, cwd=cwd or cls.tmp.name, env=_env(), capture_output=True,
                             text=True)
        if res.returncode != 0:
            raise AssertionError("%s exited with %d:\n%s%s" % (" ".join(cmd), res.returncode,
                                                              res.stdout, res.stderr))
        return res.stdout

    def pip_install(self, *args):
        self.run_ok([os.path.join(self.venv, "bin", "pip"), "install", "--no-index",
                     "--no-build-isolation", "--no-deps", *args])

    def imported(self):
        """What the venv's python imports, run from outside the repository."""
        out = self.run_ok([os.path.join(self.venv, "bin", "python"), "-c", CHECK,
                           json.dumps(MODULES)])
        return json.loads(out.strip().splitlines()[-1])

    def test_regular_then_editable_install(self):
        self.assertIn("hebbsleep.analysis", MODULES)
        self.assertIn("hebbsleep.runfile", MODULES)
        src = os.path.join(self.tmp.name, "src")
        shutil.copytree(PYDIR, src, ignore=shutil.ignore_patterns(
            "tests", "__pycache__", "build", "*.egg-info"))
        self.pip_install(src)
        got = self.imported()
        self.assertTrue(got["file"].startswith(os.path.join(self.venv, "lib")), got["file"])
        self.assertEqual(got["version"], hebbsleep.__version__)
        self.assertEqual(got["dist"], hebbsleep.__version__)

        before = _files(PYDIR)
        self.pip_install("-e", PYDIR)
        self.assertEqual(_files(PYDIR), before, "the editable install left files in python/")
        got = self.imported()
        self.assertEqual(got["file"], os.path.join(PYDIR, "hebbsleep", "__init__.py"))
        self.assertEqual(got["dist"], hebbsleep.__version__)
        # an editable install finds the checkout's binary without HEBBSLEEP_BIN
        if os.path.exists(os.path.join(ROOT, "bin", "hebbsleep")):
            self.assertEqual(got["binary"], os.path.join(ROOT, "bin", "hebbsleep"))


if __name__ == "__main__":
    unittest.main()
