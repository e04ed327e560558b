"""Separation and refining: how much mixed oxide is separated outside China, in China, or stockpiled.

Notes
-----
Feed ``f_{e,y}`` (t oxide before separation, the mine-gate oxide) goes through two circuits,
light ``L`` = La, Ce, Pr, Nd, Sm and heavy ``H`` = the rest (Eu–Lu, Y, Sc). In year ``y`` the
available feed of circuit ``c`` is ``A_c = Σ_{e∈c} (f_{e,y} + s_{e,y−1})`` (``s`` the stockpile).
Plants take feed in order (non-China plants first, in the order given, then China plants):
plant ``p`` takes ``t_p = min(K_{p,c} a_{p,y}, A_c − Σ_{q<p} t_q)``, with ``K`` its capacity
and ``a`` the fraction of the year it runs; the take is split over the circuit's elements in
proportion to their feed, and separated with the plant's recovery ``R_{p,e}``:

.. math::

    S^{out}_{e,y} = \\sum_{p \\notin China} \\frac{t_p}{A_c} (f_{e,y} + s_{e,y-1}) R_{p,e}

The remainder goes to China (separated there with the base recovery; counts for nothing toward
the offset) or, with ``surplus = "stockpile"``, stays in ``s`` for later years.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from seabed.config.supply_separation import LIGHT_CIRCUIT, SeparationSettings

__all__ = ["Separated", "plant_arrays", "separate"]


@dataclass(frozen=True)
class Separated:
    """Result of :func:`separate`; t oxide per year."""

    outside_china: np.ndarray  # (D, Y, E) separated outside China (counts toward the offset)
    in_china: np.ndarray  # (D, Y, E) separated in China (plants there and surplus)
    stockpile: np.ndarray  # (D, Y, E) feed in the stockpile at year end
    fed: np.ndarray  # (D, Y, P) t REO fed to each plant


def running_fraction(years: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Fraction of each year a plant runs, shape (P, Y) (from ``start`` to the end of the horizon)."""
    y = np.asarray(years, dtype=float)[None, :]
    return np.clip(y + 1.0 - np.asarray(start, dtype=float)[:, None], 0.0, 1.0)


def plant_arrays(sep: SeparationSettings, elements: Sequence[str], base_recovery: np.ndarray,
                 starts: Sequence[float] | None = None) -> dict[str, np.ndarray]:
    """Plant parameters as arrays, plants in feed order (non-China first).

    ``base_recovery`` (D, E) is the processing separation recovery used by plants without their own.
    ``starts`` gives the start of each plant in settings order (default :meth:`SeparationSettings.start`).
    Returns ``order`` (P,), ``start`` (P,), ``capacity`` (P, 2: light, heavy) t/yr, ``outside`` (P,)
    bool, ``delayable`` (P,) bool and ``recovery`` (D, P, E).
    """
    order = sorted(range(len(sep.plants)), key=lambda i: sep.plants[i].location == "china")
    d = base_recovery.shape[0]
    rec = np.empty((d, len(order), len(elements)))
    for j, i in enumerate(order):
        p = sep.plants[i]
        if p.recovery is None and not p.recovery_by_element:
            rec[:, j, :] = base_recovery
        else:
            own = base_recovery if p.recovery is None else np.full_like(base_recovery, float(p.recovery.to("").magnitude))
            by = np.array([float(p.recovery_by_element[e].to("").magnitude) if e in p.recovery_by_element else np.nan
                           for e in elements])
            rec[:, j, :] = np.where(np.isnan(by)[None, :], own, by[None, :])
    return {
        "order": np.array(order, dtype=int),
        "start": np.array([sep.start(i) if starts is None else starts[i] for i in order], dtype=float),
        "delayable": np.array([sep.plants[i].delayable for i in order], dtype=bool),
        "capacity": np.array([[sep.plants[i].light_capacity.to("t/year").magnitude,
                               sep.plants[i].heavy_capacity.to("t/year").magnitude] for i in order],
                             dtype=float).reshape(-1, 2),
        "outside": np.array([sep.plants[i].location != "china" for i in order], dtype=bool),
        "recovery": rec,
    }


def separate(
    feed: np.ndarray,
    elements: Sequence[str],
    years: np.ndarray,
    *,
    capacity: np.ndarray,
    start: np.ndarray,
    outside: np.ndarray,
    recovery: np.ndarray,
    china_recovery: np.ndarray,
    stockpile: bool = False,
) -> Separated:
    """Allocate the feed of each year to plants, China and the stockpile.

    Parameters
    ----------
    feed : ndarray (D, Y, E)
        Mixed oxide before separation, t/yr.
    elements : sequence of str
    years : ndarray (Y,)
    capacity : ndarray (P, 2) or (D, P, 2)
        Light and heavy circuit capacity of each plant, t REO fed per year, in feed order.
    start : ndarray (P,) or (D, P)
        Start of each plant, decimal years.
    outside : ndarray (P,) of bool
        Whether each plant is outside China.
    recovery : ndarray (D, P, E)
        Separation recovery of each plant and element.
    china_recovery : ndarray (D, E)
        Recovery of feed separated in China beyond the plants.
    stockpile : bool
        Keep the surplus in a stockpile instead of sending it to China.
    """
    d, ny, ne = feed.shape
    heavy = np.array([e not in LIGHT_CIRCUIT for e in elements], dtype=int)  # circuit index per element
    circuits = np.zeros((2, ne))
    circuits[0, heavy == 0] = 1.0
    circuits[1, heavy == 1] = 1.0
    n_p = np.shape(start)[-1]
    start = np.broadcast_to(np.asarray(start, dtype=float), (d, n_p))
    capacity = np.broadcast_to(np.asarray(capacity, dtype=float), (d, n_p, 2))
    run = np.clip(np.asarray(years, dtype=float)[None, None, :] + 1.0 - start[..., None], 0.0, 1.0)  # (D, P, Y)
    outside_sep = np.zeros_like(feed)
    china_sep = np.zeros_like(feed)
    stock_end = np.zeros_like(feed)
    fed = np.zeros((d, ny, n_p))
    stock = np.zeros((d, ne))
    for y in range(ny):
        avail = feed[:, y, :] + stock  # (D, E)
        total = avail @ circuits.T  # (D, 2)
        left = total.copy()
        safe = np.where(total > 0, total, 1.0)
        for p in range(n_p):
            take = np.minimum(capacity[:, p, :] * run[:, p, y, None], left)  # (D, 2)
            left = left - take
            fed[:, y, p] = take.sum(axis=1)
            frac = (take / safe) @ circuits  # (D, E) share of each element's feed taken
            out = frac * avail * recovery[:, p, :]
            if outside[p]:
                outside_sep[:, y, :] += out
            else:
                china_sep[:, y, :] += out
        rest = ((left / safe) @ circuits) * avail
        if stockpile:
            stock = rest
        else:
            china_sep[:, y, :] += rest * china_recovery
            stock = np.zeros((d, ne))
        stock_end[:, y, :] = stock
    return Separated(outside_china=outside_sep, in_china=china_sep, stockpile=stock_end, fed=fed)
