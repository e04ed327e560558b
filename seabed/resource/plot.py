"""Resource plots: grade-tonnage curves, depth profiles, tonnage with P10–P90.

Every function returns a :class:`matplotlib.figure.Figure` built with the
object-oriented API (no pyplot state), so it works with the Agg backend; axes are
labelled with units.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from seabed.plotting import mass_unit, watermark

_TONNES = {"t": 1.0, "kt": 1e3, "Mt": 1e6, "Gt": 1e9}

__all__ = ["plot_depth_profile", "plot_grade_tonnage", "plot_tonnage_range"]


def plot_grade_tonnage(curve: pd.DataFrame, *, title: str | None = None, synthetic: bool = False) -> Figure:
    """Grade-tonnage curve from :func:`seabed.resource.selectivity.grade_tonnage`.

    Dry mud above cut-off (Mt, left axis) and the mean grade above cut-off (ppm, right
    axis) against the cut-off grade (ppm). ``synthetic`` stamps the SYNTHETIC watermark.
    """
    item = curve.attrs.get("item", "REY")
    fig = Figure(figsize=(6.5, 4.2), layout="constrained")
    ax = fig.add_subplot()
    ax.plot(curve["cutoff [ppm]"], curve["dry mud [Mt]"], color="tab:blue", marker="o", ms=3)
    ax.set_xlabel(f"{item} cut-off grade [ppm]")
    ax.set_ylabel("dry mud above cut-off [Mt]", color="tab:blue")
    ax.set_ylim(bottom=0)
    ax2 = ax.twinx()
    ax2.plot(curve["cutoff [ppm]"], curve[f"{item} [ppm]"], color="tab:red", marker="s", ms=3)
    ax2.set_ylabel(f"mean {item} above cut-off [ppm]", color="tab:red")
    scope = curve.attrs.get("scope", "")
    ax.set_title(title or (f"Grade-tonnage curve ({scope})" if scope else "Grade-tonnage curve"), wrap=True)
    ax.grid(alpha=0.3)
    return watermark(fig, synthetic)


def plot_depth_profile(table: pd.DataFrame, *, item: str = "REY", title: str | None = None, units: str = "kt",
                       synthetic: bool = False) -> Figure:
    """Grade and tonnage per layer against depth.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`seabed.resource.tonnage.tonnage_table` with ``by_layer=True`` (scopes
        labelled ``"a-b mbsf"``).
    item : str, default "REY"
        Item to show.
    units : {"kt", "t", "Mt", "auto"}, default "kt"
        Unit of the contained tonnage; "auto" picks t, kt or Mt by the largest value.
    synthetic : bool, default False
        Stamp the SYNTHETIC watermark.
    """
    rows = table.xs(item, level="item").drop(index="total", errors="ignore")
    edges = np.array([[float(v) for v in s.removesuffix(" mbsf").split("-")] for s in rows.index])
    mid = edges.mean(axis=1)
    height = edges[:, 1] - edges[:, 0]
    tonnes_col = "oxide [t]" if item in ("TREO", "HREO", "LREO", "MREO") else "metal [t]"
    fig = Figure(figsize=(7.5, 4.5), layout="constrained")
    ax_g, ax_t = fig.subplots(1, 2, sharey=True)
    ax_g.plot(rows["grade [ppm]"], mid, marker="o")
    ax_g.set_xlabel(f"{item} grade [ppm]")
    ax_g.set_ylabel("depth below seafloor [m]")
    ax_g.invert_yaxis()
    div, unit = mass_unit(rows[tonnes_col].to_numpy()) if units == "auto" else (_TONNES[units], units)
    ax_t.barh(mid, rows[tonnes_col] / div, height=0.9 * height, color="tab:orange")
    ax_t.set_xlabel(f"{item} contained [{unit}]")
    for ax in (ax_g, ax_t):
        ax.grid(alpha=0.3)
    fig.suptitle(title or f"{item} by depth")
    return watermark(fig, synthetic)


def plot_tonnage_range(
    summary: pd.DataFrame,
    *,
    scope: str = "total",
    items: Sequence[str] = ("TREO", "HREO", "LREO", "MREO"),
    units: str = "kt",
    title: str | None = None,
    display_units: str | None = None,
    synthetic: bool = False,
) -> Figure:
    """P50 tonnage with P10–P90 bars, from :func:`seabed.resource.uncertainty.summarise_realisations`.

    The summary columns must be in ``units`` (e.g. ``summarise_realisations(res, units="kt")``); the
    axis shows them in ``display_units`` (t, kt, Mt; "auto": whichever suits the largest value;
    default ``units``). ``synthetic`` stamps the watermark.
    """
    rows = summary.xs(scope, level="scope").reindex(list(items))
    p10, p50, p90 = (rows[f"P{p} [{units}]"].to_numpy() for p in (10, 50, 90))
    if display_units is not None and units in _TONNES:
        to_t = _TONNES[units]
        div, units = mass_unit(p90 * to_t) if display_units == "auto" else (_TONNES[display_units], display_units)
        p10, p50, p90 = (v * to_t / div for v in (p10, p50, p90))
    fig = Figure(figsize=(6.0, 4.0), layout="constrained")
    ax = fig.add_subplot()
    x = np.arange(len(items))
    ax.bar(x, p50, color="tab:green", alpha=0.8, label="P50")
    ax.errorbar(x, p50, yerr=[p50 - p10, p90 - p50], fmt="none", ecolor="k", capsize=5, label="P10–P90")
    ax.set_xticks(x, list(items))
    ax.set_ylabel(f"contained [{units}]")
    ax.set_title(title or f"Tonnage uncertainty ({scope}, {summary.attrs.get('n_realisations', '?')} realisations)",
                 wrap=True)
    ax.legend()
    ax.grid(axis="y", alpha=0.3)
    return watermark(fig, synthetic)
