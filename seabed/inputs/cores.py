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

import csv
import difflib
import logging
import re
import warnings
from collections import Counter
from collections.abc import Mapping, Sequence
from fnmatch import fnmatchcase
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

log = logging.getLogger(__name__)

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
_EARTH_RADIUS_M = 6_371_008.8
_DEPTH_TOLERANCE_M = 1e-6
_SUM_TOLERANCE = 1e-9  # relative: a sum of exactly 1,000,000 ppm must not fail on rounding
_ELEMENT_ORDER: tuple[str, ...] = (*GROUPS["REE"], "Y", "Sc")

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

# Column-name recognition (unknown columns that could hide an assay).
_UNIT_SUFFIX = re.compile(
    r"^(?P<base>.*?)[\s_\-.]*[(\[]?\s*(?P<unit>ppm|ppb|ppt|wt\s*\.?\s*%|wt\s*pct|wt|mass\s*%|%|pct|percent|"
    r"mg/kg|g/t|µg/g|ug/g|mg\s*kg-1)\s*[)\]]?$",
    re.IGNORECASE,
)
_OXIDE = re.compile(r"^(?P<sym>[A-Z][a-z]?)(?P<n>\d*)O(?P<m>\d*)$")
_TOKENS = re.compile(r"[\s_\-.()\[\]/:]+")
_SYMBOLS_TEXT = (
    "H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As Se Br Kr "
    "Rb Sr Y Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho Er Tm Yb "
    "Lu Hf Ta W Re Os Ir Pt Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U Np Pu Am Cm"
)
_ALL_SYMBOLS = frozenset(_SYMBOLS_TEXT.split())
_TOTALS = frozenset({"ree", "rey", "lree", "hree", "hrey", "treo", "tree", "trey", "reo", "reyo", "sumree",
                     "sumrey", "totalree", "totalrey", "σree", "σrey", "ree+y"})


class DuplicateCoreWarning(UserWarning):
    """Two or more cores share a position (``duplicate_policy="keep"``)."""


def schema_columns() -> tuple[str, ...]:
    """Every column name of the core-table schema (required, element, optional).

    Examples
    --------
    >>> "Nd" in schema_columns() and "water_content" in schema_columns()
    True
    """
    return (*REQUIRED_COLUMNS, *_ELEMENT_ORDER, *OPTIONAL_COLUMNS)


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
        df = _read_geopackage(path, layer=layer)
    elif suffix == ".parquet":
        try:
            df = pd.read_parquet(path)
        except ImportError:
            raise InputDataError(
                f"{path}: reading Parquet needs pyarrow, which is not installed; fix: install pyarrow or save the table as CSV"
            ) from None
        except (OSError, ValueError) as exc:
            raise InputDataError(f"{path}: cannot read Parquet ({exc}); expected a Parquet core table") from None
        df = df.reset_index(drop=True)
    else:
        return _read_csv(path)
    df.columns = [str(c).strip() for c in df.columns]
    _check_header_names(list(df.columns), path.name, "the table")
    return df, None


def _decode(data: bytes, name: str) -> str:
    """The file's text; one-line errors for UTF-16, spreadsheets and other encodings."""
    fix = "fix: re-save the file as comma-separated UTF-8 text ('CSV UTF-8')"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputDataError(f"{name}: the file is encoded as UTF-16; expected UTF-8 text; {fix}")
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise InputDataError(
            f"{name}: the file is a spreadsheet workbook (Excel) or an archive, not text; "
            f"expected comma-separated UTF-8 text; {fix}"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputDataError(
            f"{name}: line {line}: byte 0x{data[exc.start]:02x} is not valid UTF-8 (the file looks like "
            f"Latin-1/Windows-1252 or another encoding); expected encoding UTF-8; {fix}"
        ) from None


def _read_csv(path: Path) -> tuple[pd.DataFrame, np.ndarray]:
    """Parse a CSV with the csv module (not pandas) so that the header, delimiter, duplicate
    columns and field counts can be checked and reported with file line numbers."""
    name = path.name
    text = _decode(path.read_bytes(), name)
    kept: list[str] = []
    numbers: list[int] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        kept.append(line)
        numbers.append(number)
    if not kept:
        raise InputDataError(
            f"{name}: empty file (no header line, no data rows); expected a CSV header with "
            f"{list(REQUIRED_COLUMNS)} and element columns, then one row per sample; fix: export the table again"
        )
    reader = csv.reader(kept, skipinitialspace=True)
    rows: list[list[str]] = []
    starts: list[int] = []
    try:
        consumed = 0
        for record in reader:
            rows.append(record)
            starts.append(numbers[consumed])
            consumed = reader.line_num
    except csv.Error as exc:
        raise InputDataError(
            f"{name}: line {numbers[min(max(reader.line_num, 1), len(numbers)) - 1]}: cannot parse as CSV ({exc}); "
            "expected comma-separated UTF-8 text; fix: re-export the table as CSV"
        ) from None
    header = [c.strip() for c in rows[0]]
    _check_delimiter(header, name, starts[0])
    # Trailing empty header cells (a trailing comma on every line) carry no data: drop them.
    width = len(header)
    while width > 1 and header[width - 1] == "":
        width -= 1
    data = rows[1:]
    for k, record in enumerate(data):
        if len(record) > width and all(not c.strip() for c in record[width:]):
            data[k] = record[:width]
    header = header[:width]
    _check_header_names(header, name, f"line {starts[0]}")
    bad = [k for k, record in enumerate(data) if len(record) != width]
    if bad:
        k = bad[0]
        got = len(data[k])
        fix = ("remove the extra field(s), or quote a value that contains a comma, or write 1,234 as 1234"
               if got > width else "add the missing field(s) (leave a cell empty for not analysed)")
        more = f" ({len(bad) - 1} more row(s) like this)" if len(bad) > 1 else ""
        raise InputDataError(
            f"{name}: line {starts[k + 1]} (data row {k + 1}): got {got} fields; expected {width} fields like the "
            f"header (line {starts[0]}); fix: {fix}{more}"
        )
    df = pd.DataFrame(data, columns=header, dtype=object)
    if "" in header:  # an unnamed column: fine only if it is empty everywhere
        j = header.index("")
        if df.iloc[:, j].astype(str).str.strip().ne("").any():
            raise InputDataError(
                f"{name}: line {starts[0]}: column {j + 1} of the header has no name but holds values; "
                "expected a name for every column; fix: name the column or delete it"
            )
        df = df.drop(columns=[""])
    return df, np.asarray(starts[1:], dtype=int)


def _check_delimiter(header: list[str], name: str, line: int) -> None:
    if set(REQUIRED_COLUMNS) <= set(header):
        return
    for sep, label in ((";", "semicolon ';'"), ("\t", "tab"), ("|", "vertical bar '|'")):
        if any(sep in cell for cell in header):
            shown = ",".join(header)
            shown = shown if len(shown) <= 60 else shown[:57] + "..."
            raise InputDataError(
                f"{name}: line {line}: the header {shown!r} is separated by {label}, not commas (wrong delimiter); "
                "expected comma-separated values; fix: save the file as CSV with the delimiter ',' "
                "(e.g. in a spreadsheet: 'CSV UTF-8 (comma delimited)')"
            )


def _check_header_names(header: list[str], name: str, where: str) -> None:
    counts = Counter(c for c in header if c != "")
    dupes = [c for c in counts if counts[c] > 1]
    if dupes:
        c = dupes[0]
        positions = [i + 1 for i, h in enumerate(header) if h == c]
        more = f" (also duplicated: {dupes[1:]})" if len(dupes) > 1 else ""
        raise InputDataError(
            f"{name}: {where}: column '{c}' appears {counts[c]} times in the header (columns {positions}){more}; "
            f"expected each column once; fix: remove or rename the duplicate '{c}' column"
        )


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


# --------------------------------------------------------------------------- columns


def _toml_key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else '"' + name.replace('"', '\\"') + '"'


def _rename_columns(raw: pd.DataFrame, columns: Mapping[str, str], where: _Locator) -> tuple[pd.DataFrame, dict]:
    """Apply the ``columns`` rename map (file column -> schema column)."""
    if not columns:
        return raw, {}
    present = [str(c) for c in raw.columns]
    schema = schema_columns()
    mapping = {str(k): str(v) for k, v in columns.items() if str(k) != str(v)}
    targets = Counter(mapping.values())
    for src, dst in mapping.items():
        if dst not in schema:
            close = difflib.get_close_matches(dst, schema, n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise InputDataError(
                f"{where.name}: [inputs.cores] columns maps '{src}' to '{dst}', which is not a column of the core-table "
                f"schema{hint}; expected a target among the element symbols {list(_ELEMENT_ORDER)}, "
                f"{list(REQUIRED_COLUMNS)} or {list(OPTIONAL_COLUMNS)}; fix: correct the target or use ignore_columns"
            )
        if targets[dst] > 1:
            sources = [s for s, d in mapping.items() if d == dst]
            raise InputDataError(
                f"{where.name}: [inputs.cores] columns maps {sources} all to '{dst}'; expected one source per "
                "column; fix: map only one of them and list the others in ignore_columns"
            )
        if src not in present:
            close = difflib.get_close_matches(src, present, n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise InputDataError(
                f"{where.name}: [inputs.cores] columns maps '{src}', but the file has no column '{src}'{hint}; "
                f"found {present}; expected an existing column name; fix: correct the name or remove the mapping"
            )
        if dst in present and dst not in mapping:
            raise InputDataError(
                f"{where.name}: [inputs.cores] columns maps '{src}' to '{dst}', but the file already has a column "
                f"'{dst}'; expected a rename to a column not in the file; fix: remove the mapping, or drop one of the "
                f"two columns (or list '{src}' in ignore_columns)"
            )
    return raw.rename(columns=mapping), dict(mapping)


def _element_label(sym: str) -> str:
    return f"'{sym}' ({ELEMENTS[sym].name})"


def _classify_column(name: str) -> tuple[str, str | None, str | None]:
    """What an unknown column looks like: (kind, schema symbol or other symbol, unit suffix).

    kind is ``"element"`` (a schema element under another name), ``"oxide"``, ``"total"``,
    ``"other"`` (an element seabed does not use) or ``""`` (nothing recognised).
    """
    text = name.strip()
    match = _UNIT_SUFFIX.match(text)
    base, unit = (match["base"].strip(), match["unit"]) if match and match["base"].strip() else (text, None)
    lower = base.lower()
    by_symbol = {s.lower(): s for s in ELEMENTS}
    by_name = {e.name: s for s, e in ELEMENTS.items()}
    if lower in by_symbol:
        return "element", by_symbol[lower], unit
    if lower in by_name:
        return "element", by_name[lower], unit
    close = difflib.get_close_matches(lower, list(by_name), n=1, cutoff=0.8)
    if close:
        return "element", by_name[close[0]], unit
    oxide = _OXIDE.match(base)
    if oxide and (oxide["n"] or oxide["m"] or len(oxide["sym"]) == 2) and oxide["sym"] in _ALL_SYMBOLS:
        return ("oxide" if oxide["sym"] in ELEMENTS else "other"), oxide["sym"], unit
    squashed = re.sub(r"[\s_\-.()\[\]/:]+", "", lower)
    if squashed in _TOTALS or (squashed.startswith(("total", "sum", "σ")) and any(g in squashed for g in ("ree", "rey", "reo"))):
        return "total", None, unit
    tokens = [t for t in _TOKENS.split(base) if t]
    if tokens:
        first = tokens[0]
        if first in ELEMENTS or (len(first) == 2 and first.lower() in by_symbol):
            return "element", by_symbol[first.lower()], unit
        if first.lower() in by_name:
            return "element", by_name[first.lower()], unit
    if base in _ALL_SYMBOLS:
        return "other", base, unit
    return "", None, unit


def _looks_numeric(col: pd.Series) -> bool:
    """Most non-missing cells are numbers (or '<DL' values)."""
    if pd.api.types.is_bool_dtype(col.dtype):
        return False
    if pd.api.types.is_numeric_dtype(col.dtype):
        return bool(col.notna().any())
    text = _as_text(col)
    text = text[~text.str.lower().isin(_MISSING_TOKENS)]
    if text.empty:
        return False
    numeric = pd.to_numeric(text, errors="coerce").notna() | text.str.match(_BELOW_DL.pattern)
    return bool(numeric.mean() >= 0.5)


def _is_ignored(name: str, patterns: Sequence[str]) -> bool:
    return any(name == p or fnmatchcase(name, p) for p in patterns)


def _check_unknown_columns(
    raw: pd.DataFrame, ignore: Sequence[str], where: _Locator, units: str | Mapping[str, str],
) -> list[str]:
    """Refuse unknown columns that may hold assays; return the unknown columns left out."""
    schema = set(schema_columns())
    for pattern in ignore:
        if str(pattern) in schema:
            raise InputDataError(
                f"{where.name}: [inputs.cores] ignore_columns lists '{pattern}', a column of the core-table schema; "
                "expected only extra columns; fix: remove it from ignore_columns (to leave an element out of the "
                "analysis use [inputs.cores] elements)"
            )
    unknown = [str(c) for c in raw.columns if str(c) not in schema and not _is_ignored(str(c), ignore)]
    present = {str(c) for c in raw.columns}
    refused: list[tuple[str, str]] = []
    left_out: list[str] = []
    for c in unknown:
        kind, sym, unit = _classify_column(c)
        numeric = _looks_numeric(raw[c])
        if not kind and not numeric:
            left_out.append(c)  # text: comments, labels
            continue
        refused.append((c, _unknown_column_message(c, kind, sym, unit, present, units)))
    left_out += [str(c) for c in raw.columns if str(c) not in schema and _is_ignored(str(c), ignore)]
    if refused:
        c, text = refused[0]
        more = f"; {len(refused) - 1} more such column(s): {[r[0] for r in refused[1:]]}" if len(refused) > 1 else ""
        raise InputDataError(f"{where.name}: column '{c}' {text}{more}")
    if left_out:
        log.info("%s: columns outside the schema left out: %s", where.name, left_out)
    return left_out


def _unknown_column_message(
    c: str, kind: str, sym: str | None, unit: str | None, present: set[str], units: str | Mapping[str, str],
) -> str:
    ignore = f"list it in [inputs.cores] ignore_columns = [\"{c}\"]"
    sym = sym or ""
    if kind == "element":
        if sym in present:
            return (f"is not in the core-table schema but looks like a second assay of {_element_label(sym)}, and the "
                    f"table already has a '{sym}' column; expected one column per element; fix: remove one of the "
                    f"two, or {ignore}")
        note = ""
        if unit and isinstance(units, str) and unit.replace(" ", "").lower() not in (units.replace(" ", "").lower(),):
            note = f" (its name says {unit!r}, but every element column is read in [inputs.cores] units {units!r})"
        return (f"is not in the core-table schema: did you mean {_element_label(sym)}?{note}; expected element columns "
                f"named by symbol, case-sensitively; fix: rename the column to '{sym}', or map it with "
                f"[inputs.cores] columns = {{{_toml_key(c)} = \"{sym}\"}}, or {ignore}")
    if kind == "oxide":
        e = ELEMENTS[sym]
        return (f"looks like an oxide assay of {_element_label(sym)}, which seabed does not read; expected element "
                f"assays named by symbol ('{sym}'); fix: convert it to the element ({sym} = {e.oxide} / "
                f"{e.oxide_factor:.4f}) in a '{sym}' column, or {ignore}")
    if kind == "other":
        return (f"looks like an assay of {sym}, an element seabed does not use (it reads La-Lu, Y and Sc); "
                f"expected only the columns of the core-table schema (docs/inputs.md); fix: {ignore} or remove it")
    if kind == "total":
        return ("looks like a group total (REE, REY, TREO, ...), which seabed computes from the element columns; "
                f"expected only the columns of the core-table schema (docs/inputs.md); fix: {ignore} or remove it")
    close = difflib.get_close_matches(c, [*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS], n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    rename = (f"rename it to '{close[0]}' or map it with [inputs.cores] columns = {{{_toml_key(c)} = \"{close[0]}\"}}"
              if close else "map it to a schema column with [inputs.cores] columns")
    return (f"holds numbers but is not in the core-table schema{hint}; expected only the columns of docs/inputs.md, "
            f"so that no assay is silently dropped; fix: {rename}, or {ignore}")


def _check_required(raw: pd.DataFrame, where: _Locator) -> None:
    columns = [str(c) for c in raw.columns]
    for col in REQUIRED_COLUMNS:
        if col not in columns:
            spare = [c for c in columns if c not in REQUIRED_COLUMNS]
            close = difflib.get_close_matches(col, spare, n=1, cutoff=0.5)
            hint = (f" (is '{close[0]}' meant to be '{col}'? rename it or map it with [inputs.cores] columns = "
                    f"{{{_toml_key(close[0])} = \"{col}\"}})") if close else ""
            raise InputDataError(
                f"{where.name}: missing required column '{col}'{hint}; found columns {columns}; "
                f"expected {list(REQUIRED_COLUMNS)} plus element columns; fix: add or rename the column"
            )


def _element_columns(raw: pd.DataFrame, elements: Sequence[str] | None, where: _Locator) -> list[str]:
    columns = set(map(str, raw.columns))
    order = list(_ELEMENT_ORDER)
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


# ---------------------------------------------------------------------------- values


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


# ------------------------------------------------------------------- assay ranges


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


def _apply_duplicate_policy(
    df: pd.DataFrame, where: _Locator, policy: str, tolerance_m: float, messages: list[str] | None = None,
) -> pd.DataFrame:
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
        message = (f"{text}; kept as separate cores (duplicate_policy='keep'); kriging needs a nugget or "
                   "distinct positions: consider duplicate_policy='merge'")
        if messages is not None:
            messages.append(message)
        warnings.warn(message, DuplicateCoreWarning, stacklevel=3)
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
