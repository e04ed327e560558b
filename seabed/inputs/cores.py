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
column, the value, what was expected and the fix.

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
"""

from __future__ import annotations

import difflib
import io
import re
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree
from shapely.geometry.base import BaseGeometry

from seabed.elements import ELEMENTS, GROUPS
from seabed.errors import InputDataError, UnitsError
from seabed.units import parse_quantity
from seabed.working_grid import WorkingGrid

__all__ = [
    "DETECTION_POLICIES",
    "DUPLICATE_POLICIES",
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "DuplicateCoreWarning",
    "load_cores",
    "ppm_per_unit",
]

#: Columns every core table must have.
REQUIRED_COLUMNS: tuple[str, ...] = ("core_id", "longitude", "latitude", "top_mbsf", "bottom_mbsf")

#: Optional columns: name -> (description with units, valid closed range).
OPTIONAL_COLUMNS: dict[str, tuple[str, tuple[float, float]]] = {
    "water_depth_m": ("water depth in metres, positive down", (0.0, 11_000.0)),
    "dry_bulk_density": ("dry bulk density in t/m^3 (= g/cm^3)", (0.05, 3.0)),
    "wet_bulk_density": ("wet bulk density in t/m^3 (= g/cm^3)", (1.0, 3.0)),
    "water_content": ("water content (fraction of wet mass)", (0.0, 0.999)),
}

#: Accepted values of ``detection_policy``.
DETECTION_POLICIES: tuple[str, ...] = ("half", "zero", "limit", "drop")

#: Accepted values of ``duplicate_policy``.
DUPLICATE_POLICIES: tuple[str, ...] = ("keep", "merge", "error")

_COLUMN_UNITS = {
    "longitude": "degrees_east", "latitude": "degrees_north", "top_mbsf": "m", "bottom_mbsf": "m",
    "x": "m", "y": "m", "water_depth_m": "m", "dry_bulk_density": "t/m^3", "wet_bulk_density": "t/m^3",
    "water_content": "1",
}
_MISSING_TOKENS = frozenset({"", "na", "nan", "n/a", "null", "none"})
_BELOW_DL = re.compile(r"^<\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)$")
_EARTH_RADIUS_M = 6_371_008.8
_DEPTH_TOLERANCE_M = 1e-6


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
) -> pd.DataFrame:
    """Read a core assay table and return it validated, with grades in ppm.

    Parameters
    ----------
    path : str or Path
        CSV (``.csv``, ``.txt``; ``#`` comment lines allowed), GeoPackage (``.gpkg``; point
        geometry in any CRS may replace ``longitude``/``latitude``) or Parquet
        (``.parquet``; needs pyarrow).
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

    Returns
    -------
    pandas.DataFrame
        Columns ``core_id`` (str), ``longitude`` (degrees east in (-180, 180]),
        ``latitude`` (degrees), ``top_mbsf``, ``bottom_mbsf`` (m below seafloor), ``x``,
        ``y`` (m, only with ``grid``), one float column per element (ppm, dry mass
        fraction, NaN = not analysed; REY in atomic-number order, then Sc) and the optional
        columns present. Rows are sorted by core (first appearance) and ``top_mbsf``.
        ``attrs`` holds ``source``, ``elements``, ``units`` and the policies used.

    Raises
    ------
    InputDataError
        Missing file or required column, no element column, non-numeric or negative
        values, ``top >= bottom``, overlapping intervals, bad or inconsistent positions,
        cores outside ``area``, duplicate cores with ``duplicate_policy="error"``.
    UnitsError
        Unknown ``units``.

    Notes
    -----
    Distances between positions are great-circle (haversine) distances on a sphere of
    radius 6,371 km. Unknown columns are ignored. Element values that are blank or
    ``NA``/``NaN``/``null`` mean "not analysed" and stay NaN. ``water_content`` is the
    mass of pore water per mass of wet sediment (0-1); if ``dry_bulk_density`` is absent but
    ``wet_bulk_density`` and ``water_content`` are present, it is derived as
    :math:`\\rho_{dry} = \\rho_{wet}(1 - w)` (no salt correction) and
    ``attrs["derived"]`` says so.
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

    _check_required(raw, where)
    symbols = _element_columns(raw, elements, where)
    factors = _unit_factors(units, symbols)

    out = pd.DataFrame(index=raw.index)
    out["core_id"] = _parse_core_ids(raw["core_id"], where)
    where.core_ids = out["core_id"]
    for col in ("longitude", "latitude", "top_mbsf", "bottom_mbsf"):
        out[col] = _parse_float(raw[col], col, where, expected="a number", allow_missing=False)
    _check_positions(out, where)
    _check_depths(out, where)

    for sym in symbols:
        out[sym] = _parse_assay(
            raw[sym], sym, where, factor=factors[sym], unit=_unit_label(units, sym),
            policy=detection_policy, negative_is_below_detection=negative_is_below_detection,
        )

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
    out = _apply_duplicate_policy(out, where, duplicate_policy, position_tolerance_m)
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
    }
    return out


# --------------------------------------------------------------------------- reading


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


def _read_table(path: Path, *, layer: str | None) -> tuple[pd.DataFrame, np.ndarray | None]:
    """The table as strings (CSV) or native types, and the file line of each data row."""
    if not path.is_file():
        raise InputDataError(f"{path}: file not found; expected a core table (CSV, GeoPackage or Parquet); fix the path")
    suffix = path.suffix.lower()
    if suffix == ".gpkg":
        return _read_geopackage(path, layer=layer), None
    if suffix == ".parquet":
        try:
            df = pd.read_parquet(path)
        except ImportError:
            raise InputDataError(
                f"{path}: reading Parquet needs pyarrow, which is not installed; fix: install pyarrow or save the table as CSV"
            ) from None
        except (OSError, ValueError) as exc:
            raise InputDataError(f"{path}: cannot read Parquet ({exc}); expected a Parquet core table") from None
        return df.reset_index(drop=True), None
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputDataError(f"{path}: not UTF-8 text ({exc}); expected a CSV file; fix: save it as UTF-8 CSV") from None
    kept: list[str] = []
    numbers: list[int] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        kept.append(line)
        numbers.append(number)
    if not kept:
        raise InputDataError(f"{path}: no header line; expected a CSV header with {list(REQUIRED_COLUMNS)}")
    try:
        df = pd.read_csv(io.StringIO("\n".join(kept)), dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputDataError(f"{path}: cannot parse as CSV ({exc}); expected comma-separated values") from None
    if len(df) != len(numbers) - 1:  # quoted multi-line fields: line numbers would be wrong
        return df, None
    df.columns = [str(c).strip() for c in df.columns]
    return df, np.asarray(numbers[1:])


def _read_geopackage(path: Path, *, layer: str | None) -> pd.DataFrame:
    import geopandas as gpd

    try:
        gdf = gpd.read_file(path, layer=layer)
    except Exception as exc:  # noqa: BLE001 (GDAL/pyogrio raise assorted types)
        raise InputDataError(f"{path}: cannot read GeoPackage ({exc}); expected a point layer of core intervals") from None
    df = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    if not {"longitude", "latitude"} <= set(df.columns):
        if gdf.crs is None:
            raise InputDataError(f"{path}: layer has no CRS and no longitude/latitude columns; fix: set a CRS")
        pts = gdf.geometry.to_crs("EPSG:4326")
        if not (pts.geom_type == "Point").all():
            raise InputDataError(f"{path}: geometries must be points; fix: store one point per interval")
        df["longitude"] = pts.x.to_numpy()
        df["latitude"] = pts.y.to_numpy()
    return df.reset_index(drop=True)


def _check_required(raw: pd.DataFrame, where: _Locator) -> None:
    columns = [str(c) for c in raw.columns]
    for col in REQUIRED_COLUMNS:
        if col not in columns:
            spare = [c for c in columns if c not in REQUIRED_COLUMNS]
            close = difflib.get_close_matches(col, spare, n=1, cutoff=0.5)
            hint = f" (is '{close[0]}' meant to be '{col}'? rename it)" if close else ""
            raise InputDataError(
                f"{where.name}: missing required column '{col}'{hint}; found columns {columns}; "
                f"expected {list(REQUIRED_COLUMNS)} plus element columns; fix: add or rename the column"
            )
    if raw.empty:
        raise InputDataError(f"{where.name}: no data rows; expected one row per sample interval")


def _element_columns(raw: pd.DataFrame, elements: Sequence[str] | None, where: _Locator) -> list[str]:
    columns = set(map(str, raw.columns))
    order = [*GROUPS["REE"], "Y", "Sc"]
    if elements is None:
        found = [s for s in order if s in columns]
        if not found:
            raise InputDataError(
                f"{where.name}: no element columns; expected columns named by element symbol "
                f"(e.g. La, Ce, Nd, Dy, Y, Sc) holding assays; fix: name the assay columns by symbol"
            )
        return found
    unknown = [e for e in elements if e not in ELEMENTS]
    if unknown:
        raise InputDataError(f"cores.elements: got unknown symbol(s) {unknown}; expected symbols among {list(ELEMENTS)}")
    missing = [e for e in elements if e not in columns]
    if missing:
        raise InputDataError(
            f"{where.name}: element column(s) {missing} requested but not in the file; "
            f"found {sorted(columns)}; fix: add the columns or drop them from cores.elements"
        )
    if not elements:
        raise InputDataError("cores.elements: got an empty list; expected at least one element symbol")
    return [s for s in order if s in set(elements)]


def _unit_factors(units: str | Mapping[str, str], symbols: list[str]) -> dict[str, float]:
    if isinstance(units, str):
        f = ppm_per_unit(units)
        return dict.fromkeys(symbols, f)
    return {s: ppm_per_unit(units.get(s, "ppm"), field=f"cores.units[{s}]") for s in symbols}


def _unit_label(units: str | Mapping[str, str], symbol: str) -> str:
    return units if isinstance(units, str) else units.get(symbol, "ppm")


def _parse_core_ids(col: pd.Series, where: _Locator) -> pd.Series:
    ids = _as_text(col)
    bad = ids == ""
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise where.error(i, "core_id", "an empty value", "a core identifier", "fill in the core_id",
                          n_more=int(bad.sum()) - 1) from None
    return ids.astype(str)


def _as_text(col: pd.Series) -> pd.Series:
    """Cells as stripped strings ('' for missing)."""
    return col.astype(object).where(col.notna(), "").astype(str).str.strip()


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


def _first(mask: pd.Series) -> int:
    return int(mask.index[mask.to_numpy()][0])


def _parse_float(col: pd.Series, name: str, where: _Locator, *, expected: str, allow_missing: bool) -> pd.Series:
    values, text = _cells(col)
    missing = text.str.lower().isin(_MISSING_TOKENS)
    more = pd.to_numeric(text.where(~missing, None), errors="coerce").astype(float)
    bad = more.isna() & ~missing
    if bad.any():
        i = _first(bad)
        raise where.error(i, name, repr(text.loc[i]), expected, "correct the value", n_more=int(bad.sum()) - 1)
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
) -> pd.Series:
    values, text = _cells(col)
    missing = text.str.lower().isin(_MISSING_TOKENS)
    limit_text = text.str.extract(_BELOW_DL, expand=False)
    below_text = limit_text.notna()
    more = pd.to_numeric(text.where(~missing & ~below_text, None), errors="coerce").astype(float)
    expected = f"a number >= 0 in {unit}, '<DL' for below detection, or blank for not analysed"
    bad = more.isna() & ~missing & ~below_text
    if bad.any():
        i = _first(bad)
        raise where.error(i, symbol, repr(text.loc[i]), expected, "correct the assay", n_more=int(bad.sum()) - 1)
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
    return (values * factor).astype(float)


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


# ----------------------------------------------------------------------- validation


def _check_positions(df: pd.DataFrame, where: _Locator) -> None:
    lon, lat = df["longitude"], df["latitude"]
    bad_lat = (lat < -90) | (lat > 90)
    if bad_lat.any():
        i = int(np.flatnonzero(bad_lat.to_numpy())[0])
        raise where.error(i, "latitude", repr(float(lat.iloc[i])), "degrees north in [-90, 90]",
                          "correct the position (are longitude and latitude swapped?)", n_more=int(bad_lat.sum()) - 1)
    bad_lon = (lon < -180) | (lon > 360)
    if bad_lon.any():
        i = int(np.flatnonzero(bad_lon.to_numpy())[0])
        raise where.error(i, "longitude", repr(float(lon.iloc[i])), "degrees east in [-180, 360]",
                          "correct the position", n_more=int(bad_lon.sum()) - 1)
    df["longitude"] = np.where(lon > 180, lon - 360, lon)


def _check_depths(df: pd.DataFrame, where: _Locator) -> None:
    top, bottom = df["top_mbsf"], df["bottom_mbsf"]
    neg = top < 0
    if neg.any():
        i = int(np.flatnonzero(neg.to_numpy())[0])
        raise where.error(i, "top_mbsf", repr(float(top.iloc[i])), "metres below seafloor >= 0 (positive down)",
                          "give depths positive down from the seafloor", n_more=int(neg.sum()) - 1)
    bad = top >= bottom
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise where.error(
            i, "top_mbsf", f"{float(top.iloc[i])!r} >= bottom_mbsf {float(bottom.iloc[i])!r}",
            "top < bottom (metres below seafloor, positive down)", "correct the interval depths",
            n_more=int(bad.sum()) - 1,
        )


def _sort_intervals(df: pd.DataFrame) -> pd.DataFrame:
    order = pd.factorize(df["core_id"])[0]
    key = pd.DataFrame({"o": order, "t": df["top_mbsf"].to_numpy(), "i": np.arange(len(df))})
    idx = key.sort_values(["o", "t", "i"], kind="stable").index
    return df.loc[idx]


def _haversine_m(lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray) -> np.ndarray:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(lon2 - lon1)
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * _EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def _check_core_positions(df: pd.DataFrame, where: _Locator, tolerance_m: float) -> None:
    first = df.groupby("core_id", sort=False)[["longitude", "latitude"]].transform("first")
    dist = _haversine_m(first["longitude"].to_numpy(), first["latitude"].to_numpy(),
                        df["longitude"].to_numpy(), df["latitude"].to_numpy())
    bad = dist > tolerance_m
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        i = df.index[k]
        raise InputDataError(
            f"{where.row(i)}, columns 'longitude'/'latitude': got ({df['longitude'].loc[i]:.6f}, "
            f"{df['latitude'].loc[i]:.6f}), {dist[k]:.0f} m from the core's first row "
            f"({first['longitude'].loc[i]:.6f}, {first['latitude'].loc[i]:.6f}); expected one position per "
            f"core within {tolerance_m:g} m; fix: correct the position or give the rows different core_id"
        )


def _check_overlaps(df: pd.DataFrame, where: _Locator) -> None:
    same = df["core_id"].to_numpy()[1:] == df["core_id"].to_numpy()[:-1]
    top = df["top_mbsf"].to_numpy().tolist()
    bottom = df["bottom_mbsf"].to_numpy().tolist()
    bad = same & (np.asarray(top[1:]) < np.asarray(bottom[:-1]) - _DEPTH_TOLERANCE_M)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        i, prev = df.index[k + 1], df.index[k]
        raise InputDataError(
            f"{where.row(i)}, column 'top_mbsf': got {top[k + 1]!r}, inside the interval "
            f"{top[k]!r}-{bottom[k]!r} mbsf of {where.position(prev)}; "
            "expected non-overlapping intervals within a core; fix: correct the depths or remove the duplicate row"
        )


def _core_table(df: pd.DataFrame) -> pd.DataFrame:
    return df.groupby("core_id", sort=False)[["longitude", "latitude"]].first()


def _duplicate_groups(cores: pd.DataFrame, tolerance_m: float) -> list[list[str]]:
    """Groups (connected components) of cores within ``tolerance_m`` of each other, file order."""
    if len(cores) < 2:
        return []
    lon = np.radians(cores["longitude"].to_numpy(float))
    lat = np.radians(cores["latitude"].to_numpy(float))
    xyz = np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])
    chord = 2 * np.sin(min(tolerance_m / _EARTH_RADIUS_M, np.pi) / 2)  # great-circle -> chord
    pairs = cKDTree(xyz).query_pairs(chord * (1 + 1e-12), output_type="ndarray")
    if pairs.size == 0:
        return []
    n = len(cores)
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    ids = cores.index.to_numpy()
    groups: dict[int, list[str]] = {}
    for k in np.flatnonzero(np.bincount(label)[label] > 1):  # members of groups, in file order
        groups.setdefault(int(label[k]), []).append(str(ids[k]))
    return list(groups.values())


def _apply_duplicate_policy(df: pd.DataFrame, where: _Locator, policy: str, tolerance_m: float) -> pd.DataFrame:
    groups = _duplicate_groups(_core_table(df), tolerance_m)
    if not groups:
        return df
    first = groups[0]
    rows = df.index[df["core_id"] == first[1]]
    text = (
        f"{where.name}: cores {first} are within {tolerance_m:g} m of each other "
        f"(at {df.loc[rows[0], 'longitude']:.6f}, {df.loc[rows[0], 'latitude']:.6f}; "
        f"{len(groups)} such group(s))"
    )
    if policy == "error":
        raise InputDataError(
            f"{text}, column 'core_id': duplicate position; expected distinct positions with "
            "duplicate_policy='error'; fix: correct the positions, or use duplicate_policy 'merge' or 'keep'"
        )
    if policy == "keep":
        warnings.warn(
            f"{text}; kept as separate cores (duplicate_policy='keep'); kriging needs a nugget or "
            "distinct positions: consider duplicate_policy='merge'",
            DuplicateCoreWarning,
            stacklevel=3,
        )
        return df
    out = df.copy()
    for group in groups:
        mask = out["core_id"].isin(group)
        merged_id = "+".join(group)
        cores = _core_table(out[mask])
        # mean position of the member cores (positions differ by <= tolerance, so a plain mean is fine)
        out.loc[mask, "longitude"] = float(cores["longitude"].mean())
        out.loc[mask, "latitude"] = float(cores["latitude"].mean())
        out.loc[mask, "core_id"] = merged_id
    return _sort_intervals(out)


def _check_area(df: pd.DataFrame, area: BaseGeometry, where: _Locator) -> None:
    cores = _core_table(df)
    inside = shapely.covers(area, shapely.points(cores["longitude"].to_numpy(), cores["latitude"].to_numpy()))
    if not inside.all():
        k = int(np.flatnonzero(~inside)[0])
        core = cores.index[k]
        i = df.index[df["core_id"] == core][0]
        w, s, e, n = area.bounds
        raise InputDataError(
            f"{where.row(i)}, columns 'longitude'/'latitude': got ({cores['longitude'].iloc[k]:.6f}, "
            f"{cores['latitude'].iloc[k]:.6f}), outside the working area (lon {w:.3f}..{e:.3f}, lat {s:.3f}..{n:.3f}); "
            f"expected every core inside the area; fix: correct the position, remove the core, or enlarge the area"
            + (f" ({int((~inside).sum()) - 1} more core(s) outside)" if (~inside).sum() > 1 else "")
        )
