"""Exits 1 unless two run files hold bitwise the same data: every dataset
(values, dtype, shape) and attribute, /meta excepted (wall time, threads).
Usage: compare.py A.h5 B.h5"""
import sys

import h5py
import numpy as np


def items(f):
    out = {}

    def keep(name, obj):
        if name != "meta" and not name.startswith("meta/"):
            out[name] = obj
        # None: visititems goes on

    f.visititems(keep)
    return out


def value_same(x, y):
    """Bitwise for numbers (a NaN equals the same NaN), else equal."""
    x, y = np.asarray(x), np.asarray(y)
    if x.dtype.kind in "fiub" or y.dtype.kind in "fiub":
        return x.dtype == y.dtype and x.shape == y.shape and x.tobytes() == y.tobytes()
    return np.array_equal(x, y)


def same(a, b):
    if isinstance(a, h5py.Dataset) != isinstance(b, h5py.Dataset):
        return False
    if isinstance(a, h5py.Dataset):
        x, y = a[()], b[()]
        if a.dtype != b.dtype or np.shape(x) != np.shape(y):
            return False
        return value_same(x, y)
    return True


def attrs_same(a, b):
    if set(a.attrs) != set(b.attrs):
        return False
    return all(value_same(a.attrs[k], b.attrs[k]) for k in a.attrs)


def main():
    with h5py.File(sys.argv[1], "r") as fa, h5py.File(sys.argv[2], "r") as fb:
        ia, ib = items(fa), items(fb)
        bad = sorted(set(ia) ^ set(ib))
        bad += [k for k in sorted(set(ia) & set(ib))
                if not same(ia[k], ib[k]) or not attrs_same(ia[k], ib[k])]
        if bad:
            print("differ: %s vs %s: %s" % (sys.argv[1], sys.argv[2], ", ".join(bad[:10])))
            return 1
        spikes = sum(d.shape[0] for k, d in ia.items()
                     if k.startswith("spikes/") and k.endswith("node_ids"))
        print("same: %s (%d objects, %d spikes)" % (sys.argv[2], len(ia), spikes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
