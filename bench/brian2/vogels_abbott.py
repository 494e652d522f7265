#!/usr/bin/python3
"""Brian2 reference for bench/coba.yaml and bench/cuba.yaml (Brette et al.
2007 benchmarks 1 and 2, as Brian2's examples COBA.py and CUBA.py).

usage: vogels_abbott.py coba|cuba [duration_s] [seed] [target]
Prints rates, ISI CV and the wall time of the run alone as key=value.
"""
import sys
import time

import numpy as np
from brian2 import (NeuronGroup, Synapses, SpikeMonitor, Network, ms, mV, second,
                    prefs, seed as brian_seed, defaultclock)


def isi_cv(trains):
    cvs = []
    for t in trains.values():
        isi = np.diff(np.asarray(t))
        if len(isi) >= 2:
            cvs.append(np.std(isi) / np.mean(isi))
    return float(np.mean(cvs)) if cvs else float("nan")


def build(kind):
    if kind == "coba":
        eqs = """dv/dt = (-v + ge*(Ee - v) + gi*(Ei - v))*(1./taum) : volt (unless refractory)
                 dge/dt = -ge*(1./taue) : 1
                 dgi/dt = -gi*(1./taui) : 1"""
        ns = dict(taum=20 * ms, taue=5 * ms, taui=10 * ms, Ee=60 * mV, Ei=-20 * mV)
        P = NeuronGroup(4000, eqs, threshold="v > 10*mV", reset="v = 0*mV",
                        refractory=5 * ms, method="euler", namespace=ns)
        P.v = "(randn()*5 - 5)*mV"
        P.ge = "randn()*1.5 + 4"
        P.gi = "randn()*12 + 20"
        we, wi = "ge += 0.6", "gi += 6.7"
    else:
        eqs = """dv/dt = (ge + gi - (v - El))/taum : volt (unless refractory)
                 dge/dt = -ge/taue : volt
                 dgi/dt = -gi/taui : volt"""
        ns = dict(taum=20 * ms, taue=5 * ms, taui=10 * ms, Vt=-50 * mV, Vr=-60 * mV,
                  El=-49 * mV)
        P = NeuronGroup(4000, eqs, threshold="v > Vt", reset="v = Vr",
                        refractory=5 * ms, method="exact", namespace=ns)
        P.v = "Vr + rand()*(Vt - Vr)"
        we, wi = "ge += 1.62*mV", "gi += -9*mV"
    Ce = Synapses(P, P, on_pre=we)
    Ce.connect("i < 3200", p=0.02)
    Ci = Synapses(P, P, on_pre=wi)
    Ci.connect("i >= 3200", p=0.02)
    return P, Ce, Ci


def main():
    kind = sys.argv[1]
    duration = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
    brian_seed(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    prefs.codegen.target = sys.argv[4] if len(sys.argv) > 4 else "numpy"
    defaultclock.dt = 0.1 * ms
    P, Ce, Ci = build(kind)
    mon = SpikeMonitor(P)
    net = Network(P, Ce, Ci, mon)
    t0 = time.time()
    net.run(duration * second)
    wall = time.time() - t0
    i, t = np.asarray(mon.i), np.asarray(mon.t / ms)
    exc, inh = i < 3200, i >= 3200
    trains = mon.spike_trains()
    exc_trains = {k: v / ms for k, v in trains.items() if k < 3200}
    print(f"kind={kind} duration_s={duration} wall_s={wall:.3f} "
          f"rate_exc_hz={exc.sum() / 3200 / duration:.4f} "
          f"rate_inh_hz={inh.sum() / 800 / duration:.4f} "
          f"cv_exc={isi_cv(exc_trains):.4f} synapses={len(Ce) + len(Ci)}")


if __name__ == "__main__":
    main()
