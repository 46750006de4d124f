"""The citizens' social network: small worlds inside neighbourhoods, a few ties across them.

Built directly as a sparse adjacency matrix (Watts & Strogatz 1998 ring-and-rewire per
neighbourhood), vectorised so that a million citizens take seconds. The step only needs the
matrix (a peer share is one sparse product); :func:`to_networkx` gives a
graph for drawing.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import scipy.sparse as sp

from coprod.model.neighbour_sums import neighbour_sums as neighbour_sums_of

#: Neighbours on each side of the ring lattice inside a neighbourhood (degree about 6).
HALF_DEGREE = 3
#: Probability that a lattice tie is rewired to a random neighbour in the same neighbourhood.
REWIRE = 0.1
#: Ties across neighbourhoods (within the municipality) per citizen.
BRIDGES_PER_CITIZEN = 0.05


def small_world(
    hood: np.ndarray,
    municipality: np.ndarray,
    rng: np.random.Generator,
    nearby: sp.csr_matrix | None = None,
    nearby_share: float = 0.0,
) -> sp.csr_matrix:
    """Symmetric 0/1 adjacency of citizens, who must be sorted by neighbourhood.

    Args:
        hood: Each citizen's neighbourhood (sorted).
        municipality: Each citizen's municipality (contiguous blocks too).
        rng: The model's generator.
        nearby: With geometry, row-standardised weights between neighbourhoods (from
            :func:`coprod.model.places.neighbours`); None without geometry.
        nearby_share: The share of ties across neighbourhoods that go to a resident of a
            nearby neighbourhood (chosen by ``nearby``'s weights) instead of anyone in the
            municipality; drawn after every other draw, so without geometry nothing changes.
    """
    n = len(hood)
    starts = np.flatnonzero(np.r_[True, hood[1:] != hood[:-1]])
    sizes = np.diff(np.r_[starts, n])
    block_start = np.repeat(starts, sizes)
    block_size = np.repeat(sizes, sizes)
    local = np.arange(n) - block_start
    sources, targets = [], []
    for offset in range(1, HALF_DEGREE + 1):
        usable = block_size > offset
        src = np.flatnonzero(usable)
        dst = block_start[src] + (local[src] + offset) % block_size[src]
        rewire = rng.random(len(src)) < REWIRE
        dst[rewire] = block_start[src[rewire]] + (
            rng.random(rewire.sum()) * block_size[src[rewire]]
        ).astype(np.int64)
        sources.append(src)
        targets.append(dst)
    n_bridges = int(BRIDGES_PER_CITIZEN * n)
    if n_bridges:
        src = rng.integers(0, n, n_bridges)
        # a partner in the same municipality: municipalities are contiguous blocks too
        m_starts = np.flatnonzero(np.r_[True, municipality[1:] != municipality[:-1]])
        m_sizes = np.diff(np.r_[m_starts, n])
        m_of = np.searchsorted(m_starts, src, side="right") - 1
        dst = m_starts[m_of] + (rng.random(n_bridges) * m_sizes[m_of]).astype(np.int64)
        if nearby is not None and nearby_share > 0:
            _towards_nearby(dst, hood[src], starts, sizes, nearby, nearby_share, rng)
        sources.append(src)
        targets.append(dst)
    src = np.concatenate(sources) if sources else np.zeros(0, np.int64)
    dst = np.concatenate(targets) if targets else np.zeros(0, np.int64)
    keep = src != dst
    src, dst = src[keep], dst[keep]
    ones = np.ones(2 * len(src), dtype=np.float32)
    adj = sp.coo_matrix((ones, (np.r_[src, dst], np.r_[dst, src])), shape=(n, n)).tocsr()
    adj.data[:] = 1.0  # duplicates summed by the conversion count once
    return adj


def _towards_nearby(
    dst: np.ndarray,
    src_hood: np.ndarray,
    starts: np.ndarray,
    sizes: np.ndarray,
    nearby: sp.csr_matrix,
    share: float,
    rng: np.random.Generator,
) -> None:
    """Send ``share`` of the bridges to a resident of a nearby neighbourhood, in place.

    Each chosen bridge picks one of its source neighbourhood's neighbours with probability
    equal to its weight (one search in the cumulative weights of all rows at once), then a
    resident of it uniformly. Bridges from a neighbourhood without neighbours stay as drawn.
    """
    n = len(dst)
    moved = rng.random(n) < share
    pick = rng.random(n)
    row_total = np.asarray(nearby.sum(axis=1)).ravel()
    moved &= row_total[src_hood] > 0
    idx = np.flatnonzero(moved)
    h = src_hood[idx]
    cum = np.cumsum(nearby.data)
    before = np.r_[0.0, cum][nearby.indptr[h]]
    target = before + pick[idx] * row_total[h]
    at = np.minimum(np.searchsorted(cum, target, side="right"), nearby.indptr[h + 1] - 1)
    to_hood = nearby.indices[at]
    dst[idx] = starts[to_hood] + (rng.random(len(idx)) * sizes[to_hood]).astype(np.int64)


def peer_share(adjacency: sp.csr_matrix, degree: np.ndarray, active: np.ndarray) -> np.ndarray:
    """Share of each citizen's network neighbours for whom ``active`` is true."""
    counts = neighbour_sums(adjacency, active)[:, 0]
    return np.divide(counts, degree, out=np.zeros_like(counts), where=degree > 0)


def neighbour_sums(adjacency: sp.csr_matrix, *values: np.ndarray) -> np.ndarray:
    """Each citizen's sum over network neighbours of each of ``values``: ``(citizens, k)``.

    One pass over the adjacency (a 0/1 matrix, as :func:`small_world` builds it) for all of
    them, in single precision: each column is bit for bit ``adjacency @
    values[k].astype(np.float32)`` (each row's sum adds the same values in the same order).
    The pass is compiled and fetches far neighbours' values ahead
    (:mod:`coprod.model.neighbour_sums`).
    """
    stacked = np.empty((adjacency.shape[0], len(values)), dtype=np.float32)
    for column, array in enumerate(values):
        stacked[:, column] = array
    return neighbour_sums_of(adjacency.indptr, adjacency.indices, stacked)


def to_networkx(adjacency: sp.csr_matrix) -> nx.Graph:
    """The network as a networkx graph, for drawing and network statistics."""
    return nx.from_scipy_sparse_array(adjacency)
