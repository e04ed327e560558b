"""Search neighbourhoods: which samples inform each target.

A :class:`Neighbourhood` is an ellipse (``radius`` along the major axis at
``azimuth`` degrees clockwise from north, ``radius_minor`` across it) holding at most
``max_samples`` nearest samples (nearest in the ellipse's metric), optionally at
most ``max_per_octant`` per octant. :class:`SampleSearch` answers the query for
many targets at once with a k-d tree (:class:`scipy.spatial.cKDTree`).

Also here: :func:`group_variables`, which splits the columns of a multi-variable
sample table by their pattern of missing values, since variables observed at the
same samples share neighbour sets (and, with one variogram, kriging weights).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain

import numpy as np
from scipy.spatial import cKDTree

from seabed.defaults import ESTIMATION_MAX_SAMPLES, ESTIMATION_MIN_SAMPLES, ESTIMATION_RADIUS_M
from seabed.errors import ConfigError

__all__ = ["Neighbourhood", "SampleSearch", "group_variables"]


@dataclass(frozen=True)
class Neighbourhood:
    """Search parameters.

    Parameters
    ----------
    max_samples : int or None, default 16
        Largest number of samples used per target; ``None`` for a global
        neighbourhood (every sample inside the radius).
    min_samples : int, default 3
        Fewest samples needed; targets with fewer are not estimated (reason code 1).
    radius : float, default 60,000 m
        Search radius along the major axis, m; ``numpy.inf`` for no limit.
    radius_minor : float, optional
        Search radius along the minor axis, m; ``None`` (default) for a circle.
    azimuth : float, default 0.0
        Major axis direction, degrees clockwise from north.
    max_per_octant : int, optional
        Largest number of samples kept per 45° sector around the target (in the
        ellipse's metric); ``None`` for no limit. Octant searches consider every sample
        inside the radius (exact, but slower for many samples).

    Notes
    -----
    "Nearest" is measured in the ellipse's metric: coordinates are rotated so that the
    major axis is the second axis and the minor-axis coordinate is stretched by
    ``radius / radius_minor``.

    The defaults are those of ``[estimation.neighbourhood]`` (:mod:`seabed.defaults`), so an
    estimator built in Python searches like a run with the default configuration.
    """

    max_samples: int | None = ESTIMATION_MAX_SAMPLES
    min_samples: int = ESTIMATION_MIN_SAMPLES
    radius: float = ESTIMATION_RADIUS_M
    radius_minor: float | None = None
    azimuth: float = 0.0
    max_per_octant: int | None = None

    def __post_init__(self) -> None:
        if self.max_samples is not None and self.max_samples < 1:
            raise ConfigError(
                f"neighbourhood.max_samples: got {self.max_samples}; expected >= 1 or None (global)"
            )
        if self.min_samples < 1:
            raise ConfigError(f"neighbourhood.min_samples: got {self.min_samples}; expected >= 1")
        if self.max_samples is not None and self.min_samples > self.max_samples:
            raise ConfigError(
                f"neighbourhood.min_samples: got {self.min_samples} > max_samples "
                f"{self.max_samples}; expected min_samples <= max_samples"
            )
        if not self.radius > 0:
            raise ConfigError(f"neighbourhood.radius: got {self.radius} m; expected > 0 m")
        if self.radius_minor is not None and not (0 < self.radius_minor < np.inf):
            raise ConfigError(
                f"neighbourhood.radius_minor: got {self.radius_minor} m; expected a finite "
                "length > 0 m or None"
            )
        if self.radius_minor is not None and not np.isfinite(self.radius):
            raise ConfigError(
                f"neighbourhood.radius_minor: got {self.radius_minor} m with an unlimited radius; "
                "expected a finite radius (the ellipse's major axis) as well"
            )
        if self.max_per_octant is not None and self.max_per_octant < 1:
            raise ConfigError(
                f"neighbourhood.max_per_octant: got {self.max_per_octant}; expected >= 1 or None"
            )

    def transform(self, xy: np.ndarray) -> np.ndarray:
        """Map ``(x, y)`` (m) to a space where the search ellipse is a circle of ``radius``."""
        xy = np.asarray(xy, dtype=float)
        if self.radius_minor is None:
            return xy
        theta = np.deg2rad(self.azimuth)
        s, c = np.sin(theta), np.cos(theta)
        major = xy[:, 0] * s + xy[:, 1] * c
        minor = (xy[:, 0] * c - xy[:, 1] * s) * (self.radius / self.radius_minor)
        return np.column_stack([minor, major])


class SampleSearch:
    """Neighbour queries against a fixed set of samples.

    Parameters
    ----------
    coords : ndarray, shape (n, 2)
        Sample coordinates, m.
    neighbourhood : Neighbourhood
        Search parameters.
    """

    def __init__(self, coords: np.ndarray, neighbourhood: Neighbourhood) -> None:
        self.coords = np.asarray(coords, dtype=float)
        self.neighbourhood = neighbourhood
        self.n = self.coords.shape[0]
        self._tcoords = neighbourhood.transform(self.coords)
        self._tree = cKDTree(self._tcoords) if self.n else None

    @property
    def width(self) -> int:
        """Number of neighbour slots per target (``max_samples``, or ``n`` if global)."""
        k = self.neighbourhood.max_samples
        return self.n if k is None else min(k, self.n)

    def query(self, targets: np.ndarray, *, workers: int = 1) -> np.ndarray:
        """Neighbour indices of each target, sorted ascending, padded with ``n``.

        Parameters
        ----------
        targets : ndarray, shape (m, 2)
            Target coordinates, m.
        workers : int, default 1
            Threads for the k-d tree query.

        Returns
        -------
        ndarray of int, shape (m, width)
            Indices into the samples in increasing order; unused slots hold ``n``
            (a sentinel that sorts last).
        """
        nb = self.neighbourhood
        m = targets.shape[0]
        width = self.width
        if width == 0:
            return np.zeros((m, 0), dtype=np.intp)
        if nb.max_samples is None and not np.isfinite(nb.radius):
            return np.broadcast_to(np.arange(self.n, dtype=np.intp), (m, self.n))
        t = nb.transform(targets)
        bound = nb.radius * (1 + 1e-12) if np.isfinite(nb.radius) else np.inf
        if nb.max_per_octant is None and m >= 512 and nb.max_samples is not None:
            return self._query_tiled(t, width, bound)
        k_query = width
        if nb.max_per_octant is not None:
            k_query = self.n  # exact: every sample in the radius is a candidate
        if nb.max_per_octant is None and k_query < self.n:
            # one more than needed, to see ties at the k-th distance and break them by index
            dist, idx = self._tree.query(t, k=k_query + 1, distance_upper_bound=bound, workers=workers)
            dist = np.asarray(dist).reshape(m, k_query + 1)
            idx = np.asarray(idx, dtype=np.intp).reshape(m, k_query + 1)
            tied = np.flatnonzero(np.isfinite(dist[:, k_query]) & (dist[:, k_query] == dist[:, k_query - 1]))
            idx = idx[:, :k_query].copy()
            for i in tied:
                idx[i] = self._lowest_index_nearest(t[i], k_query, float(dist[i, k_query - 1]))
        else:
            _, idx = self._tree.query(t, k=k_query, distance_upper_bound=bound, workers=workers)
            idx = np.asarray(idx, dtype=np.intp).reshape(m, k_query)
        if nb.max_per_octant is not None:
            found = idx < self.n
            safe = np.where(found, idx, 0)
            d = self._tcoords[safe] - t[:, None, :]
            octant = (np.floor((np.arctan2(d[..., 1], d[..., 0]) + np.pi) / (np.pi / 4))).astype(
                np.intp
            ) % 8
            octant = np.where(found, octant, 8)
            rank = np.zeros_like(idx)
            for o in range(8):
                is_o = octant == o
                rank = np.where(is_o, np.cumsum(is_o, axis=1) - 1, rank)
            keep = found & (rank < nb.max_per_octant)
            keep &= np.cumsum(keep, axis=1) <= width
            idx = np.where(keep, idx, self.n)
        idx.sort(axis=1)
        return np.ascontiguousarray(idx[:, :width])


    def _lowest_index_nearest(self, t: np.ndarray, k: int, radius: float) -> np.ndarray:
        """The ``k`` nearest samples of one (transformed) target, ties broken by lowest index."""
        cand = np.asarray(self._tree.query_ball_point(t, radius * (1 + 1e-9)), dtype=np.intp)
        d = self._tcoords[cand] - t
        d2 = d[:, 0] * d[:, 0] + d[:, 1] * d[:, 1]
        return cand[np.lexsort((cand, d2))[:k]]

    def tile_candidates(
        self, t: np.ndarray, k: int, bound: float, *, edge_fraction: float = 1 / 6
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Candidate samples shared by square tiles of compact targets (search metric).

        Targets ``t`` (already :meth:`Neighbourhood.transform`-ed) are binned into square tiles
        of edge ``s``; for a tile of centre ``c`` and half-diagonal ``r``, every target's ``k``
        nearest samples within ``bound`` lie within ``min(R_k(c) + 2r, bound + r)`` of ``c``
        (``R_k`` the distance to the k-th nearest sample, by the triangle inequality), so a
        brute-force search among those candidates is exact. The tile edge is ``edge_fraction``
        times ``R_k`` at the middle of the targets (larger tiles: fewer, longer lists).

        Returns
        -------
        tile : ndarray of int, shape (m,)
            Tile of each target.
        starts : ndarray of int, shape (n_tiles + 1,)
            Tile ``i``'s candidates are ``flat[starts[i]:starts[i + 1]]``, in increasing order.
        flat : ndarray of int
            Candidate sample indices.
        """
        lo, edge = self.tile_grid(t, k, edge_fraction=edge_fraction)
        cell = np.floor((t - lo) / edge).astype(np.intp)
        ny = int(cell[:, 1].max()) + 1
        keys, tile = np.unique(cell[:, 0] * ny + cell[:, 1], return_inverse=True)
        tile = np.asarray(tile).ravel()
        starts, flat = self.tile_lists(lo, edge, keys, ny, k, bound)
        return tile, starts, flat

    def tile_grid(self, t: np.ndarray, k: int, *, edge_fraction: float = 1 / 6) -> tuple[np.ndarray, float]:
        """Origin and edge of the square tiles of :meth:`tile_candidates` (search metric, m).

        Returns
        -------
        lo : ndarray, shape (2,)
            Lower-left corner of the targets' bounding box; tile ``(i, j)`` covers
            ``lo + [i, i + 1) × edge`` in x and ``lo + [j, j + 1) × edge`` in y.
        edge : float
            ``edge_fraction`` times the distance from the box's middle to its ``k``-th nearest
            sample (at least 1/512 of the box's longer side).
        """
        lo = t.min(axis=0)
        span = t.max(axis=0) - lo
        r0 = float(np.atleast_1d(self._tree.query(lo + span / 2, k=k)[0])[-1])
        return lo, max(r0 * edge_fraction, float(span.max()) / 512, 1e-9)

    def tile_lists(
        self, lo: np.ndarray, edge: float, keys: np.ndarray, ny: int, k: int, bound: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """Candidate samples of the tiles ``keys`` (``i * ny + j`` for tile ``(i, j)`` of
        :meth:`tile_grid`): ``flat[starts[t]:starts[t + 1]]``, increasing, for tile ``t``."""
        centres = lo + (np.column_stack([keys // ny, keys % ny]) + 0.5) * edge
        half_diag = edge * np.sqrt(0.5)
        rk = np.atleast_2d(self._tree.query(centres, k=k)[0].reshape(len(keys), -1))[:, -1]
        ball = np.minimum(rk + 2 * half_diag, bound + half_diag)
        lists = self._tree.query_ball_point(centres, ball * (1 + 1e-12), return_sorted=True)
        lengths = np.fromiter((len(x) for x in lists), dtype=np.intp, count=len(lists))
        starts = np.zeros(len(keys) + 1, dtype=np.intp)
        np.cumsum(lengths, out=starts[1:])
        flat = np.fromiter(chain.from_iterable(lists), dtype=np.intp, count=int(starts[-1]))
        return starts, flat

    def _query_tiled(self, t: np.ndarray, k: int, bound: float) -> np.ndarray:
        """k nearest samples of many compact targets via per-tile candidate lists.

        Targets are binned into square tiles of edge ``s``; for a tile of centre ``c`` and
        half-diagonal ``r``, every target's ``k`` nearest samples lie within
        ``R_k(c) + 2r`` of ``c`` (``R_k`` the distance to the k-th nearest sample, by the
        triangle inequality), so a brute-force search among those candidates is exact.
        """
        tile, starts, flat = self.tile_candidates(t, k, bound)
        lengths = np.diff(starts)
        n_tiles = lengths.size
        width = max(int(lengths.max()), k)
        cand = np.full((n_tiles, width), self.n, dtype=np.intp)
        rows = np.repeat(np.arange(n_tiles), lengths)
        cols = np.arange(flat.size) - np.repeat(starts[:-1], lengths)
        cand[rows, cols] = flat
        ext = np.vstack([self._tcoords, np.full((1, 2), np.inf)])
        c = cand[tile]  # (m, width)
        dx = ext[c, 0] - t[:, None, 0]
        dy = ext[c, 1] - t[:, None, 1]
        d2 = dx * dx + dy * dy
        if width > k:
            kth = np.partition(d2, k - 1, axis=1)[:, k - 1 : k]
            tied = np.flatnonzero((d2 <= kth).sum(axis=1) > k)  # ties at the k-th distance
            part = np.argpartition(d2, k - 1, axis=1)[:, :k]
            if tied.size:  # among equal distances the lowest sample index wins (as in query)
                part[tied] = np.lexsort((c[tied], d2[tied]), axis=1)[:, :k]
            c = np.take_along_axis(c, part, axis=1)
            if np.isfinite(bound):
                d2 = np.take_along_axis(d2, part, axis=1)
        if np.isfinite(bound):
            c = np.where(d2 <= bound * bound, c, self.n)
        c.sort(axis=1)
        return c[:, :k] if c.shape[1] >= k else c


def group_variables(values: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """Group the columns of ``values`` by their pattern of missing (NaN) entries.

    Parameters
    ----------
    values : ndarray, shape (n, p)
        Sample table, NaN where missing.

    Returns
    -------
    group_of_variable : ndarray of int, shape (p,)
        Group index of each column.
    present : list of ndarray of bool, shape (n,) each
        For each group, which samples are present.
    """
    present = np.isfinite(values)
    _, first, inverse = np.unique(present.T, axis=0, return_index=True, return_inverse=True)
    # keep the groups in order of first appearance (stable, readable)
    order = np.argsort(first)
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    group = rank[np.asarray(inverse).ravel()]
    patterns = [present[:, first[g]] for g in order]
    return group, patterns
