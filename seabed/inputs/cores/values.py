"""Cell values: numbers, missing values, below-detection ``'<DL'`` assays and their substitution,
with a fix suggested from what a bad cell looks like."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from seabed.inputs.cores.schema import (
    _BELOW_DL,
    _MISSING_TOKENS,
    _NUMBER,
    _as_text,
    _first,
    _Locator,
)

# Words that say "not detected" or "not analysed" in lab sheets, and other common non-numbers.
_NOT_DETECTED = frozenset({
    "n.d.", "n.d", "nd", "bdl", "b.d.l.", "b.d.l", "bd", "b.d.", "<dl", "<lod", "<ld", "lod", "dl", "-", "--",
    "tr", "trace", "not detected", "below detection", "<d.l.", "n.a.", "n.a", "not analysed", "not analyzed",
})
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+$")
_WITH_UNIT = re.compile(rf"^[+-]?{_NUMBER}\s*(ppm|ppb|%|wt\s*%|g/t|mg/kg|µg/g|ug/g|m|mbsf|t/m\^?3|g/cm\^?3)$",
                        re.IGNORECASE)
_OVER_RANGE = re.compile(rf"^>\s*{_NUMBER}$")


def _parse_core_ids(col: pd.Series, where: _Locator) -> pd.Series:
    ids = _as_text(col)
    bad = ids == ""
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise where.error(i, "core_id", "an empty value", "a core identifier", "fill in the core_id",
                          n_more=int(bad.sum()) - 1) from None
    return ids.astype(str)


def _cells(col: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Split a column into plain numbers (fast path) and the stripped text of the other cells.

    Returns ``values`` (float, NaN where a cell is not a plain number) and ``text`` (str,
    only for the cells where ``values`` is NaN, same index labels as ``col``).
    """
    if pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype):
        values = col.astype(float)
    else:
        values = pd.to_numeric(col, errors="coerce").astype(float)
    return values, _as_text(col[values.isna()])


def _value_fix(text: str, *, assay: bool) -> str:
    """The fix for a cell that is not a number, from what it looks like."""
    lower = text.strip().lower()
    if _THOUSANDS.match(lower):
        return f"remove the thousands separator (write {text.replace(',', '')})"
    if _DECIMAL_COMMA.match(lower):
        return f"use a decimal point, not a comma (write {text.replace(',', '.')})"
    if assay and (lower in _NOT_DETECTED or lower.startswith("<")):
        return ("write a below-detection value as '<DL' with its detection limit (e.g. '<0.5'), "
                "or leave the cell empty for not analysed")
    if _WITH_UNIT.match(lower):
        unit = "[inputs.cores] units" if assay else "the schema (docs/inputs.md)"
        return f"remove the unit from the cell (the column's units are set by {unit})"
    if _OVER_RANGE.match(lower):
        return "give the measured value (an over-range '>' result needs a re-assay or dilution)"
    return "correct the value" if not assay else "correct the assay"


def _parse_float(col: pd.Series, name: str, where: _Locator, *, expected: str, allow_missing: bool) -> pd.Series:
    values, text = _cells(col)
    missing = text.str.lower().isin(_MISSING_TOKENS)
    more = pd.to_numeric(text.where(~missing, None), errors="coerce").astype(float)
    bad = more.isna() & ~missing
    if bad.any():
        i = _first(bad)
        raise where.error(i, name, repr(text.loc[i]), expected, _value_fix(text.loc[i], assay=False),
                          n_more=int(bad.sum()) - 1)
    if not allow_missing and missing.any():
        i = _first(missing)
        raise where.error(i, name, "an empty value (NaN)", expected, "fill in the value or remove the row",
                          n_more=int(missing.sum()) - 1)
    values.loc[more.index] = more
    infinite = values.notna() & ~np.isfinite(values)
    if infinite.any():
        i = _first(infinite)
        raise where.error(i, name, repr(str(col.loc[i]).strip()), f"a finite number ({expected})",
                          "correct the value")
    return values


def _parse_assay(
    col: pd.Series,
    symbol: str,
    where: _Locator,
    *,
    factor: float,
    unit: str,
    policy: str,
    negative_is_below_detection: bool,
) -> tuple[pd.Series, int]:
    """The assay column in ppm, and how many below-detection values were substituted."""
    values, text = _cells(col)
    missing = text.str.lower().isin(_MISSING_TOKENS)
    limit_text = text.str.extract(_BELOW_DL, expand=False)
    below_text = limit_text.notna()
    more = pd.to_numeric(text.where(~missing & ~below_text, None), errors="coerce").astype(float)
    expected = f"a number >= 0 in {unit}, '<DL' for below detection, or blank for not analysed"
    bad = more.isna() & ~missing & ~below_text
    if bad.any():
        i = _first(bad)
        raise where.error(i, symbol, repr(text.loc[i]), expected, _value_fix(text.loc[i], assay=True),
                          n_more=int(bad.sum()) - 1)
    values.loc[more.index] = more
    infinite = values.notna() & ~np.isfinite(values)
    if infinite.any():
        i = _first(infinite)
        raise where.error(i, symbol, repr(str(col.loc[i]).strip()), expected, "correct the assay")
    limits = pd.Series(np.nan, index=col.index)
    limits.loc[limit_text.index] = pd.to_numeric(limit_text, errors="coerce").astype(float)
    below = limits.notna()
    negative = values < 0
    if negative.any():
        if not negative_is_below_detection:
            i = _first(negative)
            raise where.error(
                i, symbol, repr(str(col.loc[i]).strip()), expected,
                "write below-detection values as '<DL' (e.g. '<0.05'), or pass negative_is_below_detection=True "
                "if negative numbers are detection-limit sentinels",
                n_more=int(negative.sum()) - 1,
            )
        limits = limits.where(~negative, -values)
        below = below | negative
    substitute = {"half": 0.5, "zero": 0.0, "limit": 1.0, "drop": np.nan}[policy]
    values = values.where(~below, limits * substitute)
    return (values * factor).astype(float), int(below.sum())


def _check_range(values: pd.Series, name: str, lo: float, hi: float, desc: str, where: _Locator) -> None:
    bad = values.notna() & ((values < lo) | (values > hi))
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        fix = "correct the value"
        if name == "water_content" and values.iloc[i] > 1:
            fix = ("give water content as a fraction of wet mass (divide wt% by 100; from a dry-basis "
                   "ratio w_d use w_d / (1 + w_d))")
        elif name == "water_depth_m" and values.iloc[i] < 0:
            fix = "give water depth positive down (the negative of elevation)"
        raise where.error(i, name, repr(float(values.iloc[i])), f"{desc} in [{lo:g}, {hi:g}]", fix,
                          n_more=int(bad.sum()) - 1)

