"""The core-table schema: columns, units, policies, limits, and the locator of error messages.

Shared by the reader (:mod:`.table`), the column rules (:mod:`.columns`), the cell parsers
(:mod:`.values`) and the checks (:mod:`.checks`, :mod:`.intervals`) of
:func:`seabed.inputs.cores.load_cores`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from seabed.errors import InputDataError, UnitsError
from seabed.units import parse_quantity

#: Logger of the core loader (one name for the whole package).
log = logging.getLogger("seabed.inputs.cores")

#: Accepted values of ``detection_policy``.
DETECTION_POLICIES: tuple[str, ...] = ("half", "zero", "limit", "drop")

#: Accepted values of ``duplicate_policy``.
DUPLICATE_POLICIES: tuple[str, ...] = ("keep", "merge", "error")

#: A mass fraction cannot exceed the whole sample: 1,000,000 ppm = 100 %.
PHYSICAL_MAX_PPM = 1_000_000.0

#: Default upper plausibility bound on a sample's total REY, ppm. REY-rich mud peaks at
#: 5,000-8,000 ppm in its richest layers (Iijima et al. 2016, Geochem. J. 50:557) and the
#: biogenic calcium-phosphate grains that carry the REY hold up to ~22,000 ppm (Takaya et al.
#: 2018, Sci. Rep. 8:5763): a bulk mud sample richer than its own carrier grains is implausible.
DEFAULT_PLAUSIBLE_MAX_REY_PPM = 20_000.0

#: Default lower plausibility bound on the *median* total REY of a table, ppm (an assumption:
#: pelagic clays hold hundreds of ppm, Takaya et al. 2018 report a mean of 964 ppm; a median
#: below 10 ppm almost always means wt% or a mass fraction labelled ppm).
DEFAULT_PLAUSIBLE_MIN_REY_PPM = 10.0

#: At most this many per-sample warnings are listed; the rest are counted in one more line.
MAX_LISTED_WARNINGS = 5

_COLUMN_UNITS = {
    "longitude": "degrees_east", "latitude": "degrees_north", "top_mbsf": "m", "bottom_mbsf": "m",
    "x": "m", "y": "m", "water_depth_m": "m", "dry_bulk_density": "t/m^3", "wet_bulk_density": "t/m^3",
    "water_content": "1",
}
_MISSING_TOKENS = frozenset({"", "na", "nan", "n/a", "null", "none"})
_NUMBER = r"[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?"
_BELOW_DL = re.compile(rf"^<\s*({_NUMBER})$")


class DuplicateCoreWarning(UserWarning):
    """Two or more cores share a position (``duplicate_policy="keep"``)."""


def ppm_per_unit(units: str, *, field: str = "cores.units") -> float:
    """Factor converting a mass-fraction unit to ppm.

    Parameters
    ----------
    units : str
        A dimensionless mass-fraction unit: ``"ppm"``, ``"ppb"``, ``"wt%"``, ``"g/t"``,
        ``"mg/kg"``, ``"percent"``.
    field : str
        Name used in error messages.

    Returns
    -------
    float
        ppm per one ``units`` (e.g. 10,000 for ``"wt%"``).

    Raises
    ------
    UnitsError
        Unknown or non-dimensionless units.

    Examples
    --------
    >>> ppm_per_unit("wt%"), ppm_per_unit("ppb"), ppm_per_unit("g/t")
    (10000.0, 0.001, 1.0)
    """
    if not isinstance(units, str) or not units.strip():
        raise UnitsError(f"{field}: got {units!r}; expected a mass-fraction unit such as ppm, ppb, wt%, g/t")
    q = parse_quantity(f"1 {units}", "[]", field=field)
    return float(q.to("ppm").magnitude)


def _unit_factors(units: str | Mapping[str, str], symbols: list[str]) -> dict[str, float]:
    if isinstance(units, str):
        f = ppm_per_unit(units)
        return dict.fromkeys(symbols, f)
    return {s: ppm_per_unit(units.get(s, "ppm"), field=f"cores.units[{s}]") for s in symbols}


def _unit_label(units: str | Mapping[str, str], symbol: str) -> str:
    return units if isinstance(units, str) else units.get(symbol, "ppm")


class _Locator:
    """Turns a data-row index into the location text of an error message."""

    def __init__(self, name: str, lines: np.ndarray | None) -> None:
        self.name = name
        self.lines = lines
        self.core_ids: pd.Series | None = None

    def position(self, index: int) -> str:
        text = f"data row {index + 1}"
        if self.lines is not None:
            text += f" (line {int(self.lines[index])})"
        return text

    def row(self, index: int) -> str:
        text = self.position(index)
        if self.core_ids is not None:
            text += f", core {self.core_ids.loc[index]}"
        return f"{self.name}: {text}"

    def error(self, index: int, column: str, got: str, expected: str, fix: str, *, n_more: int = 0) -> InputDataError:
        more = f" ({n_more} more row(s) like this)" if n_more else ""
        return InputDataError(
            f"{self.row(index)}, column '{column}': got {got}; expected {expected}; fix: {fix}{more}"
        )


def _as_text(col: pd.Series) -> pd.Series:
    """Cells as stripped strings ('' for missing)."""
    return col.astype(object).where(col.notna(), "").astype(str).str.strip()


def _first(mask: pd.Series) -> int:
    return int(mask.index[mask.to_numpy()][0])

