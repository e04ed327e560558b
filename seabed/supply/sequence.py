"""The mining inventory and the order in which it is mined.

Input contract
--------------
A mining inventory is a :class:`pandas.DataFrame`, one row per mineable block, with
``dry_tonnes`` (t of dry mud) and one column per element symbol (dry grade, ppm). Other
columns (``x``, ``y``, ``cell``, ``resource_class``, ...) are ignored. Resource uncertainty is
given as ``realisations``: either a list of such DataFrames (one per conditional simulation,
same rows and tonnes) or a 3-D array ``(realisation, block, element)`` of grades in ppm whose
element axis follows the element columns of the inventory (in the inventory's column order).

Notes
-----
Blocks are sorted once per realisation; ``T(i)`` and ``M_e(i)`` are the cumulative tonnes and
metal (t) of the first ``i`` blocks. Mining recovery ``ρ`` scales every block. With ``Q`` the
cumulative recovered in-situ tonnes mined, the cumulative metal is the piecewise-linear

.. math::

    \\mathcal{M}_e(Q) = \\rho\\,\\mathrm{interp}(Q/\\rho;\\ T, M_e),

and the metal mined in year ``t`` is :math:`\\mathcal{M}_e(Q_t) - \\mathcal{M}_e(Q_{t-1})`.
``Q`` is capped at ``ρ T(n)``: production stops when the inventory is exhausted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from seabed.elements import GROUPS, element_columns
from seabed.errors import InputDataError

__all__ = ["Inventory", "block_order", "mine_metal", "read_inventory"]


@dataclass(frozen=True)
class Inventory:
    """Arrays of a mining inventory.

    Attributes
    ----------
    tonnes : ndarray (B,)
        Dry t per block.
    grades : ndarray (R, B, E)
        Dry grade, ppm; ``R = 1`` without realisations (the inventory itself).
    elements : tuple of str
        Element symbols of the last axis.
    order_key : ndarray (B,) or None
        Values of ``order_column`` for ``order = "given"``.
    """

    tonnes: np.ndarray
    grades: np.ndarray
    elements: tuple[str, ...]
    order_key: np.ndarray | None = None

    @property
    def n_realisations(self) -> int:
        return int(self.grades.shape[0])


def read_inventory(
    inventory: pd.DataFrame,
    realisations: Sequence[pd.DataFrame] | np.ndarray | None = None,
    *,
    order_column: str | None = None,
) -> tuple[Inventory, Inventory | None]:
    """Check a mining inventory (and optional realisations) and return arrays.

    Parameters
    ----------
    inventory : DataFrame
        ``dry_tonnes`` (t) and element columns (ppm); see the module docstring.
    realisations : list of DataFrame or ndarray (R, B, E), optional
        Conditional-simulation grades for the same blocks.
    order_column : str, optional
        Column giving the mining order (ascending) for ``order = "given"``.

    Returns
    -------
    (Inventory, Inventory or None)
        The base inventory (R = 1) and the realisations (same tonnes), if any.

    Raises
    ------
    InputDataError
        Missing ``dry_tonnes``, no element column, negative or non-finite values, or
        realisations whose shape does not match.
    """
    if not isinstance(inventory, pd.DataFrame):
        raise InputDataError(
            f"supply inventory: got {type(inventory).__name__}; expected a pandas DataFrame "
            "with 'dry_tonnes' and element columns in ppm"
        )
    if "dry_tonnes" not in inventory.columns:
        raise InputDataError(
            f"supply inventory: no 'dry_tonnes' column (columns: {list(inventory.columns)}); "
            "expected dry t per block; fix: add it"
        )
    elements = tuple(element_columns(inventory.columns))
    if not elements:
        raise InputDataError(
            "supply inventory: no element column; expected grade columns named by symbol "
            "('La', 'Ce', ..., 'Y') in ppm"
        )
    tonnes = inventory["dry_tonnes"].to_numpy(dtype=float)
    grades = inventory.loc[:, list(elements)].to_numpy(dtype=float)
    _check_values(tonnes, "dry_tonnes")
    _check_values(grades, "element grades")
    key = None
    if order_column is not None:
        if order_column not in inventory.columns:
            raise InputDataError(
                f"supply inventory: order_column {order_column!r} not found; expected one of "
                f"{list(inventory.columns)}"
            )
        key = inventory[order_column].to_numpy()
    base = Inventory(tonnes, grades[None].copy(), elements, key)
    if realisations is None:
        return base, None
    if isinstance(realisations, np.ndarray):
        stack = np.asarray(realisations, dtype=float)
    else:
        frames = list(realisations)
        missing = [i for i, f in enumerate(frames) if not set(elements) <= set(f.columns)]
        if missing:
            raise InputDataError(
                f"supply realisations: realisation {missing[0]} lacks element columns "
                f"{list(elements)}; expected the inventory's element columns"
            )
        stack = np.stack([f.loc[:, list(elements)].to_numpy(dtype=float) for f in frames])
    if stack.ndim != 3 or stack.shape[1:] != grades.shape or stack.shape[0] == 0:
        raise InputDataError(
            f"supply realisations: got shape {stack.shape}; expected (realisation, "
            f"{grades.shape[0]} blocks, {grades.shape[1]} elements {list(elements)})"
        )
    _check_values(stack, "realisation grades")
    return base, Inventory(tonnes, stack, elements, key)


def _check_values(values: np.ndarray, name: str) -> None:
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        idx = np.argwhere(bad)[0]
        raise InputDataError(
            f"supply inventory: {name} at index {tuple(int(i) for i in idx)} is "
            f"{values[tuple(idx)]!r}; expected a finite value >= 0; fix or drop the block"
        )


def block_order(
    grades: np.ndarray,
    elements: Sequence[str],
    *,
    order: str,
    grade_of: str = "REY",
    value_per_ppm: np.ndarray | None = None,
    order_key: np.ndarray | None = None,
) -> np.ndarray:
    """Permutation of blocks in mining order.

    Parameters
    ----------
    grades : ndarray (B, E)
        Grades, ppm.
    elements : sequence of str
        Symbols of the last axis.
    order : {"value", "grade", "given"}
        Highest value per tonne first, highest grade of ``grade_of`` first, or given order.
    grade_of : str
        Element or group for ``order = "grade"``.
    value_per_ppm : ndarray (E,), optional
        Recoverable value per tonne of mud per ppm of each element (currency/t/ppm),
        needed for ``order = "value"``.
    order_key : ndarray (B,), optional
        Ascending key for ``order = "given"`` (row order if None).

    Returns
    -------
    ndarray (B,) of int
    """
    if order == "given":
        if order_key is None:
            return np.arange(grades.shape[0])
        return np.argsort(order_key, kind="stable")
    if order == "value":
        if value_per_ppm is None:
            raise ValueError("value_per_ppm is needed for order='value'")
        score = grades @ value_per_ppm
    else:
        members = GROUPS.get(grade_of, (grade_of,))
        idx = [i for i, e in enumerate(elements) if e in members]
        if not idx:
            raise InputDataError(
                f"supply.sequence.grade_of: {grade_of!r} has no column in the inventory "
                f"(elements {list(elements)}); fix: choose another element or group"
            )
        score = grades[:, idx].sum(axis=1)
    return np.argsort(-score, kind="stable")


def mine_metal(
    tonnes: np.ndarray,
    grades: np.ndarray,
    cumulative: np.ndarray,
    *,
    recovery: np.ndarray,
) -> np.ndarray:
    """Cumulative metal mined at given cumulative recovered tonnages (one realisation).

    Parameters
    ----------
    tonnes : ndarray (B,)
        Dry t per block, already in mining order.
    grades : ndarray (B, E)
        Grades in ppm, same order.
    cumulative : ndarray (D, K)
        Cumulative recovered in-situ dry t mined (≤ recovery × total).
    recovery : ndarray (D,)
        Mining recovery (fraction).

    Returns
    -------
    ndarray (D, K, E)
        Cumulative metal, t.
    """
    cum_t = np.concatenate([[0.0], np.cumsum(tonnes)])
    cum_m = np.concatenate([np.zeros((1, grades.shape[1])), np.cumsum(tonnes[:, None] * grades * 1e-6, axis=0)])
    rho = recovery[:, None]
    pos = np.clip(cumulative / np.where(rho > 0, rho, 1.0), 0.0, cum_t[-1])
    i = np.clip(np.searchsorted(cum_t, pos, side="right") - 1, 0, len(tonnes) - 1) if len(tonnes) else None
    if i is None:
        return np.zeros((*cumulative.shape, grades.shape[1]))
    width = cum_t[i + 1] - cum_t[i]
    frac = np.divide(pos - cum_t[i], width, out=np.zeros_like(pos), where=width > 0)
    metal = cum_m[i] + frac[..., None] * (cum_m[i + 1] - cum_m[i])
    return rho[..., None] * metal
