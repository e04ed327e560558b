"""Figures of a :class:`~seabed.supply.model.SupplyResult` (matplotlib, Agg-safe).

Each function returns a :class:`matplotlib.figure.Figure` built with the object API (no
``pyplot`` state), so it works headless; save it with ``fig.savefig(path)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure

from seabed.plotting import mass_unit, watermark
from seabed.supply.model import SupplyResult

__all__ = ["plot_alternatives", "plot_cash_flow", "plot_offset_probability", "plot_scenarios", "plot_supply_vs_imports",
           "plot_tornado"]


def plot_supply_vs_imports(result: SupplyResult, *, items: Sequence[str] = ("TREO", "magnet", "Nd", "Dy"),
                           synthetic: bool = False) -> Figure:
    """Domestic supply (with P10–P90 band when Monte Carlo ran) against imports from China.

    Parameters
    ----------
    result : SupplyResult
    items : sequence of str
        Elements or groups, one panel each.
    synthetic : bool, default False
        The resource comes from synthetic cores: stamp the SYNTHETIC watermark.
    """
    items = [i for i in items if i in result.production.columns]
    fig = Figure(figsize=(4.0 * max(len(items), 1), 3.4), layout="constrained")
    axes = fig.subplots(1, max(len(items), 1), squeeze=False)[0]
    dem = result.demand.set_index(["item", "year"])
    separated = result.offset.set_index(["item", "year"])["supply_t"]
    for ax, item in zip(axes, items, strict=False):
        years = result.production.index.to_numpy()
        d = dem.loc[item]
        supply = separated.loc[item].reindex(years).to_numpy()  # what counts: separated outside China
        div, unit = mass_unit(np.concatenate([result.production[item].to_numpy(), d["demand_t"].to_numpy()]))
        ax.plot(years, supply / div, color="C0", label="domestic supply (separated outside China)")
        ax.plot(years, result.production[item].to_numpy() / div, color="C0", ls=":", lw=1,
                label="mine-gate oxide")
        if not result.bands.empty:
            b = result.bands[(result.bands["item"] == item) & (result.bands["variable"] == "supply_t")]
            ax.fill_between(b["year"], b["p10"] / div, b["p90"] / div, color="C0", alpha=0.25,
                            label="supply P10–P90")
        ax.plot(years, d["china_imports_t"].to_numpy() / div, color="C3", label="imports from China")
        ax.plot(years, d["china_imports_after_cut_t"].to_numpy() / div, color="C3", ls=":",
                label="China imports after cut")
        ax.plot(years, d["demand_t"].to_numpy() / div, color="0.4", ls="--", label="demand")
        ax.set_title(item)
        ax.set_xlabel("year")
        ax.set_ylabel(f"oxide ({unit}/year)")
    axes[0].legend(fontsize="small")
    fig.suptitle("Domestic supply against imports from China (oxide)")
    return watermark(fig, synthetic)


def plot_offset_probability(result: SupplyResult, *, items: Sequence[str] | None = None,
                            synthetic: bool = False) -> Figure:
    """P(sustainably offset by year) of the controlled elements (Monte Carlo; monotone curves).

    ``items`` defaults to the columns of ``result.offset_probability_by_year`` (the controlled
    elements); names of other items (TREO, magnet) are taken from ``result.offset_probability``.
    Only the elements whose probability rises above zero get a curve, highest first; the others
    are named in a note under the title (0 % throughout, or no imports from China to offset).
    """
    fig = Figure(figsize=(7.0, 4.2), layout="constrained")
    ax = fig.subplots()
    by_el = result.offset_probability_by_year
    prob = by_el if items is None else result.offset_probability.combine_first(by_el)
    items = list(by_el.columns) if items is None else list(items)
    present = [i for i in items if i in prob.columns and prob[i].notna().any()]
    # "by year" is cumulative: a running maximum keeps the curves monotone whatever the table holds
    curves = {i: 100 * prob[i].ffill().fillna(0.0).cummax() for i in present}
    shown = sorted((i for i in present if curves[i].max() > 0), key=lambda i: (-float(curves[i].iloc[-1]), i))
    zero = [i for i in present if i not in shown]
    no_data = [i for i in items if i not in present]
    styles = ("-", "--", "-.", ":")
    for k, item in enumerate(shown):
        ax.step(prob.index, curves[item], where="post", color=f"C{k % 10}", ls=styles[(k // 10) % 4], lw=1.6,
                label=f"{item} ({float(curves[item].iloc[-1]):.0f} %)")
    ax.set_xlabel("year")
    ax.set_ylabel("P(sustainably offset by year) (%)")
    ax.set_ylim(0, 100)
    end = int(prob.index.max()) if len(prob.index) else None
    ax.set_title("Probability that domestic supply sustainably offsets imports from China, by year",
                 fontsize=10, wrap=True)
    notes = []
    if zero:
        notes.append(f"0 % throughout{f' (to {end})' if end else ''}: {', '.join(zero)}")
    if no_data:
        notes.append(f"not modelled (no imports from China): {', '.join(no_data)}")
    if notes:
        ax.text(0.01, 0.98, "\n".join(notes), transform=ax.transAxes, va="top", ha="left", fontsize=7.5,
                bbox={"facecolor": "white", "edgecolor": "0.7", "alpha": 0.85})
    if prob.empty:
        ax.text(0.5, 0.5, "no Monte Carlo draws", ha="center", transform=ax.transAxes)
    elif shown:
        ax.legend(fontsize="small", ncol=2 if len(shown) > 5 else 1, loc="center left", bbox_to_anchor=(1.01, 0.5),
                  title=f"element (P by {end})", title_fontsize="small")
    return watermark(fig, synthetic)


def plot_tornado(result: SupplyResult, *, metric: str = "npv", synthetic: bool = False) -> Figure:
    """One-at-a-time swings of ``metric`` ("npv" or "offset_year_<item>") between P10 and P90 inputs."""
    t = result.tornado
    n_rows = int((t["metric"] == metric).sum()) if not t.empty else 1
    fig = Figure(figsize=(6.0, 0.5 + 0.45 * max(n_rows, 1)), layout="constrained")
    ax = fig.subplots()
    if t.empty:
        ax.text(0.5, 0.5, "no uncertain parameters", ha="center", transform=ax.transAxes)
        return watermark(fig, synthetic)
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
    ax.set_title("NPV sensitivity, one parameter at a time" if metric == "npv" else f"Sensitivity of {metric}",
                 fontsize=10)
    ax.legend(fontsize="small")
    return watermark(fig, synthetic)


def plot_cash_flow(result: SupplyResult, *, synthetic: bool = False) -> Figure:
    """Yearly net cash flow (bars), cumulative undiscounted and discounted cash flow (lines), in
    billions of the reporting currency (deterministic case)."""
    cf = result.cash_flow
    cur = result.settings.economics.currency
    fig = Figure(figsize=(7.5, 4.0), layout="constrained")
    ax = fig.subplots()
    net = cf["net_cash_flow"].to_numpy() / 1e9
    ax.bar(cf.index, net, color=np.where(net >= 0, "C0", "C3"), label="net cash flow (undiscounted)")
    ax.plot(cf.index, cf["cumulative_cash_flow"] / 1e9, color="k", label="cumulative, undiscounted")
    rate = result.summary.get("discount_rate") if isinstance(result.summary, dict) else None
    if "discounted_cash_flow" in cf:
        try:
            tag = f" at {100 * float(getattr(rate, 'magnitude', rate)):.3g} %/year" if rate is not None else ""
        except (TypeError, ValueError):
            tag = ""
        ax.plot(cf.index, np.cumsum(cf["discounted_cash_flow"].to_numpy()) / 1e9, color="k", ls="--",
                label=f"cumulative, discounted{tag} (NPV at the end)")
    ax.axhline(0, color="0.5", lw=0.6)
    ax.set_xlabel("year")
    ax.set_ylabel(f"cash flow ({cur} bn/year; cumulative {cur} bn)")
    ax.set_title(f"Project cash flow, deterministic case ({cur} bn, real)", fontsize=10)
    ax.legend(fontsize="small", loc="best")
    return watermark(fig, synthetic)


def plot_offset_timeline(result: SupplyResult, *, synthetic: bool = False) -> Figure:
    """The answer in a picture: per controlled element, the first year of sustained offset of
    imports from China as a bar from P10 to P90 with the P50 marked (Monte Carlo), the
    deterministic year as a cross, and "never" where it does not happen within the horizon."""
    by = result.summary.get("offset_by_element") or {}
    start, end = int(result.settings.start_year), int(result.settings.end_year)
    names = list(by)
    fig = Figure(figsize=(7.5, 0.9 + 0.36 * max(len(names), 1)), layout="constrained")
    ax = fig.subplots()
    ax.set_xlim(start - 0.5, end + 8)
    for i, name in enumerate(names[::-1]):
        e = by[name]
        q = e.get("first_sustained_offset_year") or {}
        p10, p50, p90 = q.get("p10"), q.get("p50"), q.get("p90")
        if e.get("reason") == "no imports from China":
            ax.text(start + 0.5, i, "no imports from China", va="center", fontsize="small", color="0.4")
            continue
        if p10 is not None:
            right = p90 if p90 is not None else end + 0.5
            ax.barh(i, right - p10, left=p10, height=0.55, color="C0", alpha=0.45,
                    label="P10–P90" if i == 0 or "P10–P90" not in ax.get_legend_handles_labels()[1] else None)
            if p90 is None:
                ax.annotate("", xy=(end + 2.5, i), xytext=(end + 0.5, i),
                            arrowprops={"arrowstyle": "->", "color": "C0"})
        if p50 is not None:
            ax.plot([p50], [i], marker="D", color="C0", ms=6, ls="",
                    label="P50" if "P50" not in ax.get_legend_handles_labels()[1] else None)
        det = e.get("first_sustained_offset_year_deterministic")
        if det is not None:
            ax.plot([det], [i], marker="x", color="k", ms=6, ls="",
                    label="deterministic" if "deterministic" not in ax.get_legend_handles_labels()[1] else None)
        if p50 is None:
            ax.text(end + 3, i, "never (P50)", va="center", fontsize="small", color="C3")
    ax.axvline(end + 0.5, color="0.5", lw=0.8, ls="--")
    ax.set_yticks(range(len(names)), names[::-1])
    ax.set_xlabel(f"first year of sustained offset of imports from China (horizon {start}–{end})")
    ax.set_title("When could domestic supply offset imports from China?")
    ax.set_ylim(-0.6, max(len(names), 1) - 0.4)
    if not names:
        ax.text(0.5, 0.5, "no controlled elements", ha="center", transform=ax.transAxes)
    elif ax.get_legend_handles_labels()[1]:
        ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    else:  # nothing is offset in any draw: nothing to explain
        ax.text(0.5, 0.02, "no element is offset within the horizon in any draw", ha="center",
                transform=ax.transAxes, fontsize="small", color="C3")
    return watermark(fig, synthetic)


def plot_scenarios(result: SupplyResult, *, synthetic: bool = False) -> Figure:
    """Every scenario side by side: first sustained offset year of each controlled element (never: at the
    right edge, hollow), NPV at the private and the public discount rate, and the unit cost."""
    t = result.scenarios
    cur = result.settings.economics.currency
    fig = Figure(figsize=(11.0, 4.2), layout="constrained")
    ax_year, ax_npv, ax_cost = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1.6, 1, 1]})
    if t.empty:
        ax_year.text(0.5, 0.5, "no scenarios", ha="center", transform=ax_year.transAxes)
        return watermark(fig, synthetic)
    names = list(t.columns)
    rows = [m for m in t.index if m.startswith("first_offset_year_") and not m.startswith("first_offset_year_0")
            and m.removeprefix("first_offset_year_") not in ("TREO", "magnet")]
    rows = [m for m in rows if np.isfinite(t.loc[m].astype(float)).any() or t.loc[m].notna().any()]
    end = result.settings.end_year
    pos = np.arange(len(rows))
    for k, name in enumerate(names):
        y = t.loc[rows, name].astype(float).to_numpy()
        shift = (k - (len(names) - 1) / 2) * 0.12
        never = ~np.isfinite(y)
        ax_year.plot(np.where(never, np.nan, y), pos + shift, "o", color=f"C{k}", label=name)
        ax_year.plot(np.where(never, end + 1, np.nan), pos + shift, "o", mfc="none", color=f"C{k}")
    ax_year.set_yticks(pos, [m.removeprefix("first_offset_year_") for m in rows])
    ax_year.set_xlim(result.settings.start_year, end + 2)
    ax_year.set_xlabel(f"first sustained offset year (hollow at {end + 1}: never)")
    ax_year.set_title("Offset of imports from China, per controlled element", fontsize=10)
    ax_year.legend(fontsize="small", loc="lower left")
    x = np.arange(len(names))
    for j, (key, label) in enumerate(((f"npv_{cur}", "private rate"), (f"npv_public_{cur}", "public rate, pre-tax"))):
        if key in t.index:
            ax_npv.bar(x + (j - 0.5) * 0.38, t.loc[key].astype(float) / 1e9, width=0.38, color=f"C{j}", label=label)
    ax_npv.axhline(0, color="0.5", lw=0.6)
    ax_npv.set_xticks(x, names, rotation=30, ha="right")
    ax_npv.set_ylabel(f"NPV ({cur} bn)")
    ax_npv.set_title("NPV", fontsize=10)
    ax_npv.legend(fontsize="small")
    key = f"unit_cost_{cur}_per_kg_TREO"
    if key in t.index:
        ax_cost.bar(x, t.loc[key].astype(float), color="0.4")
    ax_cost.set_xticks(x, names, rotation=30, ha="right")
    ax_cost.set_ylabel(f"unit cost ({cur}/kg TREO)")
    ax_cost.set_title("Levelised unit cost", fontsize=10)
    return watermark(fig, synthetic)


def plot_alternatives(result: SupplyResult, *, synthetic: bool = False) -> Figure:
    """The mud beside the alternatives: t oxide/yr of the controlled elements secured (stacked by element)
    and the net cost per t secured."""
    t = result.alternatives
    cur = result.settings.economics.currency
    fig = Figure(figsize=(10.0, 0.8 + 0.5 * max(len(t), 1)), layout="constrained")
    ax_t, ax_c = fig.subplots(1, 2)
    if t.empty:
        ax_t.text(0.5, 0.5, "no alternatives", ha="center", transform=ax_t.transAxes)
        return watermark(fig, synthetic)
    chosen = result.summary.get("offset_elements") or []
    cols = [c for c in t.columns if c.endswith("_t_per_year") and c != "total_t_per_year"
            and c.removesuffix("_t_per_year") in chosen and t[c].sum() > 0]
    pos = np.arange(len(t))[::-1]
    left = np.zeros(len(t))
    for k, c in enumerate(cols):
        ax_t.barh(pos, t[c], left=left, color=colormaps["tab20"](k % 20), label=c.removesuffix("_t_per_year"))
        left += t[c].to_numpy()
    ax_t.set_yticks(pos, list(t.index))
    ax_t.set_xlabel("controlled oxides secured (t/year)")
    ax_t.set_title("Supply secured outside China", fontsize=10)
    if cols:
        ax_t.legend(fontsize="x-small", ncol=2, loc="lower right")
    cost = t[f"cost_{cur}_per_t"].astype(float) / 1e3
    ax_c.barh(pos, cost, color=np.where(cost >= 0, "C3", "C2"))
    ax_c.axvline(0, color="0.5", lw=0.6)
    ax_c.set_yticks(pos, list(t.index))
    ax_c.set_xlabel(f"net cost per t secured ({cur} thousand/t)")
    ax_c.set_title("Cost (mud: public NPV per discounted t TREO)", fontsize=10)
    return watermark(fig, synthetic)
