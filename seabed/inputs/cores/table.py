"""Reading a core table into strings: CSV (delimiter, encoding, header, duplicate columns, ragged
rows, reported with file line numbers), GeoPackage and Parquet."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

from seabed.core_table import REQUIRED_COLUMNS
from seabed.errors import InputDataError
from seabed.textfile import decode_text


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


def _read_csv(path: Path) -> tuple[pd.DataFrame, np.ndarray]:
    """Parse a CSV with the csv module (not pandas) so that the header, delimiter, duplicate
    columns and field counts can be checked and reported with file line numbers."""
    name = path.name
    text = decode_text(path.read_bytes(), name, error=InputDataError,
                       fix="fix: re-save the file as comma-separated UTF-8 text ('CSV UTF-8')")
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

