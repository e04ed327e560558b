"""The run summary: every headline number with its units, in one JSON-ready dict.

The HTML report prints numbers from this dict only (so report and ``summary.json`` agree by
construction; a test checks it). A quantity is ``{"value": float, "units": str}``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import xarray as xr

from seabed.elements import GROUPS
from seabed.inputs.areas import geodesic_area
from seabed.outputs.rundir import to_jsonable

if TYPE_CHECKING:
    from seabed.results import EstimationResult, ResourceResult, RunDescription, SiteData

__all__ = ["MINUS", "build_summary", "format_quantity", "human_number", "human_percent", "input_warnings", "qty",
           "summarise_inputs", "summary_frame", "supply_assumptions"]

#: Published figures the Takaya box run is compared with (Takaya et al. 2018, Sci. Rep. 8:5763).
TAKAYA_2018 = {
    "treo_Mt": 16.0,
    "area_km2": 2500.0,
    "mean_rey_ppm": 964.0,
    "reference": "Takaya et al. (2018) Sci. Rep. 8:5763, doi:10.1038/s41598-018-23948-5",
}


MINUS = "\u2212"
_MASS_T = {"t": 1.0, "kt": 1e3, "Mt": 1e6}
_MONEY = ("USD", "JPY", "EUR", "CNY")
_UNIT_TEXT = {"km^2": "km²", "t/m^3": "t/m³", "1 / a": "%/year", "USD / kg": "USD/kg", "1 (standardised)": "(standardised)"}


def human_number(v: float | None, digits: int = 4) -> str:
    """A number as people read it: at most ``digits`` significant figures, thousands separators,
    a true minus sign, never scientific notation ("—" when missing).

    Examples
    --------
    >>> human_number(12345.6), human_number(-0.000123456), human_number(2041.0), human_number(1e-9)
    ('12,350', '−0.0001235', '2,041', '≈0')
    """
    from decimal import Decimal

    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "—"
    v = float(v)
    if v == 0:
        return "0"
    if abs(v) < 1e-7:
        return "≈0"
    d = Decimal(f"{abs(v):.{digits - 1}e}").normalize()
    text = f"{d:,f}"
    return (MINUS if v < 0 else "") + text


def human_percent(v: float | None, digits: int = 3) -> str:
    """A fraction as a percentage: ``0.286`` → ``"28.6 %"`` ("—" when missing)."""
    return "—" if v is None else f"{human_number(100 * float(v), digits)} %"


def format_quantity(q: dict | None, digits: int = 4) -> str:
    """Format a summary quantity ``{"value", "units"}`` the one way the report prints numbers.

    Masses in t, kt or Mt are shown in the largest of t/kt/Mt that keeps the number ≥ 1, money as
    "−2.86 bn USD" or "M USD", rates per year as "%/year"; at most ``digits`` significant figures
    and never scientific notation.

    Examples
    --------
    >>> format_quantity({"value": 118002.6, "units": "t"}), format_quantity({"value": -2859986449.1, "units": "USD"})
    ('118 kt', '−2.86 bn USD')
    >>> format_quantity({"value": 0.08, "units": "1 / a"}), format_quantity({"value": 83.456, "units": "Mt"})
    ('8 %/year', '83.46 Mt')
    """
    if q is None or q.get("value") is None:
        return "—"
    v, units = float(q["value"]), q.get("units") or ""
    if units in _MASS_T:
        tonnes = v * _MASS_T[units]
        units = "Mt" if abs(tonnes) >= 1e6 else "kt" if abs(tonnes) >= 1e3 else "t"
        v = tonnes / _MASS_T[units]
    elif units in _MONEY:
        if abs(v) >= 1e9:
            v, units = v / 1e9, f"bn {units}"
        elif abs(v) >= 1e6:
            v, units = v / 1e6, f"M {units}"
    elif units == "1 / a":
        v *= 100
    units = _UNIT_TEXT.get(units, units)
    return f"{human_number(v, digits)} {units}".strip()


def qty(value: Any, units: str) -> dict[str, Any]:
    """A JSON quantity ``{"value": ..., "units": ...}`` (NaN → null)."""
    v = None if value is None else float(value)
    return {"value": None if v is None or not np.isfinite(v) else v, "units": units}


def summarise_inputs(run: RunDescription, site: SiteData) -> dict:
    """A JSON-ready summary of the inputs: cores, layers, areas (km²), water depths."""
    grid, comps = site.grid, site.composites
    core_ids = site.intervals["core_id"].unique()
    in_extent = np.asarray(site.domain, dtype=float)  # fraction of each cell in the extent
    elev = site.rasters["elevation"].values
    depth_cells = -elev[(in_extent > 0) & np.isfinite(elev)]
    rey = [e for e in GROUPS["REY"] if e in site.elements]
    rey_total = sum(comps[e] for e in rey) if rey else None
    thickness = xr.DataArray(grid.layers.thickness, dims="layer")
    summary = {
        "title": run.title,
        "site": run.site,
        "synthetic_cores": run.synthetic_cores,
        "cores": {
            "file": run.cores_file,
            "n_cores": len(core_ids),
            "n_intervals": len(site.intervals),
            "elements": site.elements,
            "grade_units": "ppm",
            "max_depth_mbsf": float(site.intervals["bottom_mbsf"].max()),
        },
        "layers": {
            "n": grid.layers.n,
            "top_mbsf": grid.layers.top.tolist(),
            "bottom_mbsf": grid.layers.bottom.tolist(),
            "composites_per_layer": [int(v) for v in (rey_total if rey_total is not None else comps["coverage"]).notnull().sum("core").values],
        },
        "areas_km2": {name: geodesic_area(g) / 1e6 for name, g in site.areas.items()},
        "grid": {
            "crs_wkt": grid.crs.to_wkt(),
            "cell_size_m": grid.cell_size,
            "shape_yx": list(grid.shape),
            "cells_in_extent": int(np.count_nonzero(in_extent)),
            "extent_area_km2_from_cells": float(in_extent.sum() * grid.cell_area / 1e6),
        },
        "water_depth_m": {
            "grid_min": float(depth_cells.min()) if depth_cells.size else None,
            "grid_max": float(depth_cells.max()) if depth_cells.size else None,
        },
    }
    detection = site.intervals.attrs.get("detection")
    if detection:
        summary["cores"]["below_detection"] = detection
    warnings = input_warnings(site)
    if warnings:
        summary["warnings"] = warnings
    if "water_depth_m" in site.intervals:
        wd = site.intervals.groupby("core_id")["water_depth_m"].first()
        summary["water_depth_m"].update(cores_min=float(wd.min()), cores_max=float(wd.max()))
    if rey_total is not None:
        weights = thickness * comps["coverage"].where(rey_total.notnull())
        mean = float((rey_total * weights).sum() / weights.sum())
        summary["cores"]["mean_REY_ppm_composites"] = mean
        summary["cores"]["max_layer_REY_ppm"] = float(rey_total.max())
    if "sediment_thickness" in site.rasters:
        st = site.rasters["sediment_thickness"].values[in_extent > 0]
        st = st[np.isfinite(st)]
        if st.size:
            summary["sediment_thickness_m"] = {"min": float(st.min()), "max": float(st.max())}
    return summary


def input_warnings(site: SiteData) -> list[str]:
    """Every warning the loaders recorded on the inputs they accepted (grids, cores), one line each."""
    out: list[str] = []
    for name in site.rasters.data_vars:  # the resampled grids carry their loader's warnings too
        out += [str(w) for w in site.rasters[name].attrs.get("warnings", [])]
    out += [str(w) for w in site.intervals.attrs.get("warnings", [])]
    return out


def _variogram(model: Any) -> dict[str, Any] | None:
    if model is None:
        return None
    return {
        "nugget": qty(model.nugget, "1 (standardised)"),
        "structures": [
            {"kind": s.kind, "sill": qty(s.sill, "1 (standardised)"), "practical_range": qty(s.range, "m"),
             "range_minor": qty(s.range_minor, "m") if s.range_minor else None, "azimuth": qty(s.azimuth, "degree")}
            for s in model.structures
        ],
    }


def _anisotropy(model: Any) -> dict[str, Any] | None:
    s = model.structures[0] if model is not None and model.structures else None
    if s is None or not s.range_minor or s.range_minor == s.range:
        return None
    return {"azimuth": qty(s.azimuth, "degree"), "ratio": qty(s.range / s.range_minor, "1"),
            "convention": "azimuth of the major axis clockwise from north; ratio = major / minor practical range"}


def _search(nb: Any) -> dict[str, Any] | None:
    if nb is None:
        return None
    return {"max_samples": nb.max_samples, "radius": qty(nb.radius, "m") if np.isfinite(nb.radius) else None,
            "radius_minor": qty(nb.radius_minor, "m") if nb.radius_minor else None, "azimuth": qty(nb.azimuth, "degree")}


def _core_totals(totals: dict | None) -> dict[str, Any] | None:
    if not totals:
        return None
    out: dict[str, Any] = {"interval_mbsf": totals["interval_mbsf"],
                           "note": "each core's thickness-weighted total over the interval, held out and re-estimated "
                                   "from the kriged elements; cores with every layer and REY element assayed"}
    for scheme, items in totals.items():
        if scheme == "interval_mbsf":
            continue
        out[scheme] = {item: {"n_cores": int(m["n"]), "mean_error": qty(m["mean_error"], "ppm"),
                              "rmse": qty(m["rmse"], "ppm"), "relative_rmse": qty(m["relative_rmse"], "1"),
                              "correlation": qty(m["correlation"], "1"), "mean_observed": qty(m["mean_observed"], "ppm")}
                       for item, m in items.items()}
    return out


def _declustering(d: Any) -> dict[str, Any] | None:
    if d is None:
        return None
    return {"method": "cell declustering (GSLIB DECLUS), cell size of the minimum declustered mean",
            "cell_size": qty(d.cell_size, "m"), "cell_sizes_tried": [float(d.cell_sizes.min()), float(d.cell_sizes.max())]
            if d.cell_sizes.size else [], "naive_mean_REY": qty(d.naive_mean, "ppm"),
            "declustered_mean_REY": qty(d.mean, "ppm"),
            "weights": {"min": float(d.weights.min()), "max": float(d.weights.max())} if d.weights.size else None,
            "used_for": "the simple-kriging mean and these sample statistics"}


def _cv(est: EstimationResult, scheme: str) -> dict[str, Any] | None:
    if est.cross_validation is None:
        return None
    m = est.cross_validation.metrics
    return {
        "scheme": scheme,
        "n_variables": len(m),
        "median_mean_standardised_error": qty(np.nanmedian(m["mean_standardised_error"]), "1"),
        "median_var_standardised_error": qty(np.nanmedian(m["var_standardised_error"]), "1"),
        "median_correlation": qty(np.nanmedian(m["correlation"]), "1"),
    }


def build_summary(run: RunDescription, site: SiteData, est: EstimationResult, res: ResourceResult, sup: Any,
                  inputs: dict[str, Any]) -> dict[str, Any]:
    """All headline numbers of a run, with units."""
    t = res.tonnage.xs("total", level="scope")
    bm = res.block_model  # cell_area: the part of each cell counted (cell area x mineable fraction)
    mineable_km2 = float(bm["cell_area"].where(bm["mineable"].any("layer"), 0.0).sum()) / 1e6
    resource = {
        "mineable_area": qty(mineable_km2, "km^2"),
        "depth_interval_mbsf": [float(site.grid.layers.top[0]), float(site.grid.layers.bottom[-1])],
        "dry_bulk_density_method": run.density_method,
        "dry_bulk_density": qty(run.dry_bulk_density, "t/m^3"),
        "dry_mud": qty(t.loc["REY", "dry mud [Mt]"], "Mt"),
        "mean_REY_grade": qty(t.loc["REY", "grade [ppm]"], "ppm"),
        "contained_REY": qty(t.loc["REY", "metal [t]"] / 1e6, "Mt"),
        "oxides": {g: qty(t.loc[g, "oxide [t]"] / 1e6, "Mt") for g in ("TREO", "HREO", "LREO", "MREO") if g in t.index},
        "element_oxides": {
            e: qty(t.loc[e, "oxide [t]"] / 1e3, "kt") for e in site.elements if e in t.index
        },
        "classes": {
            str(c): {"dry_mud": qty(r["dry mud [Mt]"], "Mt"), "TREO": qty(r["TREO [t]"] / 1e6, "Mt"),
                     "rule": str(r.get("reason", ""))}
            for c, r in res.class_tonnage.iterrows() if c != "total"
        },
    }
    classified = [v for k, v in resource["classes"].items() if k in ("Measured", "Indicated", "Inferred")]
    resource["TREO_classified"] = qty(sum(v["TREO"]["value"] or 0.0 for v in classified), "Mt")
    resource["TREO_unclassified"] = resource["classes"].get("Unclassified", {}).get("TREO", qty(0.0, "Mt"))
    gt = res.grade_tonnage
    row = gt.loc[np.isclose(gt["cutoff [ppm]"], run.cutoff_grade)]
    if len(row):
        r = row.iloc[0]
        resource["above_cutoff"] = {
            "item": run.cutoff_item, "cutoff": qty(run.cutoff_grade, "ppm"), "mode": run.cutoff_mode,
            "dry_mud": qty(r["dry mud [Mt]"], "Mt"), "grade": qty(r[f"{run.cutoff_item} [ppm]"], "ppm"),
            "TREO": qty(r["TREO [t]"] / 1e6, "Mt"),
        }
    resource_warnings = _empty_answer_warnings(resource)
    if resource_warnings:
        resource["warnings"] = resource_warnings
    if res.simulation_summary is not None:
        s = res.simulation_summary
        total = s.xs("total", level="scope")
        resource["uncertainty"] = {
            "n_realisations": int(s.attrs.get("n_realisations", 0)),
            "gaussian_fields": s.attrs.get("fields", "kernel convolution, tile by tile"),
            "TREO_P10": qty(total.loc["TREO", "oxide P10 [kt]"] / 1e3, "Mt"),
            "TREO_P50": qty(total.loc["TREO", "oxide P50 [kt]"] / 1e3, "Mt"),
            "TREO_P90": qty(total.loc["TREO", "oxide P90 [kt]"] / 1e3, "Mt"),
            "convention": "P10 = 10 % quantile (90 % of realisations exceed it)",
            "includes": ("spatial variability and the uncertainty of the global mean grade"
                         if run.mean_uncertainty else
                         "spatial variability around a known global mean grade (simple kriging): the uncertainty "
                         "of the mean is left out")
            + ("; the variogram's uncertainty (a model drawn per group of realisations)"
               if run.variogram_uncertainty else ""),
        }
    if "takaya_box" in site.areas:
        box_km2 = geodesic_area(site.areas["takaya_box"]) / 1e6
        resource["published_comparison"] = {
            **{k: v for k, v in TAKAYA_2018.items()},
            "box_geodesic_area_km2": box_km2,
            "TREO_scaled_to_2500_km2": qty(resource["oxides"]["TREO"]["value"] * 2500.0 / max(resource["mineable_area"]["value"], 1e-9), "Mt")
            if resource["oxides"].get("TREO") else None,
        }
    estimation = {
        "method": run.estimation_method,
        "variogram": _variogram(est.variogram),
        "support": est.estimates.attrs.get("support"),
        "n_negative_estimates_clipped": int(est.estimates.attrs.get("n_negative_clipped", 0)),
        "cross_validation": _cv(est, run.cross_validation_scheme),
        "drift": est.estimates.attrs.get("drift", "none"),
        "anisotropy": _anisotropy(est.variogram),
        "search": _search(getattr(est, "neighbourhood", None)),
        "core_totals_cross_validation": _core_totals(getattr(est, "core_totals", None)),
        "declustering": _declustering(getattr(est, "declustering", None)),
    }
    supply = None
    if sup is not None:
        supply = {k: to_jsonable(v) for k, v in sup.summary.items()}
        prob = sup.offset_probability
        supply["offset_probability_final_year"] = {c: qty(prob[c].iloc[-1], "1") for c in prob.columns}
        supply["monte_carlo_draws"] = run.supply_draws
        settings = getattr(sup, "settings", None)
        if settings is not None:
            supply["start_year"] = int(settings.start_year)
            supply["end_year"] = int(settings.end_year)
            supply["assumptions"] = supply_assumptions(settings)
        for key in ("scenarios", "alternatives", "gates"):  # tables compared in the report (issue 16)
            table = getattr(sup, key, None)
            if table is not None and len(table):
                supply[f"{key}_table"] = _table_json(table.drop(columns=["source"], errors="ignore"))
    return to_jsonable({
        "title": run.title,
        "site": run.site,
        "seed": run.seed,
        "synthetic_cores": run.synthetic_cores,
        "assumptions": list(run.assumptions),
        "inputs": inputs,
        "estimation": estimation,
        "resource": resource,
        "supply": supply,
    })


def _table_json(df: pd.DataFrame) -> dict[str, list]:
    """A small table as ``{"index", "columns", "data"}`` (±inf, e.g. an offset never reached, as "never")."""
    data = [["never" if isinstance(v, float) and np.isinf(v) else v for v in row] for row in df.to_numpy().tolist()]
    return {"index": [str(i) for i in df.index], "columns": [str(c) for c in df.columns], "data": data}


#: Settings of the supply model left out of the assumptions table (labels, empty tables, Monte Carlo set-up).
_SKIP_SETTINGS = ("name", "uncertainty.parameters", "scenarios", "sequence.order_column")


def _setting_value(v: Any, key: str = "") -> str:
    """A setting as people read it: human numbers with compact units (fractions as %, money in
    bn/M), lists and tables joined."""
    if hasattr(v, "magnitude") and hasattr(v, "units"):
        units = f"{v.units:~P}".replace("metric_ton", "t").strip()
        if v.dimensionless and "percent" not in str(v.units):
            return human_percent(float(v.to("").magnitude), 4)
        if units in ("USD", "JPY", "EUR", "CNY"):
            return format_quantity({"value": float(v.magnitude), "units": units})
        units = {"%/a": "%/year", "a": "year", "d": "day", "mo": "month"}.get(units, units)
        units = units.replace("/a", "/year").replace("/d", "/day")
        return f"{human_number(float(v.magnitude))} {units}".strip()
    if isinstance(v, dict):
        return "; ".join(f"{k} {_setting_value(x)}" for k, x in v.items())
    if isinstance(v, bool | str | int):
        return str(v)
    if isinstance(v, float):
        return f"{v:g}" if key.endswith("year") else human_number(v)
    if isinstance(v, list | tuple):
        return ", ".join(_setting_value(x) for x in v)
    return str(v)


#: Sources of shipped defaults documented in code comments rather than field descriptions.
_DEFAULT_SOURCES = {
    "plan.phases[trial].": "SIP trial plan: ~3 months from Feb 2027 at ~350 t mud/day (DOMAIN.md [N]); "
                           "capex = FY2025 supplementary budget [N]; wet basis is an assumption",
    "plan.phases[commercial].": "assumption: no date or scale published; starts at the end of the project gates; "
                                "Kato (2013) scale of 10,000 t/day, wet or dry not stated (basis 'unknown'), McNulty "
                                "(1998) category 3 (first of a kind, DOMAIN.md [N]), capex scaled from a 3 Mt/year wet "
                                "nodule operation (3-3.5 bn USD, mid value [N]) by wet mass^0.6",
    "separation.plants[japan_pilot].": "SIP mainland refining of the trial mud (DOMAIN.md [N]); size and opex: assumption",
    "separation.plants[japan_commercial].": "assumption: no plant announced; sized just above the base-case plateau "
                                            "feed, capex 0.5 bn USD per 5,000 t/yr scaled with exponent 0.6",
    "gates.": "SIP trial Feb 2027 and profitability report Mar 2028 (DOMAIN.md [N]); stage durations: assumption",
    "alternatives[": "see each alternative's source; tonnages and costs are assumptions unless DOMAIN.md is cited",
    "economics.prices": "mid-range of the 2025 oxide prices in DOMAIN.md [N]",
}


def _basis(description: str) -> str:
    d = description.lower()
    if "assumption" in d:
        return "assumption"
    if "[" in description or any(w in d for w in ("et al", "jogmec", "jsnm", "domain.md", "(19", "(20")):
        return "published (cited)"
    return "model setting"


def supply_assumptions(settings: Any, prefix: str = "") -> list[dict[str, str]]:
    """Every set value of the supply settings as ``{"parameter", "value", "basis", "source"}``
    rows: the value in human numbers, its description (with its "[source]" or "(assumption)"
    label) from the settings' field descriptions, and whether it is an assumption or cited."""
    rows: list[dict[str, str]] = []
    for name, f in type(settings).model_fields.items():
        key = f"{prefix}{name}"
        v = getattr(settings, name)
        if name in _SKIP_SETTINGS or key in _SKIP_SETTINGS or v is None or (isinstance(v, dict | list) and not v):
            continue
        if hasattr(type(v), "model_fields"):
            rows += supply_assumptions(v, key + ".")
        elif isinstance(v, list) and hasattr(type(v[0]), "model_fields"):
            for i, item in enumerate(v):
                rows += supply_assumptions(item, f"{key}[{getattr(item, 'name', i)}].")
        else:
            desc = " ".join((f.description or "").split())
            extra = next((s for pre, s in _DEFAULT_SOURCES.items() if key.startswith(pre)), "")
            desc = f"{desc} Default: {extra}." if extra and desc else (desc or extra)
            basis = _basis(extra or desc) if (extra or desc) else "model setting"
            rows.append({"parameter": key, "value": _setting_value(v, key), "basis": basis,
                         "source": desc or "—"})
    return rows


def _empty_answer_warnings(resource: dict[str, Any]) -> list[str]:
    """Say why, when the answer comes out zero (the masks leaving no area are refused earlier)."""
    out = []
    treo = (resource["oxides"].get("TREO") or {}).get("value") or 0.0
    area = resource["mineable_area"]["value"] or 0.0
    if area > 0 and treo <= 0:
        out.append(f"contained TREO is 0 Mt over {area:,.0f} km2 of mineable area: no cell got a grade above 0 "
                   "(every estimate 0, or no cell had [estimation.neighbourhood] min_samples cores within its "
                   "search radius); check the radius, min_samples and the assays")
    above = resource.get("above_cutoff")
    if treo > 0 and above is not None and not (above["dry_mud"]["value"] or 0.0) > 0:
        out.append(f"nothing lies above the {above['cutoff']['value']:,.0f} ppm {above['item']} cut-off "
                   f"({above['mode']} mode), so the supply model has no mud to mine; lower [resource.cutoff] grade "
                   "(see the grade-tonnage table)")
    return out


def summary_frame(summary: dict[str, Any], prefix: str = "") -> pd.DataFrame:
    """Flatten the quantities of a summary into a (key, value, units) table."""
    rows = []
    for k, v in summary.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict) and set(v) == {"value", "units"}:
            rows.append((key, v["value"], v["units"]))
        elif isinstance(v, dict):
            rows.extend(summary_frame(v, key + ".").itertuples(index=False, name=None))
    return pd.DataFrame(rows, columns=["key", "value", "units"])
