"""Resource classification (Measured / Indicated / Inferred) by declarative rules.

Each class has a :class:`~seabed.config.resource.ClassRule`: a cell-layer gets the
highest class whose every criterion it meets (slope of regression, kriging efficiency,
number of samples, distance to the nearest sample, relative kriging standard deviation of
a reference element). A criterion whose diagnostic is NaN fails.

Class codes stored in the block model (``resource_class``, int8): 3 Measured,
2 Indicated, 1 Inferred, 0 unclassified (higher = more confidence).

References
----------
JORC Code 2012, Table 1, Section 3 ("Classification"); CRIRSCO International Reporting
Template (2019).

Examples
--------
>>> from seabed.config.resource import ClassificationSettings
>>> print(describe_rules(ClassificationSettings()).splitlines()[0])
Measured: slope of regression >= 0.9, kriging efficiency >= 0.7, samples >= 12, nearest sample <= 1 km
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import xarray as xr

from seabed.config.resource import OXIDE_GROUPS, ClassificationSettings, ClassRule
from seabed.errors import ConfigError
from seabed.resource.tonnage import DEFAULT_ITEMS, tonnage_table

__all__ = [
    "CLASS_CODES",
    "CLASS_NAMES",
    "CRITERIA",
    "class_tonnage",
    "classify",
    "describe_rules",
]

#: Class code -> name.
CLASS_NAMES: dict[int, str] = {3: "Measured", 2: "Indicated", 1: "Inferred", 0: "Unclassified"}
#: Class name -> code.
CLASS_CODES: dict[str, int] = {v: k for k, v in CLASS_NAMES.items()}

#: Criteria in evaluation order: field of ClassRule, label, comparison.
CRITERIA: tuple[tuple[str, str, str], ...] = (
    ("min_slope_of_regression", "slope of regression", ">="),
    ("min_kriging_efficiency", "kriging efficiency", ">="),
    ("min_n_samples", "samples", ">="),
    ("max_nearest_distance", "nearest sample", "<="),
    ("max_relative_std", "relative kriging std", "<="),
)

_VARIABLE = {
    "min_slope_of_regression": "slope_of_regression",
    "min_kriging_efficiency": "kriging_efficiency",
    "min_n_samples": "n_samples",
    "max_nearest_distance": "nearest_distance",
}


def _format(value: object) -> str:
    if hasattr(value, "units"):
        return f"{value.magnitude:g} {value.units:~}"
    return f"{value:g}"


def describe_rules(rules: ClassificationSettings) -> str:
    """The rule set as text, one line per class (for reports: the 'reason' of a class)."""
    lines = []
    for name in ("measured", "indicated", "inferred"):
        rule: ClassRule = getattr(rules, name)
        parts = [
            f"{label} {op} {_format(getattr(rule, field))}"
            for field, label, op in CRITERIA
            if getattr(rule, field) is not None
        ]
        if rule.max_relative_std is not None:
            parts[-1] += f" ({rules.reference_element})"
        lines.append(f"{name.capitalize()}: " + (", ".join(parts) if parts else "every estimated cell"))
    lines.append("Unclassified: estimated but meeting none of the above")
    return "\n".join(lines)


def _criterion(bm: xr.Dataset, field: str, value: object, reference: str, cls: str) -> np.ndarray:
    """Boolean (layer, y, x): cells meeting one criterion (NumPy or Dask, as the block model)."""
    if field == "max_relative_std":
        if "kriging_variance" not in bm:
            raise ConfigError(
                f"classification.{cls}.max_relative_std: the block model has no kriging_variance; "
                "fix: remove the rule or estimate with kriging variances"
            )
        std = np.sqrt(bm["kriging_variance"].sel(element=reference).transpose("layer", "y", "x").data)
        grade = bm["grade"].sel(element=reference).transpose("layer", "y", "x").data
        with np.errstate(invalid="ignore", divide="ignore"):
            return std / grade <= value
    var = _VARIABLE[field]
    if var not in bm:
        raise ConfigError(
            f"classification.{cls}.{field}: the block model has no {var!r}; "
            "fix: remove the rule or provide that diagnostic"
        )
    data = bm[var].transpose("layer", "y", "x").data.astype(float)
    if field == "max_nearest_distance":
        units = bm[var].attrs.get("units", "m")
        threshold = value.to(units).magnitude
        with np.errstate(invalid="ignore"):
            return data <= threshold
    with np.errstate(invalid="ignore"):
        return data >= value


def classify(bm: xr.Dataset, rules: ClassificationSettings | None = None) -> xr.Dataset:
    """Assign Measured / Indicated / Inferred / unclassified per cell-layer.

    Parameters
    ----------
    bm : xarray.Dataset
        Block model with the estimation diagnostics (``slope_of_regression``,
        ``kriging_efficiency``, ``n_samples``, ``nearest_distance`` in m, ...).
    rules : ClassificationSettings, optional
        The rule set; defaults give mostly Inferred at ~10 km core spacing.

    Returns
    -------
    xarray.Dataset
        ``resource_class`` (layer, y, x) int8 codes (see :data:`CLASS_NAMES`) and
        ``limiting_criterion`` (layer, y, x) int8: 1-based index in :data:`CRITERIA` of the
        first criterion that kept the cell out of the next higher class (0 for Measured).
        ``attrs["rules"]`` holds :func:`describe_rules`.
    """
    rules = rules or ClassificationSettings()
    # elementwise on the arrays' .data: a lazily read block model gives lazy classes, computed
    # one row block at a time wherever they are used (never one (layer, y, x) array whole)
    estimated = np.isfinite(bm["grade"]).all("element").transpose("layer", "y", "x").data
    if "reason" in bm:
        estimated = estimated & (bm["reason"].transpose("layer", "y", "x").data == 0)
    code = np.zeros_like(estimated, dtype=np.int8)
    limiting = np.zeros_like(estimated, dtype=np.int8)
    undecided = estimated
    for cls, value in (("measured", 3), ("indicated", 2), ("inferred", 1)):
        rule: ClassRule = getattr(rules, cls)
        meets = estimated
        first_fail = np.zeros_like(estimated, dtype=np.int8)
        for k, (field, _, _) in enumerate(CRITERIA, start=1):
            threshold = getattr(rule, field)
            if threshold is None:
                continue
            ok = _criterion(bm, field, threshold, rules.reference_element, cls)
            first_fail = np.where((first_fail == 0) & meets & ~ok, np.int8(k), first_fail)
            meets = meets & ok
        code = np.where(undecided & meets, np.int8(value), code)
        # cells still undecided remember why they missed this class
        limiting = np.where(undecided & ~meets, first_fail, limiting)
        undecided = undecided & ~meets
    limiting = np.where(code == 3, np.int8(0), limiting)
    dims = ("layer", "y", "x")
    coords = {k: bm[k] for k in ("layer", "y", "x")}
    meanings = " ".join(CLASS_NAMES[c] for c in (0, 1, 2, 3))
    out = xr.Dataset(
        {
            "resource_class": xr.DataArray(code, dims=dims, coords=coords, attrs={
                "long_name": "resource class", "flag_values": "0 1 2 3", "flag_meanings": meanings,
            }),
            "limiting_criterion": xr.DataArray(limiting, dims=dims, coords=coords, attrs={
                "long_name": "first criterion failed for the next higher class",
                "flag_values": " ".join(str(i) for i in range(len(CRITERIA) + 1)),
                "flag_meanings": "none " + " ".join(f[0].removeprefix("min_").removeprefix("max_") for f in CRITERIA),
            }),
        }
    )
    out.attrs["rules"] = describe_rules(rules)
    return out


def class_tonnage(
    bm: xr.Dataset,
    resource_class: xr.DataArray,
    *,
    items: Iterable[str] = DEFAULT_ITEMS[:2],
    where: xr.DataArray | np.ndarray | None = None,
    rules: ClassificationSettings | None = None,
) -> pd.DataFrame:
    """Tonnage per resource class.

    Parameters
    ----------
    bm : xarray.Dataset
        Block model.
    resource_class : xarray.DataArray
        ``(layer, y, x)`` class codes from :func:`classify`.
    items : iterable of str, default ("REY", "TREO")
        Items reported (grade and tonnage).
    where : array_like of bool, optional
        Extra selection (e.g. above cut-off).
    rules : ClassificationSettings, optional
        Rule set, for the ``reason`` column.

    Returns
    -------
    pandas.DataFrame
        Index = class name (Measured, Indicated, Inferred, Unclassified, total); columns
        ``dry mud [Mt]`` and per item ``<item> [ppm]`` and ``<item> [t]`` (oxide tonnes for
        oxide groups), and ``reason``.
    """
    items = list(items)
    reasons = dict(zip(("Measured", "Indicated", "Inferred", "Unclassified"),
                       describe_rules(rules or ClassificationSettings()).splitlines(), strict=True))
    rows = []
    for code in (3, 2, 1, 0, None):
        sel = resource_class.notnull() if code is None else resource_class == code
        if where is not None:
            sel = sel & (where if isinstance(where, xr.DataArray) else xr.DataArray(np.asarray(where), dims=sel.dims))
        tab = tonnage_table(bm, items=items, where=sel).loc["total"]
        name = "total" if code is None else CLASS_NAMES[code]
        row: dict[str, object] = {"class": name, "dry mud [Mt]": float(tab.iloc[0]["dry mud [Mt]"])}
        for item in items:
            r = tab.loc[item]
            is_oxide = item in OXIDE_GROUPS
            row[f"{item} [ppm]"] = r["grade [ppm]"]
            row[f"{item} [t]"] = r["oxide [t]"] if is_oxide else r["metal [t]"]
        row["reason"] = "" if code is None else reasons[name].split(": ", 1)[1]
        rows.append(row)
    return pd.DataFrame(rows).set_index("class")
