#!/usr/bin/python3
"""Brian2 cpp_standalone twins of bench/coba.yaml, bench/cuba.yaml and
bench/coba_stdp.yaml (Brette et al. 2007 benchmarks 1 and 2, as Brian2's
examples COBA.py and CUBA.py), for bench/compare.sh and bench/scaling.sh.

usage:
  standalone.py build NET DIR [--threads N] [--duration S] [--size N] [--rate HZ]
  standalone.py run DIR [SEED]

build generates and compiles the C++ project in DIR once and prints
compile_s; run executes the compiled binary (no Python code generation, no
compilation) with a random seed given at run time and prints key=value:
wall_s (the network run alone, from Brian2's own timer), rtf, exc and inh
rates, mean ISI CV of exc, synaptic events (spikes x out-degree), synapse
count and peak RSS. NET: coba, cuba, coba_stdp, or rate (bench/rate.yaml).

Parameters are those of the YAML files, in the same units (nS, pA, mV):
  - delays: hebbsleep adds a spike of step n to the conductance at the end
    of step n + 1 (delay one step); Brian2's on_pre without delay adds it in
    step n, one step earlier, so every transmitting pathway gets delay = dt.
  - COBA's V takes RK4 steps with exact conductances in hebbsleep; Brian2's
    'rk4' on (v, ge, gi) is the same scheme up to ~1e-10 in the conductances
    (Brian2's COBA.py example uses 'euler': coarser, and a different model).
    CUBA is linear: 'exact' on both sides.
  - STDP (stdp_pair, all-to-all, additive): learning uses the spike stamps
    without delay, as hebbsleep does, so it sits in its own pathway with
    delay 0; the transmitted weight is the one after depression.
"""
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np

# Out of the YAML files (bench/coba.yaml, bench/cuba.yaml, bench/coba_stdp.yaml).
N_EXC, N_INH, P_CONN = 3200, 800, 0.02


def isi_cv(ids, times, n):
    """Mean over neurons with >= 3 spikes of std(ISI)/mean(ISI)."""
    order = np.lexsort((times, ids))
    ids, times = ids[order], times[order]
    cvs = []
    bounds = np.searchsorted(ids, np.arange(n + 1))
    for k in range(n):
        isi = np.diff(times[bounds[k]:bounds[k + 1]])
        if len(isi) >= 2:
            cvs.append(np.std(isi) / np.mean(isi))
    return float(np.mean(cvs)) if cvs else float("nan")


def build_network(net, n_total, rate_hz):
    """The NeuronGroup, Synapses and SpikeMonitor of one benchmark."""
    from brian2 import NeuronGroup, Synapses, ms, mV, nS, pF, pA, defaultclock
    dt = defaultclock.dt
    n_exc = n_total * 4 // 5
    n_inh = n_total - n_exc
    p = P_CONN * (N_EXC + N_INH) / n_total   # in-degree 80 at any size
    common = dict(refractory=5 * ms, threshold="v >= Vt", reset="v = Vr")
    if net in ("coba", "coba_stdp"):
        eqs = """dv/dt = (gL*(EL - v) + ge*(Ee - v) + gi*(Ei - v))/Cm : volt (unless refractory)
                 dge/dt = -ge/taue : siemens
                 dgi/dt = -gi/taui : siemens"""
        ns = dict(Cm=200 * pF, gL=10 * nS, EL=-60 * mV, Vt=-50 * mV, Vr=-60 * mV,
                  Ee=0 * mV, Ei=-80 * mV, taue=5 * ms, taui=10 * ms)
        P = NeuronGroup(n_total, eqs, method="rk4", namespace=ns, **common)
        P.v = "-65*mV + 5*mV*randn()"
        P.ge = "40*nS + 15*nS*randn()"
        P.gi = "200*nS + 120*nS*randn()"
        we, wi = "ge_post += 6*nS", "gi_post += 67*nS"
    elif net == "cuba":
        # hebbsleep's currents (pA) over g_L = 10 nS, as Brian2's CUBA.py writes them
        eqs = """dv/dt = (ge + gi - (v - EL))/taum : volt (unless refractory)
                 dge/dt = -ge/taue : volt
                 dgi/dt = -gi/taui : volt"""
        ns = dict(taum=20 * ms, EL=-49 * mV, Vt=-50 * mV, Vr=-60 * mV, taue=5 * ms,
                  taui=10 * ms)
        P = NeuronGroup(n_total, eqs, method="exact", namespace=ns, **common)
        P.v = "Vr + rand()*(Vt - Vr)"
        we, wi = "ge_post += 16.2*pA/(10*nS)", "gi_post += -90*pA/(10*nS)"
    else:
        return build_rate(n_total, rate_hz)
    Pe, Pi = P[:n_exc], P[n_exc:]
    syns = []
    if net == "coba_stdp":
        model = """w : siemens
                   dapre/dt = -apre/taup : 1 (event-driven)
                   dapost/dt = -apost/taum_stdp : 1 (event-driven)"""
        plast_ns = dict(taup=20 * ms, taum_stdp=20 * ms, Aplus=0.005, Aminus=0.00525,
                        wmin=0 * nS, wmax=12 * nS)
        Cee = Synapses(Pe, Pe, model,
                       on_pre={"pre": "ge_post += w",
                               "learn": """w = clip(w - Aminus*wmax*apost, wmin, wmax)
                                           apre += 1"""},
                       on_post="""w = clip(w + Aplus*wmax*apre, wmin, wmax)
                                  apost += 1""",
                       namespace=plast_ns)
        Cee.connect(p=p)
        Cee.w = 6 * nS
        Cee.pre.delay = dt
        Cee.learn.delay = 0 * ms
        Cei = Synapses(Pe, Pi, on_pre=we, delay=dt)
        Cei.connect(p=p)
        syns += [Cee, Cei]
    else:
        Ce = Synapses(Pe, P, on_pre=we, delay=dt)
        Ce.connect(p=p)
        syns.append(Ce)
    Ci = Synapses(Pi, P, on_pre=wi, delay=dt)
    Ci.connect(p=p)
    syns.append(Ci)
    return P, n_exc, syns, [P]


def build_rate(n_total, rate_hz):
    """bench/rate.yaml: CUBA cells at rest below threshold (E_L = -60 mV),
    each fired by its own Poisson source, so the drive rate sets the rate."""
    from brian2 import NeuronGroup, Synapses, PoissonGroup, ms, mV, nS, pA, Hz, defaultclock
    dt = defaultclock.dt
    n_exc = n_total * 4 // 5
    p = P_CONN * (N_EXC + N_INH) / n_total
    eqs = """dv/dt = (ge + gi - (v - EL))/taum : volt (unless refractory)
             dge/dt = -ge/taue : volt
             dgi/dt = -gi/taui : volt"""
    ns = dict(taum=20 * ms, EL=-60 * mV, Vt=-50 * mV, Vr=-60 * mV, taue=5 * ms,
              taui=10 * ms)
    P = NeuronGroup(n_total, eqs, method="exact", namespace=ns, refractory=5 * ms,
                    threshold="v >= Vt", reset="v = Vr")
    P.v = "Vr + rand()*(Vt - Vr)"
    Pe, Pi = P[:n_exc], P[n_exc:]
    D = PoissonGroup(n_total, rates=rate_hz * Hz)
    Cd = Synapses(D, P, on_pre="ge_post += 1000*pA/(10*nS)", delay=dt)
    Cd.connect(j="i")
    Ce = Synapses(Pe, P, on_pre="ge_post += 16.2*pA/(10*nS)", delay=dt)
    Ce.connect(p=p)
    Ci = Synapses(Pi, P, on_pre="gi_post += -90*pA/(10*nS)", delay=dt)
    Ci.connect(p=p)
    return P, n_exc, [Ce, Ci, Cd], [P, D]


def build(args):
    from brian2 import (set_device, device, prefs, defaultclock, seed, SpikeMonitor,
                        Network, second, ms)
    net, directory = args[0], args[1]
    opts = dict(zip(args[2::2], args[3::2]))
    threads = int(opts.get("--threads", 1))
    duration = float(opts.get("--duration", 10))
    n_total = int(opts.get("--size", N_EXC + N_INH))
    rate_hz = float(opts.get("--rate", 10))
    set_device("cpp_standalone", directory=directory, build_on_run=False)
    prefs.devices.cpp_standalone.openmp_threads = threads
    defaultclock.dt = 0.1 * ms
    # The seed comes from argv at run time, so one binary serves every pair;
    # each OpenMP thread has its own stream, seeded SEED + thread.
    seed(1)
    device.insert_code("main", "if (argc > 1) for (int _i = 0; _i < %d; _i++) "
                       "rk_seed(atol(argv[1]) + _i, brian::_mersenne_twister_states[_i]);"
                       % threads)
    P, n_exc, syns, groups = build_network(net, n_total, rate_hz)
    # One monitor per group that sends spikes: the rates and ISIs come from
    # P's, the synaptic events from every sender's spikes x out-degree.
    mons = {g.name: SpikeMonitor(g) for g in groups}
    Network(*groups, *syns, *mons.values()).run(duration * second)
    t0 = time.time()
    device.build(directory=directory, compile=True, run=False, with_output=False)
    compile_s = time.time() - t0
    fname = device.get_array_filename
    paths = []
    for s in syns:
        src = getattr(s.source, "source", s.source)      # the group of a subgroup
        paths.append(dict(pre=fname(s.variables["_synaptic_pre"]),
                          spikes=fname(mons[src.name].variables["i"]),
                          n=len(src)))
    info = dict(i=fname(mons[P.name].variables["i"]), t=fname(mons[P.name].variables["t"]),
                syns=paths, n_total=n_total, n_exc=n_exc, duration=duration, net=net,
                threads=threads)
    with open(os.path.join(directory, "bench.json"), "w") as f:
        json.dump(info, f)
    print(f"net={net} threads={threads} size={n_total} compile_s={compile_s:.2f}")


def run(args):
    directory = args[0]
    seed = args[1] if len(args) > 1 else "1"
    with open(os.path.join(directory, "bench.json")) as f:
        info = json.load(f)
    os.makedirs(os.path.join(directory, "results"), exist_ok=True)
    t0 = time.time()
    subprocess.run([os.path.join(os.path.abspath(directory), "main"), seed], cwd=directory,
                   check=True, stdout=subprocess.DEVNULL)
    process_s = time.time() - t0
    rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    with open(os.path.join(directory, "results", "last_run_info.txt")) as f:
        wall = float(f.read().split()[0])
    load = lambda name, dtype: np.fromfile(os.path.join(directory, name), dtype=dtype)
    ids, times = load(info["i"], np.int32), load(info["t"], np.float64)
    n, n_exc, dur = info["n_total"], info["n_exc"], info["duration"]
    events, synapses = 0, 0
    for syn in info["syns"]:
        pre = load(syn["pre"], np.int32)  # indices in the whole group
        sent = np.bincount(load(syn["spikes"], np.int32), minlength=syn["n"])
        synapses += len(pre)
        events += int(np.dot(np.bincount(pre, minlength=syn["n"]), sent))
    exc = ids < n_exc
    print(f"net={info['net']} threads={info['threads']} seed={seed} size={n} "
          f"duration_s={dur:g} wall_s={wall:.4f} rtf={wall / dur:.4f} "
          f"process_s={process_s:.3f} "
          f"rate_exc_hz={exc.sum() / n_exc / dur:.4f} "
          f"rate_inh_hz={(~exc).sum() / (n - n_exc) / dur:.4f} "
          f"cv_exc={isi_cv(ids[exc], times[exc], n_exc):.4f} "
          f"events={events} events_per_s={events / wall:.4g} synapses={synapses} "
          f"peak_rss_mb={rss_mb:.1f}")


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("build", "run"):
        sys.exit(__doc__)
    (build if sys.argv[1] == "build" else run)(sys.argv[2:])


if __name__ == "__main__":
    main()
