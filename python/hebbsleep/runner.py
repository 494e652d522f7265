"""Running the C simulator from Python, so that a notebook can sweep a
parameter in a loop."""
import os
import shutil
import subprocess
import sys
import tempfile

import yaml

from .runfile import load

_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class SimulationError(RuntimeError):
    """The binary failed. `returncode` is its exit code (2: bad input, 1:
    internal error) and `message` what it printed on stderr, e.g.
    "exp.yaml:12:5: populations.pc.params.C_m: ..."."""

    def __init__(self, message, returncode):
        super().__init__("hebbsleep exited with %d: %s" % (returncode, message))
        self.message = message
        self.returncode = returncode


def binary():
    """The hebbsleep binary: $HEBBSLEEP_BIN, else the repository's bin/hebbsleep,
    else hebbsleep on PATH."""
    b = os.environ.get("HEBBSLEEP_BIN")
    if b:
        return b
    b = os.path.join(_ROOT, "bin", "hebbsleep")
    if os.path.exists(b):
        return b
    b = shutil.which("hebbsleep")
    if b:
        return b
    raise FileNotFoundError("no hebbsleep binary: run `make` in the repository or set "
                            "HEBBSLEEP_BIN")


def _value(v):
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, (list, dict)):
        return yaml.safe_dump(v, default_flow_style=True).strip()
    return str(v)


def _relay(stream, out, keep):
    """Copies the binary's stderr to out as it comes (the progress line ends in
    \\r), keeping the last lines for an error message."""
    line = b""
    while True:
        c = stream.read1(4096) if hasattr(stream, "read1") else stream.read(4096)
        if not c:
            break
        if out is not None:
            out.write(c.decode(errors="replace"))
            out.flush()
        line += c
        *done, line = line.replace(b"\r", b"\n").split(b"\n")
        keep.extend(x.decode(errors="replace") for x in done if x.strip())
        del keep[:-20]
    if line.strip():
        keep.append(line.decode(errors="replace"))


def simulate(config, overrides=None, threads=None, output=None, seed=None,
             progress=True, overwrite=True):
    """Runs an experiment with the C binary and returns the loaded Run.

    Parameters
    ----------
    config : str or dict
        A YAML file (e.g. "experiments/linear_track.yaml", relative paths
        taken from the current directory, then the repository), or the
        experiment as a dict (written to a temporary YAML file).
    overrides : dict, optional
        {"key.path": value}, passed as --set key.path=value, e.g.
        {"simulation.duration_ms": 2000, "projections.ee.weight": 0.2}.
    threads : int, optional
        OpenMP threads (results are bitwise the same for any number).
    output : str, optional
        The run file; default: a file in a temporary directory that lives
        as long as the process.
    seed : int, optional
        Overrides simulation.seed.
    progress : bool
        Relay the binary's progress line to stderr.

    Raises
    ------
    SimulationError
        The binary failed; its message (file:line:col: key: why) is kept.
    """
    tmp = tempfile.mkdtemp(prefix="hebbsleep-")
    if isinstance(config, dict):
        path = os.path.join(tmp, "experiment.yaml")
        with open(path, "w") as fh:
            yaml.safe_dump(config, fh, sort_keys=False)
    else:
        path = str(config)
        if not os.path.exists(path) and os.path.exists(os.path.join(_ROOT, path)):
            path = os.path.join(_ROOT, path)
    if output is None:
        stem = os.path.splitext(os.path.basename(path))[0]
        output = os.path.join(tmp, stem + ".h5")
    cmd = [binary(), "run", path, "-o", str(output)]
    if overwrite:
        cmd.append("--overwrite")
    if threads is not None:
        cmd += ["--threads", str(int(threads))]
    if seed is not None:
        cmd += ["--seed", str(int(seed))]
    for k, v in (overrides or {}).items():
        cmd += ["--set", "%s=%s" % (k, _value(v))]
    cmd.append("--progress" if progress else "--quiet")
    keep = []
    # stdout to a file: a full pipe would stall the binary while we read stderr
    with tempfile.TemporaryFile() as so:
        with subprocess.Popen(cmd, stdout=so, stderr=subprocess.PIPE) as proc:
            _relay(proc.stderr, sys.stderr if progress else None, keep)
            rc = proc.wait()
        so.seek(0)
        out = so.read().decode(errors="replace")
    if rc != 0:
        msg = [x for x in keep if not x.startswith("[")] or keep
        raise SimulationError("\n".join(msg[-5:]).strip() or out.strip(), rc)
    run = load(output)
    run.stdout = out
    return run
