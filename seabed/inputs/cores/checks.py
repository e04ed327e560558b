"""Assay checks: at least one assay per element column, physical limits (no mass fraction above
100 %), plausibility warnings for REY-rich mud, and the record of below-detection substitutions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from seabed.elements import GROUPS
from seabed.errors import InputDataError
from seabed.inputs.cores.schema import (
    MAX_LISTED_WARNINGS,
    PHYSICAL_MAX_PPM,
    _first,
    _Locator,
    _unit_label,
    log,
)

_SUM_TOLERANCE = 1e-9  # relative: a sum of exactly 1,000,000 ppm must not fail on rounding


def _ppm(value: float) -> str:
    """A grade for a message: 1,234 ppm, 0.05 ppm, 1e+30 ppm."""
    if not np.isfinite(value) or abs(value) >= 1e9:
        return f"{value:.3g} ppm"
    if abs(value) >= 100:
        return f"{value:,.0f} ppm"
    return f"{value:.4g} ppm"


def _looks_like_ppm(units: str | Mapping[str, str], factors: Mapping[str, float], ppm_value: float,
                    symbols: Sequence[str], limit: float) -> str:
    """A hint when the values would be plausible had the table been in ppm."""
    if not isinstance(units, str) or not symbols or factors[symbols[0]] <= 1.0:
        return ""
    raw = ppm_value / factors[symbols[0]]
    if raw <= limit:
        return (f"; the values look like ppm, not {units} (in ppm this would be {_ppm(raw)}): "
                "check [inputs.cores] units")
    return ""


def _check_has_assays(out: pd.DataFrame, raw: pd.DataFrame, symbols: list[str], where: _Locator, policy: str) -> None:
    values = out[symbols]
    if values.isna().all(axis=None):
        raise InputDataError(
            f"{where.name}: no assay values: all {values.size} cells of the element columns {symbols} are empty, "
            f"NA or dropped below detection; expected at least one assay per element column; fix: fill in the "
            f"assays (an empty cell means not analysed)"
        )
    empty = [s for s in symbols if values[s].isna().all()]
    if empty:
        s = empty[0]
        dropped = " or dropped below detection (detection_policy='drop')" if policy == "drop" else ""
        raise InputDataError(
            f"{where.name}: column '{s}': no assay values (all {len(values)} cells empty or NA{dropped}); expected "
            f"at least one assay per element column; fix: fill in the column, delete it, or choose the elements "
            f"to use with [inputs.cores] elements"
            + (f" ({len(empty) - 1} more empty column(s): {empty[1:]})" if len(empty) > 1 else "")
        )


def _check_physical_limits(
    out: pd.DataFrame, raw: pd.DataFrame, symbols: list[str], where: _Locator,
    units: str | Mapping[str, str], factors: Mapping[str, float],
) -> None:
    """No element above 1,000,000 ppm and no sample whose elements sum above it (first bad row reported)."""
    values = out[symbols]
    over = values.gt(PHYSICAL_MAX_PPM)
    total = values.sum(axis=1, skipna=True)
    bad = over.any(axis=1) | (total > PHYSICAL_MAX_PPM * (1 + _SUM_TOLERANCE))
    if not bad.any():
        return
    i = _first(bad)
    n_more = int(bad.sum()) - 1
    if over.loc[i].any():
        sym = next(s for s in symbols if over.loc[i, s])
        ppm = float(values.loc[i, sym])
        unit = _unit_label(units, sym)
        got = f"{str(raw.loc[i, sym]).strip()} {unit}" + (f" (= {_ppm(ppm)})" if unit != "ppm" else "")
        hint = _looks_like_ppm(units, factors, ppm, [sym], PHYSICAL_MAX_PPM)
        raise where.error(
            i, sym, got,
            f"at most 1,000,000 ppm (a mass fraction cannot exceed 100 % of the sample){hint}",
            "set [inputs.cores] units to the table's real unit" if hint else "correct the assay (a typo or a wrong unit?)",
            n_more=n_more,
        )
    row = values.loc[i].dropna().sort_values(ascending=False)
    parts = ", ".join(f"{s} {_ppm(float(v))}" for s, v in row.iloc[:3].items())
    hint = _looks_like_ppm(units, factors, float(total.loc[i]), symbols, PHYSICAL_MAX_PPM)
    raise InputDataError(
        f"{where.row(i)}, columns {'+'.join(s for s in symbols if s in row.index)}: got a sum of "
        f"{_ppm(float(total.loc[i]))} ({float(total.loc[i]) / 1e4:,.0f} % of the sample; largest {parts}); expected "
        f"the elements of one sample to sum to at most 1,000,000 ppm (100 %){hint}; fix: "
        + ("set [inputs.cores] units to the table's real unit" if hint else "correct the assays (a wrong unit?)")
        + (f" ({n_more} more row(s) like this)" if n_more else "")
    )


def _plausibility_warnings(
    out: pd.DataFrame, symbols: list[str], where: _Locator, units: str | Mapping[str, str],
    factors: Mapping[str, float], *, max_ppm: float | None, min_ppm: float | None,
) -> list[str]:
    """Warnings (logged, and returned) for grades far outside the range of REY-rich mud."""
    rey = [s for s in symbols if s in GROUPS["REY"]]
    messages: list[str] = []
    if not rey:
        return messages
    values = out[rey]
    analysed = values.notna().any(axis=1)
    total = values.sum(axis=1, skipna=True).where(analysed)
    if max_ppm is not None:
        high = total > max_ppm
        for n, i in enumerate(total.index[high.to_numpy()]):
            if n == MAX_LISTED_WARNINGS:
                rest = int(high.sum()) - MAX_LISTED_WARNINGS
                messages.append(
                    f"{where.name}: {rest} more sample(s) with total REY above plausible_max_REY {_ppm(max_ppm)} "
                    "(not listed); accepted"
                )
                break
            sym = str(values.loc[i].idxmax())
            hint = _looks_like_ppm(units, factors, float(total.loc[i]), rey, max_ppm)
            messages.append(
                f"{where.row(i)}, column '{sym}' ({_ppm(float(values.loc[i, sym]))}): total REY "
                f"{_ppm(float(total.loc[i]))} is above plausible_max_REY {_ppm(max_ppm)} (REY-rich mud peaks at "
                f"5,000-8,000 ppm, Iijima et al. 2016){hint}; accepted; check the assay and units, or raise "
                "[inputs.cores] plausible_max_REY"
            )
    if min_ppm is not None and analysed.any():
        median = float(total.median())
        if median < min_ppm:
            messages.append(
                f"{where.name}: the median total REY of the samples ({', '.join(rey[:3])}{'...' if len(rey) > 3 else ''}) "
                f"is {_ppm(median)}, below plausible_min_REY {_ppm(min_ppm)} (deep-sea clays hold hundreds of ppm): the "
                f"values look like wt% or a mass fraction read as {_unit_label(units, rey[0])}; accepted; check "
                "[inputs.cores] units, or lower plausible_min_REY"
            )
    for m in messages:
        log.warning("%s", m)
    return messages


def _detection_record(counts: Mapping[str, int], policy: str, where: _Locator, negative_sentinels: bool) -> dict:
    """How many below-detection values were replaced, and by what (also logged once)."""
    n = int(sum(counts.values()))
    by_element = {s: int(k) for s, k in counts.items() if k}
    if n:
        how = {"half": "half the detection limit", "zero": "zero", "limit": "the detection limit",
               "drop": "NaN (not analysed)"}[policy]
        what = "'<DL' or negative-sentinel" if negative_sentinels else "'<DL'"
        detail = ", ".join(f"{s} {k}" for s, k in by_element.items())
        log.warning("%s: %d below-detection assay(s) (%s) replaced by %s (detection_policy=%r): %s",
                    where.name, n, what, how, policy, detail)
    return {"n_substituted": n, "policy": policy, "by_element": by_element}

