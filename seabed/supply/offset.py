"""Import offset, defined once: coverage, sustained offset, P(offset by year), weakest link.

Definitions (per element ``e``, year ``y``, draw ``d``; arrays ``draws × years × elements``)
-----------------------------------------------------------------------------------------
- **coverage** ``c(e, y) = S(e, y) / C(e, y)``: domestic supply that counts (oxide separated
  outside China) over the baseline imports from China; NaN where there are no imports from China.
- **offset in y**: ``c(e, y) ≥ 1``.
- **sustainably offset from y**: offset in ``y`` and in every later year of the run length ``L``
  (``[supply.offset] sustain_years``; ``None`` = to the end of the horizon). The window is cut at
  the horizon's end, so with ``L = None`` a year is sustained when every year from it to
  ``end_year`` is offset.
- **first sustained-offset year** of a draw: the first ``y`` sustainably offset from; ``inf`` when
  none is within the horizon.
- **P(offset by y)** = share of draws whose first sustained-offset year is ``≤ y``. It is a
  cumulative distribution, so it never decreases with ``y`` (by construction).
- **Pk of the first sustained-offset year** (k = 10, 50, 90): the first year at which
  ``P(offset by y) ≥ k %``, i.e. the ``inverted_cdf`` percentile of the first years with draws
  never offset counted as ``+∞``. When the curve stays below ``k %`` to the horizon's end the
  percentile is ``None`` with a reason ("not within horizon"; "no separation capacity outside
  China" when no draw supplies the element at all; "no imports from China" when there is nothing
  to offset).
- **weakest link** ``w(y) = min_e c(e, y)`` over the controlled elements (those with imports
  from China): all of them are offset in ``y`` exactly when ``w(y) ≥ 1``.

Examples
--------
>>> import numpy as np
>>> ok = np.array([[[True], [False], [True], [True]]])  # one draw, four years, one element
>>> sustained_from(ok).ravel().tolist()
[False, False, True, True]
>>> first_sustained_year(ok, np.arange(2030, 2034)).ravel().tolist()
[2032.0]
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "REASON_HORIZON",
    "REASON_NO_IMPORTS",
    "REASON_NO_SUPPLY",
    "coverage",
    "first_sustained_year",
    "first_years",
    "offset_answer",
    "offset_by_year",
    "percentile_years",
    "plateau_index",
    "sustained_from",
    "weakest_link",
]

REASON_HORIZON = "not within horizon"
REASON_NO_SUPPLY = "no separation capacity outside China"
REASON_NO_IMPORTS = "no imports from China"


def coverage(supply: np.ndarray, china: np.ndarray) -> np.ndarray:
    """``supply / china`` element-wise; NaN where ``china <= 0`` (nothing to offset)."""
    supply = np.asarray(supply, dtype=float)
    china = np.asarray(china, dtype=float)
    out = np.full(np.broadcast_shapes(supply.shape, china.shape), np.nan)
    np.divide(supply, china, out=out, where=china > 0)
    return out


def sustained_from(offset: np.ndarray, sustain_years: int | None = None) -> np.ndarray:
    """Whether each year starts a sustained offset (year axis = axis 1).

    Parameters
    ----------
    offset : ndarray (D, Y, ...) of bool
        Offset in the year (``coverage >= 1``).
    sustain_years : int or None
        Run length ``L`` (years, ≥ 1); None = to the end of the horizon. The window is cut at the
        horizon's end.
    """
    ok = np.asarray(offset, dtype=bool)
    if sustain_years is None:
        # all(ok[y:]) for every y: a reversed cumulative AND
        return np.flip(np.logical_and.accumulate(np.flip(ok, axis=1), axis=1), axis=1)
    if sustain_years < 1:
        raise ValueError(f"sustain_years: got {sustain_years}; expected >= 1 or None")
    ny = ok.shape[1]
    run = np.zeros(ok.shape, dtype=np.int32)  # consecutive offset years starting at y
    nxt = np.zeros((ok.shape[0], *ok.shape[2:]), dtype=np.int32)
    for y in range(ny - 1, -1, -1):
        nxt = np.where(ok[:, y], nxt + 1, 0)
        run[:, y] = nxt
    need = np.minimum(sustain_years, ny - np.arange(ny)).reshape((1, ny) + (1,) * (ok.ndim - 2))
    return run >= need


def first_sustained_year(offset: np.ndarray, years: Sequence[int] | np.ndarray,
                         sustain_years: int | None = None) -> np.ndarray:
    """(D, ...) first year a sustained offset starts (float), ``inf`` when none in the horizon."""
    s = sustained_from(offset, sustain_years)
    hit = s.any(axis=1)
    first = np.argmax(s, axis=1)
    return np.where(hit, np.asarray(years, dtype=float)[first], np.inf)


def first_years(supply: np.ndarray, china: np.ndarray, years: Sequence[int] | np.ndarray, fraction: float = 1.0,
                sustain_years: int | None = None) -> np.ndarray:
    """The first sustained-offset year of every draw and item, (D, I): the authoritative definition used by
    every table, the summary, the Monte Carlo, the tornado and the scenarios.

    Supply ≥ ``fraction`` × imports from China from that year on (:func:`first_sustained_year`); ``inf``
    if never within the horizon; NaN for items without imports from China.
    """
    hit = (supply >= fraction * china) & (china > 0)
    out = first_sustained_year(hit, years, sustain_years)
    return np.where((china > 0).any(axis=1), out, np.nan)


def offset_by_year(first: np.ndarray, years: Sequence[int] | np.ndarray) -> np.ndarray:
    """P(offset by y): (Y, ...) share of draws (axis 0 of ``first``) with first year ≤ y."""
    first = np.asarray(first, dtype=float)
    y = np.asarray(years, dtype=float).reshape((-1,) + (1,) * (first.ndim - 1))
    return (first[None] <= y[:, None]).mean(axis=1)


def percentile_years(
    first: np.ndarray,
    years: Sequence[int] | np.ndarray,
    q: Sequence[float] = (10, 50, 90),
) -> np.ndarray:
    """Percentiles of the first sustained-offset year over draws (axis 0); NaN = not reached.

    The ``k``-th percentile is the first year ``y`` with at least ``k %`` of the draws offset
    by ``y`` (``numpy.percentile(..., method="inverted_cdf")`` with never = ``+∞``), NaN when
    fewer than ``k %`` of the draws are offset within the horizon. Returns (len(q), ...).
    """
    first = np.asarray(first, dtype=float)
    n = first.shape[0]
    yrs = np.asarray(years, dtype=float)
    count = (first[None] <= yrs.reshape((-1,) + (1,) * first.ndim)).sum(axis=1)  # (Y, ...)
    out = []
    for k in q:
        reached = count * 100 >= k * n  # integer-exact comparison
        idx = np.argmax(reached, axis=0)
        out.append(np.where(reached.any(axis=0) & (n > 0), yrs[idx], np.nan))
    return np.stack(out)


def weakest_link(cov: np.ndarray, axis: int = -1) -> np.ndarray:
    """Minimum coverage over elements (NaN coverage, i.e. no imports from China, ignored)."""
    cov = np.asarray(cov, dtype=float)
    has = np.isfinite(cov).any(axis=axis)
    filled = np.where(np.isnan(cov), np.inf, cov)
    return np.where(has, filled.min(axis=axis), np.nan)


def plateau_index(capacity: np.ndarray) -> int:
    """Index of the first year the (deterministic) mud capacity reaches 99.9 % of its maximum."""
    capacity = np.asarray(capacity, dtype=float)
    top = capacity.max(initial=0.0)
    if top <= 0:
        return len(capacity) - 1
    return int(np.argmax(capacity >= 0.999 * top))


def _year(v: float) -> int | None:
    return int(v) if np.isfinite(v) else None


def offset_answer(
    years: Sequence[int] | np.ndarray,
    elements: Sequence[str],
    supply: np.ndarray,
    china: np.ndarray,
    *,
    draws: tuple[np.ndarray, np.ndarray] | None = None,
    sustain_years: int | None = None,
    plateau: int | None = None,
    mined: Sequence[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """The per-element offset answer: P(offset by year), coverage by year and the summary.

    Parameters
    ----------
    years : (Y,)
    elements : sequence of str
        The elements the answer is for (the controlled elements), E of them.
    supply, china : ndarray (Y, E)
        Deterministic supply that counts and baseline imports from China, t oxide per year.
    draws : (supply, china), each ndarray (D, Y, E), optional
        The Monte Carlo draws. Without them the percentiles are the deterministic year and the
        probability table is empty.
    sustain_years : int or None
        Run length of a sustained offset (None = to the horizon's end).
    plateau : int, optional
        Index of the plateau year (coverage "at plateau"); default the last year.
    mined : sequence of str, optional
        Elements in the mining inventory (others get the reason "not in the mining inventory").

    Returns
    -------
    (offset_probability_by_year, coverage, summary)
        ``offset_probability_by_year``: index year, columns elements (empty without draws);
        ``coverage``: long table (year, element incl. ``weakest_link``) with deterministic, p10,
        p50, p90 coverage; ``summary``: per element and ``weakest_link``.
    """
    years = np.asarray(years)
    elements = list(elements)
    plateau = len(years) - 1 if plateau is None else plateau
    det_cov = coverage(supply, china)[None]  # (1, Y, E)
    det_cov = np.concatenate([det_cov, weakest_link(det_cov)[..., None]], axis=2)
    det_first = first_sustained_year(np.nan_to_num(det_cov, nan=0.0) >= 1, years, sustain_years)[0]
    names = [*elements, "weakest_link"]
    if draws is not None:
        s_d, c_d = draws
        cov = coverage(s_d, c_d)
        cov = np.concatenate([cov, weakest_link(cov)[..., None]], axis=2)
        first = first_sustained_year(np.nan_to_num(cov, nan=0.0) >= 1, years, sustain_years)
        pct = percentile_years(first, years)  # (3, E+1)
        prob = offset_by_year(first, years)  # (Y, E+1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN (no imports from China) → NaN
            band = np.nanpercentile(cov, [10, 50, 90], axis=0)
        s_all, c_all = s_d, c_d
    else:
        pct = np.repeat(det_first[None], 3, axis=0)
        prob = None
        band = np.full((3, *det_cov.shape[1:]), np.nan)
        s_all, c_all = supply[None], china[None]
    no_imports = ~(c_all > 0).any(axis=(0, 1))
    by_year = pd.DataFrame(index=pd.Index(years, name="year"))
    if prob is not None:
        prob[:, :-1][:, no_imports] = np.nan
        by_year = pd.DataFrame(prob[:, :-1], index=pd.Index(years, name="year"), columns=elements)
    ny = len(years)
    cov_table = pd.DataFrame({
        "year": np.repeat(years, len(names)), "element": np.tile(names, ny),
        "deterministic": det_cov[0].ravel(), "p10": band[0].ravel(), "p50": band[1].ravel(), "p90": band[2].ravel(),
    })
    summary: dict[str, Any] = {}
    for j, e in enumerate(names):
        if e == "weakest_link":
            # over the elements with imports from China (those the weakest link is taken over): an element
            # without imports (e.g. Sc, not recovered by default) does not make the reason "no separation"
            has_supply = bool((s_all[..., ~no_imports] > 0).all(axis=2).any()) if (~no_imports).any() else False
            no_imp = bool(no_imports.all())
        else:
            has_supply = bool((s_all[..., j] > 0).any())
            no_imp = bool(no_imports[j])
        entry: dict[str, Any] = {
            "first_sustained_offset_year": {f"p{k}": _year(pct[i, j]) for i, k in enumerate((10, 50, 90))},
            "first_sustained_offset_year_deterministic": _year(det_first[j]),
            "reason": None,
            "coverage_start": _float(det_cov[0, 0, j]),
            "coverage_plateau": _float(det_cov[0, plateau, j]),
            "probability_offset_by_end": None if prob is None else _float(prob[-1, j]),
        }
        if not np.isfinite(pct[:, j]).all():
            if no_imp:
                entry["reason"] = REASON_NO_IMPORTS
            elif mined is not None and e != "weakest_link" and e not in mined:
                entry["reason"] = "not in the mining inventory"
            elif not has_supply:
                entry["reason"] = REASON_NO_SUPPLY
            else:
                entry["reason"] = REASON_HORIZON
        if e == "weakest_link":
            row = det_cov[0, plateau, :-1]
            entry["elements"] = elements
            entry["element_at_plateau"] = elements[int(np.nanargmin(row))] if np.isfinite(row).any() else None
        summary[e] = entry
    return by_year, cov_table, summary


def _float(v: float) -> float | None:
    return float(v) if np.isfinite(v) else None
