"""Rank-order replay score (Lee & Wilson 2002; replay/rank.h)."""
from collections import namedtuple

import numpy as np
import scipy.stats

RankResult = namedtuple("RankResult", "rho p direction n_cells n_perm status")
RankResult.__doc__ = """Rank-order score of one event against one direction's fields.

rho: Spearman rho (NaN unless status is "ok"); p: two-sided Monte-Carlo
p-value (1 unless "ok"); direction: +1 (cells fire in order of increasing
centre), -1, 0; n_cells: active cells with a field; n_perm: permutations
drawn; status: "ok", "too_few" (< 5 cells) or "no_order" (equal centres)."""


def rank_order(spike_t_ms, spike_ids, start_ms, stop_ms, field_centre_cm, *, n_perm=1000,
               min_cells=5, rng=None):
    """Rank-order replay score (Lee & Wilson 2002; replay/rank.h).

    The active cells with a field (finite centre) are ranked by their first
    spike in [start_ms, stop_ms) (ties by cell id); rho is Spearman's
    correlation of that rank with the field centres (tied centres get their
    mean rank). The null comes from n_perm random permutations of the ranks
    among the cells (cell-id shuffles):
    p = (1 + #{|rho_perm| >= |rho|}) / (1 + n_perm), never 0.

    Parameters
    ----------
    spike_t_ms, spike_ids : array_like
        Spike times (ms) and cells (indices into field_centre_cm), any order.
    start_ms, stop_ms : float
        The event (ms).
    field_centre_cm : array_like of float
        Each cell's field centre (cm) in one running direction; NaN: no field.
    n_perm : int
        Permutations (SCIENCE.md: >= 1000).
    min_cells : int
        Fewest cells scored.
    rng : numpy.random.Generator, optional

    Returns
    -------
    RankResult
    """
    rng = np.random.default_rng() if rng is None else rng
    centre = np.asarray(field_centre_cm, dtype=float)
    t = np.asarray(spike_t_ms, dtype=float)
    ids = np.asarray(spike_ids, dtype=np.int64)
    m = (t >= start_ms) & (t < stop_ms)
    first = np.full(len(centre), np.inf)
    np.minimum.at(first, ids[m], t[m])
    cells = np.flatnonzero(np.isfinite(first) & np.isfinite(centre))
    cells = cells[np.lexsort((cells, first[cells]))]
    c = centre[cells]
    n = len(cells)
    if n < min_cells:
        return RankResult(np.nan, 1.0, 0, n, 0, "too_few")
    if np.all(c == c[0]):
        return RankResult(np.nan, 1.0, 0, n, 0, "no_order")
    cr = scipy.stats.rankdata(c)
    cr = (cr - cr.mean()) / np.sqrt(np.sum((cr - cr.mean()) ** 2))
    rank = np.arange(n) - 0.5 * (n - 1)
    rank /= np.sqrt(np.sum(rank ** 2))
    rho = float(np.clip(rank @ cr, -1.0, 1.0))
    perm = np.argsort(rng.random((n_perm, n)), axis=1)
    k = int(np.sum(np.abs(rank[perm] @ cr) >= abs(rho) - 1e-12))
    return RankResult(rho, (1.0 + k) / (1.0 + n_perm), int(np.sign(rho)), n, n_perm, "ok")
