"""Figures of a :class:`~seabed.supply.model.SupplyResult` (matplotlib, Agg-safe).

Each function returns a :class:`matplotlib.figure.Figure` built with the object API (no
``pyplot`` state), so it works headless; save it with ``fig.savefig(path)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from seabed.supply.model import SupplyResult

__all__ = ["plot_cash_flow", "plot_offset_probability", "plot_supply_vs_imports", "plot_tornado"]


def plot_supply_vs_imports(result: SupplyResult, *, items: Sequence[str] = ("TREO", "magnet", "Nd", "Dy")) -> Figure:
    """Domestic supply (with P10–P90 band when Monte Carlo ran) against imports from China.

    Parameters
    ----------
    result : SupplyResult
    items : sequence of str
        Elements or groups, one panel each.
    """
    items = [i for i in items if i in result.production.columns]
    fig = Figure(figsize=(4.0 * max(len(items), 1), 3.4), layout="constrained")
    axes = fig.subplots(1, max(len(items), 1), squeeze=False)[0]
    dem = result.demand.set_index(["item", "year"])
    for ax, item in zip(axes, items, strict=False):
        years = result.production.index.to_numpy()
        ax.plot(years, result.production[item].to_numpy(), color="C0", label="domestic supply")
        if not result.bands.empty:
            b = result.bands[(result.bands["item"] == item) & (result.bands["variable"] == "supply_t")]
            ax.fill_between(b["year"], b["p10"], b["p90"], color="C0", alpha=0.25, label="supply P10–P90")
        ax.plot(years, dem.loc[item, "china_imports_t"].to_numpy(), color="C3", label="imports from China")
        ax.plot(years, dem.loc[item, "china_imports_after_cut_t"].to_numpy(), color="C3", ls=":",
                label="China imports after cut")
        ax.plot(years, dem.loc[item, "demand_t"].to_numpy(), color="0.4", ls="--", label="demand")
        ax.set_title(item)
        ax.set_xlabel("year")
        ax.set_ylabel("oxide (t/year)")
    axes[0].legend(fontsize="small")
    return fig


def plot_offset_probability(result: SupplyResult, *, items: Sequence[str] | None = None) -> Figure:
    """P(sustainably offset by year) of the controlled elements (Monte Carlo; monotone curves).

    ``items`` defaults to the columns of ``result.offset_probability_by_year`` (the controlled
    elements); names of other items (TREO, magnet) are taken from ``result.offset_probability``.
    """
    fig = Figure(figsize=(6.5, 3.8), layout="constrained")
    ax = fig.subplots()
    by_el = result.offset_probability_by_year
    prob = by_el if items is None else result.offset_probability.combine_first(by_el)
    items = list(by_el.columns) if items is None else list(items)
    for i, item in enumerate(items):
        if item in prob.columns and prob[item].notna().any():
            ax.step(prob.index, 100 * prob[item], where="post", label=item, color=f"C{i % 10}",
                    ls="-" if i < 10 else "--")
    ax.set_xlabel("year")
    ax.set_ylabel("P(sustainably offset by year) (%)")
    ax.set_ylim(0, 100)
    if prob.empty:
        ax.text(0.5, 0.5, "no Monte Carlo draws", ha="center", transform=ax.transAxes)
    else:
        ax.legend(fontsize="small", ncol=3)
    return fig


def plot_tornado(result: SupplyResult, *, metric: str = "npv") -> Figure:
    """One-at-a-time swings of ``metric`` ("npv" or "offset_year_<item>") between P10 and P90 inputs."""
    t = result.tornado
    fig = Figure(figsize=(6.0, 0.5 + 0.45 * max(len(t) // 2, 1)), layout="constrained")
    ax = fig.subplots()
    if t.empty:
        ax.text(0.5, 0.5, "no uncertain parameters", ha="center", transform=ax.transAxes)
        return fig
    rows = t[t["metric"] == metric].iloc[::-1]
    scale, unit = (1e9, f"NPV ({result.settings.economics.currency} bn)") if metric == "npv" else (1.0, "year")
    base = rows["base"].iloc[0] / scale
    pos = np.arange(len(rows))
    lo = rows["at_low"].to_numpy() / scale
    hi = rows["at_high"].to_numpy() / scale
    ax.barh(pos, lo - base, left=base, color="C3", label="parameter at P10")
    ax.barh(pos, hi - base, left=base, color="C0", label="parameter at P90")
    ax.axvline(base, color="k", lw=0.8)
    ax.set_yticks(pos, [f"{p} ({u})" for p, u in zip(rows["parameter"], rows["unit"], strict=True)])
    ax.set_xlabel(unit)
    ax.legend(fontsize="small")
    return fig


def plot_cash_flow(result: SupplyResult) -> Figure:
    """Yearly net cash flow (bars) and cumulative cash flow (line), in billions."""
    cf = result.cash_flow
    cur = result.settings.economics.currency
    fig = Figure(figsize=(7.0, 3.6), layout="constrained")
    ax = fig.subplots()
    net = cf["net_cash_flow"].to_numpy() / 1e9
    ax.bar(cf.index, net, color=np.where(net >= 0, "C0", "C3"), label="net cash flow")
    ax.plot(cf.index, cf["cumulative_cash_flow"] / 1e9, color="k", label="cumulative")
    ax.axhline(0, color="0.5", lw=0.6)
    ax.set_xlabel("year")
    ax.set_ylabel(f"cash flow ({cur} bn/year; cumulative {cur} bn)")
    ax.legend(fontsize="small")
    return fig
