"""The assay-column rules: renaming (``columns``), unknown columns that may hide an assay
(refused unless mapped or ignored), the required columns and the element columns used."""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from fnmatch import fnmatchcase

import pandas as pd

from seabed.core_table import ELEMENT_ORDER as _ELEMENT_ORDER
from seabed.core_table import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, schema_columns
from seabed.elements import ELEMENTS
from seabed.errors import InputDataError
from seabed.inputs.cores.schema import _BELOW_DL, _MISSING_TOKENS, _as_text, _Locator, log

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

