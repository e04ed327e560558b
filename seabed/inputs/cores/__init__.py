"""Load and validate core assay tables (one row per analysed depth interval).

The table schema, units and policies are documented in ``docs/inputs.md`` (section
"Core assays"). In short: one row per sample interval with ``core_id``, ``longitude``,
``latitude``, ``top_mbsf``, ``bottom_mbsf`` and one column per element symbol (``La``, ...,
``Lu``, ``Y``, ``Sc``); optional ``water_depth_m``, ``dry_bulk_density``,
``wet_bulk_density`` and ``water_content``. Lines starting with ``#`` are comments.

:func:`load_cores` returns a validated :class:`pandas.DataFrame` with grades in ppm (dry
mass fraction), sorted by core (in order of first appearance in the file) and depth. Every
problem in the file raises :class:`~seabed.errors.InputDataError` with one line naming the
file, the data row (1-based, not counting the header and comment lines) and/or core, the
column, the value, what was expected and the fix. No number that cannot be a mass fraction
gets through (an element above 1,000,000 ppm, or a sample whose elements sum above it), and
no assay-like column is silently dropped: a column outside the schema that looks like an
element, an oxide, a total or holds numbers must be renamed, mapped (``columns``) or ignored
explicitly (``ignore_columns``). Grades that are possible but far outside the known range of
REY-rich mud are accepted with a warning recorded in ``attrs["warnings"]``.

The package is split by what each step does: :mod:`~seabed.inputs.cores.schema` (columns,
policies, limits), :mod:`~seabed.inputs.cores.table` (reading CSV, GeoPackage, Parquet),
:mod:`~seabed.inputs.cores.columns` (renaming, unknown and element columns),
:mod:`~seabed.inputs.cores.values` (cells, below-detection values),
:mod:`~seabed.inputs.cores.checks` (physical limits, plausibility) and
:mod:`~seabed.inputs.cores.intervals` (positions, depths, duplicates, area); :func:`load_cores`
runs them in that order.

Examples
--------
>>> import io, pathlib, tempfile
>>> text = '''# demo
... core_id,longitude,latitude,top_mbsf,bottom_mbsf,La,Y
... A,153.6,21.9,0.0,0.5,100,<0.2
... A,153.6,21.9,0.5,1.0,300,250
... '''
>>> path = pathlib.Path(tempfile.mkdtemp()) / "cores.csv"
>>> _ = path.write_text(text)
>>> df = load_cores(path)
>>> df[["top_mbsf", "La", "Y"]].to_numpy().tolist()  # '<0.2' -> half the detection limit
[[0.0, 100.0, 0.1], [0.5, 300.0, 250.0]]
>>> df.attrs["detection"]
{'n_substituted': 1, 'policy': 'half', 'by_element': {'Y': 1}}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from shapely.geometry.base import BaseGeometry

from seabed.core_table import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, schema_columns
from seabed.errors import InputDataError
from seabed.inputs.cores.checks import (
    _check_has_assays,
    _check_physical_limits,
    _detection_record,
    _plausibility_warnings,
)
from seabed.inputs.cores.columns import (
    _check_required,
    _check_unknown_columns,
    _element_columns,
    _rename_columns,
)
from seabed.inputs.cores.intervals import (
    _apply_duplicate_policy,
    _check_area,
    _check_core_positions,
    _check_depths,
    _check_overlaps,
    _check_positions,
    _sort_intervals,
)
from seabed.inputs.cores.schema import (
    _COLUMN_UNITS,
    DEFAULT_PLAUSIBLE_MAX_REY_PPM,
    DEFAULT_PLAUSIBLE_MIN_REY_PPM,
    DETECTION_POLICIES,
    DUPLICATE_POLICIES,
    MAX_LISTED_WARNINGS,
    PHYSICAL_MAX_PPM,
    DuplicateCoreWarning,
    _Locator,
    _unit_factors,
    _unit_label,
    ppm_per_unit,
)
from seabed.inputs.cores.table import _read_table
from seabed.inputs.cores.values import _check_range, _parse_assay, _parse_core_ids, _parse_float
from seabed.working_grid import WorkingGrid

__all__ = [
    "DEFAULT_PLAUSIBLE_MAX_REY_PPM",
    "DEFAULT_PLAUSIBLE_MIN_REY_PPM",
    "DETECTION_POLICIES",
    "DUPLICATE_POLICIES",
    "MAX_LISTED_WARNINGS",
    "OPTIONAL_COLUMNS",
    "PHYSICAL_MAX_PPM",
    "REQUIRED_COLUMNS",
    "DuplicateCoreWarning",
    "load_cores",
    "ppm_per_unit",
    "schema_columns",
]


def load_cores(
    path: str | Path,
    *,
    units: str | Mapping[str, str] = "ppm",
    elements: Sequence[str] | None = None,
    grid: WorkingGrid | None = None,
    area: BaseGeometry | None = None,
    duplicate_policy: Literal["keep", "merge", "error"] = "keep",
    detection_policy: Literal["half", "zero", "limit", "drop"] = "half",
    position_tolerance_m: float = 10.0,
    negative_is_below_detection: bool = False,
    layer: str | None = None,
    columns: Mapping[str, str] | None = None,
    ignore_columns: Sequence[str] = (),
    plausible_max_rey_ppm: float | None = DEFAULT_PLAUSIBLE_MAX_REY_PPM,
    plausible_min_rey_ppm: float | None = DEFAULT_PLAUSIBLE_MIN_REY_PPM,
) -> pd.DataFrame:
    """Read a core assay table and return it validated, with grades in ppm.

    Parameters
    ----------
    path : str or Path
        CSV (``.csv``, ``.txt``; UTF-8, comma-separated, ``#`` comment lines allowed),
        GeoPackage (``.gpkg``; point geometry in any CRS may replace
        ``longitude``/``latitude``) or Parquet (``.parquet``; needs pyarrow).
    units : str or mapping of str to str, default "ppm"
        Units of the element columns (``"ppm"``, ``"ppb"``, ``"wt%"``, ``"g/t"``, ...), one
        for all or per element symbol (missing symbols default to ppm). Converted to ppm.
    elements : sequence of str, optional
        Element symbols to keep; each must be a column. Default: every column named after a
        known element (:data:`seabed.elements.ELEMENTS`), matched case-sensitively.
    grid : WorkingGrid, optional
        If given, columns ``x`` and ``y`` (m, working CRS) are added.
    area : shapely geometry, optional
        Area in longitude/latitude degrees; a core outside it is an error.
    duplicate_policy : {"keep", "merge", "error"}, default "keep"
        What to do when distinct ``core_id`` lie within ``position_tolerance_m`` of each
        other: keep them as separate cores and emit a :class:`DuplicateCoreWarning`; merge
        them into one core (id ``"A+B"``, mean position; its intervals may then overlap and
        are averaged by :func:`seabed.compositing.composite`); or raise.
    detection_policy : {"half", "zero", "limit", "drop"}, default "half"
        Value given to a below-detection assay written ``"<DL"`` (e.g. ``"<0.05"``, DL in the
        column's units): half the detection limit, zero, the limit itself, or NaN (the
        sample counts as not analysed for that element).
    position_tolerance_m : float, default 10 m
        Largest distance between rows of one core before its position is called
        inconsistent, and between two cores before they are called duplicates, m.
    negative_is_below_detection : bool, default False
        Read a negative assay ``-v`` as ``"<v"`` (a sentinel used by some databases).
        Otherwise a negative assay is an error.
    layer : str, optional
        GeoPackage layer name.
    columns : mapping of str to str, optional
        Renames applied before any validation, file column -> schema column (e.g.
        ``{"Neodymium": "Nd", "lat": "latitude"}``). The file column must exist, the target
        must be a schema column (:func:`schema_columns`) not already in the file.
    ignore_columns : sequence of str, default ()
        Extra columns outside the schema to leave out (names or glob patterns such as
        ``"lab_*"``). Any other unknown column that looks like an element, an oxide or a
        total, or that holds numbers, is an error (it may be an assay that would otherwise
        be silently dropped). Unknown text columns (comments, sample labels) are ignored.
    plausible_max_rey_ppm : float or None, default 20,000 ppm
        A sample whose total REY (sum of the REY columns present, ppm) exceeds this is
        accepted with a warning naming its row and largest column. ``None`` turns it off.
    plausible_min_rey_ppm : float or None, default 10 ppm
        If the median total REY of the samples is below this, the table is accepted with a
        warning that the values look like wt% or a fraction labelled ppm. ``None`` turns
        it off.

    Returns
    -------
    pandas.DataFrame
        Columns ``core_id`` (str), ``longitude`` (degrees east in (-180, 180]),
        ``latitude`` (degrees), ``top_mbsf``, ``bottom_mbsf`` (m below seafloor), ``x``,
        ``y`` (m, only with ``grid``), one float column per element (ppm, dry mass
        fraction, NaN = not analysed; REY in atomic-number order, then Sc) and the optional
        columns present. Rows are sorted by core (first appearance) and ``top_mbsf``.
        ``attrs`` holds ``source``, ``elements``, ``units``, the policies used,
        ``renamed`` (the column map applied), ``ignored_columns``, ``detection``
        (``{"n_substituted": int, "policy": str, "by_element": {symbol: int}}``, counting the
        below-detection values replaced) and ``warnings`` (one-line strings: implausible
        grades, duplicate cores; also logged).

    Raises
    ------
    InputDataError
        Missing, empty, non-UTF-8 or non-comma-separated file; ragged rows; a duplicate or
        unknown assay-like column; a missing required column; no element column or no assay
        value; non-numeric, negative or impossible values (an element above 1,000,000 ppm, or
        elements of one sample summing above it); ``top >= bottom``, overlapping intervals,
        bad or inconsistent positions, cores outside ``area``, duplicate cores with
        ``duplicate_policy="error"``.
    UnitsError
        Unknown ``units``.

    Notes
    -----
    Distances between positions are great-circle (haversine) distances on a sphere of
    radius 6,371 km. Element values that are blank or ``NA``/``NaN``/``null`` mean "not
    analysed" and stay NaN. ``water_content`` is the mass of pore water per mass of wet
    sediment (0-1); if ``dry_bulk_density`` is absent but ``wet_bulk_density`` and
    ``water_content`` are present, it is derived as :math:`\\rho_{dry} = \\rho_{wet}(1 - w)`
    (no salt correction) and ``attrs["derived"]`` says so. Physical limits are checked after
    conversion to ppm: an element :math:`g_e \\le 10^6` ppm and, per sample,
    :math:`\\sum_e g_e \\le 10^6` ppm (over every element column read, Sc included).

    References
    ----------
    Iijima K. et al. (2016) Geochem. J. 50:557 (peak grades 6,500-8,000 ppm REY).
    Takaya Y. et al. (2018) Sci. Rep. 8:5763 (mean 964 ppm; apatite grains up to 22,000 ppm).
    """
    path = Path(path)
    if detection_policy not in DETECTION_POLICIES:
        raise InputDataError(
            f"cores.detection_policy: got {detection_policy!r}; expected one of {list(DETECTION_POLICIES)}"
        )
    if duplicate_policy not in DUPLICATE_POLICIES:
        raise InputDataError(
            f"cores.duplicate_policy: got {duplicate_policy!r}; expected one of {list(DUPLICATE_POLICIES)}"
        )
    raw, lines = _read_table(path, layer=layer)
    where = _Locator(path.name, lines)

    raw, renamed = _rename_columns(raw, columns or {}, where)
    _check_required(raw, where)
    ignored = _check_unknown_columns(raw, ignore_columns, where, units)
    if raw.empty:
        raise InputDataError(
            f"{where.name}: no data rows (a header only); expected one row per sample interval; "
            "fix: add the assay rows"
        )
    symbols = _element_columns(raw, elements, where)
    factors = _unit_factors(units, symbols)

    out = pd.DataFrame(index=raw.index)
    out["core_id"] = _parse_core_ids(raw["core_id"], where)
    where.core_ids = out["core_id"]
    for col in ("longitude", "latitude", "top_mbsf", "bottom_mbsf"):
        out[col] = _parse_float(raw[col], col, where, expected="a number", allow_missing=False)
    _check_positions(out, where)
    _check_depths(out, where)

    below_counts: dict[str, int] = {}
    for sym in symbols:
        out[sym], below_counts[sym] = _parse_assay(
            raw[sym], sym, where, factor=factors[sym], unit=_unit_label(units, sym),
            policy=detection_policy, negative_is_below_detection=negative_is_below_detection,
        )
    _check_has_assays(out, raw, symbols, where, detection_policy)
    _check_physical_limits(out, raw, symbols, where, units, factors)
    messages = _plausibility_warnings(out, symbols, where, units, factors,
                                      max_ppm=plausible_max_rey_ppm, min_ppm=plausible_min_rey_ppm)
    detection = _detection_record(below_counts, detection_policy, where, negative_is_below_detection)

    derived: list[str] = []
    for col, (desc, (lo, hi)) in OPTIONAL_COLUMNS.items():
        if col in raw.columns:
            values = _parse_float(raw[col], col, where, expected=desc, allow_missing=True)
            _check_range(values, col, lo, hi, desc, where)
            out[col] = values
    if "dry_bulk_density" not in out and {"wet_bulk_density", "water_content"} <= set(out.columns):
        out["dry_bulk_density"] = out["wet_bulk_density"] * (1.0 - out["water_content"])
        derived.append("dry_bulk_density = wet_bulk_density * (1 - water_content)")

    out = _sort_intervals(out)
    _check_core_positions(out, where, position_tolerance_m)
    _check_overlaps(out, where)
    out = _apply_duplicate_policy(out, where, duplicate_policy, position_tolerance_m, messages)
    if area is not None:
        _check_area(out, area, where)
    if grid is not None:
        x, y = grid.from_lonlat(out["longitude"].to_numpy(), out["latitude"].to_numpy())
        pos = out.columns.get_loc("bottom_mbsf") + 1
        out.insert(pos, "x", np.asarray(x, dtype=float))
        out.insert(pos + 1, "y", np.asarray(y, dtype=float))

    out = out.reset_index(drop=True)
    out.attrs = {
        "source": str(path),
        "elements": tuple(symbols),
        "units": {c: u for c, u in _COLUMN_UNITS.items() if c in out.columns} | dict.fromkeys(symbols, "ppm"),
        "detection_policy": detection_policy,
        "duplicate_policy": duplicate_policy,
        "derived": tuple(derived),
        "crs": grid.crs.to_wkt() if grid is not None else None,
        "renamed": renamed,
        "ignored_columns": tuple(ignored),
        "detection": detection,
        "warnings": messages,
    }
    return out
