"""Uncertainty of the supply projection: Monte Carlo bands, the tornado and the named scenarios.

Each is one batch of :func:`seabed.supply.projection.simulate`: draws of the uncertain
parameters (Monte Carlo), their 10th and 90th percentiles one at a time (tornado), or the
settings of a named scenario.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from seabed.config.supply import SupplySettings
from seabed.progress import report_tasks
from seabed.supply.china import controlled_elements
from seabed.supply.gates import gate_delay_quantile, sample_gate_delay
from seabed.supply.markets import price_factors
from seabed.supply.montecarlo import band, distribution_quantile, sample_parameters
from seabed.supply.offset import coverage, first_years, offset_by_year
from seabed.supply.projection import GROUP_ITEMS, Paths, mining_order, model_elements, simulate
from seabed.supply.sequence import Inventory

__all__ = ["monte_carlo", "scenario_table", "tornado"]


def monte_carlo(base: Inventory, real: Inventory | None, settings: SupplySettings, *, seed: int) -> dict[str, Any]:
    unc = settings.uncertainty
    n = unc.draws
    rng = np.random.default_rng(seed)
    params = sample_parameters(unc.parameters, n, rng)
    inv = real if real is not None else base
    which = rng.integers(inv.n_realisations, size=n) if real is not None else None
    # then the gates (a delay of the first production) and the price levels, in that order
    if unc.gates:
        delay = sample_gate_delay(settings.gates, n, rng)
        params["plan.start_delay"] = np.nan_to_num(params.get("plan.start_delay", np.zeros(n))) + delay
    elements = model_elements(base, settings)
    factor = price_factors(settings.markets, elements, n, rng, len(settings.years)) if unc.prices else None
    # the sequence is chosen once, on the kriged inventory, and every realisation is mined in that
    # order: the operator does not know a realisation's true grades (no perfect-knowledge bias)
    report_tasks("supply Monte Carlo draws", 0, n)  # one vectorised pass over the draws (~1 s for 1,000)
    p = simulate(inv, settings, params=params, n=n, realisation=which, order=mining_order(base, settings),
                 price_factor=factor)
    report_tasks("supply Monte Carlo draws", n, n)
    frac = float(settings.offset.fraction.to("").magnitude)
    sustain = settings.offset.sustain_years
    share = coverage(p.supply, p.china)
    frames = []
    for var, arr in (("supply_t", p.supply), ("share_of_china_imports", share),
                     ("cumulative_supply_t", np.cumsum(p.supply, axis=1))):
        b = band(arr)  # (3, Y, I)
        frames.append(pd.DataFrame({
            "year": np.repeat(p.years, len(p.items)), "item": np.tile(p.items, len(p.years)),
            "variable": var, "p10": b[0].ravel(), "p50": b[1].ravel(), "p90": b[2].ravel(),
        }))
    bands = pd.concat(frames, ignore_index=True)
    has = (p.china > 0).any(axis=(0, 1))
    # P(sustainably offset by y): monotone in y (seabed.supply.offset)
    first = {f: first_years(p.supply, p.china, p.years, f, sustain) for f in {1.0, frac}}  # (D, I) each
    prob = offset_by_year(first[1.0], p.years)
    prob = np.where(has[None, :], prob, np.nan)
    offset_probability = pd.DataFrame(prob, index=pd.Index(p.years, name="year"), columns=list(p.items))
    rows = {}
    for name, v in p.metrics.items():
        b = band(v, skip_nan=True)
        rows[name] = {"p10": b[0], "p50": b[1], "p90": b[2], "mean": float(np.nanmean(v)) if np.isfinite(v).any() else np.nan}
    for f, label in ((1.0, "offset_year"), (frac, f"offset_year_{frac:g}")):
        years = first[f]
        for j, item in enumerate(p.items):
            y = years[:, j]
            if np.isnan(y).all():
                continue
            pct = np.percentile(y, [10, 50, 90], method="inverted_cdf")
            rows[f"{label}_{item}"] = {"p10": pct[0], "p50": pct[1], "p90": pct[2],
                                       "mean": float(np.isfinite(y).mean())}
    # the first-production year of the gates (phases without a start of their own), as drawn
    start = settings.gates.first_production() + np.nan_to_num(params.get("plan.start_delay", np.zeros(n)))
    pct = np.percentile(start, [10, 50, 90])
    rows["first_production_year"] = {"p10": pct[0], "p50": pct[1], "p90": pct[2], "mean": float(start.mean())}
    mc = pd.DataFrame.from_dict(rows, orient="index")
    mc.index.name = "metric"
    mc.attrs["note"] = ("offset_year rows: first year of a sustained offset; 'mean' is the probability of a "
                        "sustained offset within the horizon; inf = never")
    return {"bands": bands, "offset_probability": offset_probability, "monte_carlo": mc, "draws": p}


#: Tornado rows that are not a declared parameter: the resource realisations and the project gates.
REALISATIONS = "resource.grade_realisation"
GATES = "gates.first_production_delay"


def tornado(base: Inventory, settings: SupplySettings, real: Inventory | None = None) -> pd.DataFrame:
    """One-at-a-time swings: each declared parameter at its P10 and P90 (others at base), the gates' delay at
    its P10 and P90 (with ``uncertainty.gates``), and the resource realisations whose recoverable value is at
    the P10 and P90 of the realisations (with ``real``); metrics: first sustained offset year of
    ``offset.item`` and of each controlled element, NPV.
    """
    unc = settings.uncertainty
    names = sorted(unc.parameters)
    lows, highs = {}, {}
    for name in names:
        lows[name] = distribution_quantile(unc.parameters[name], 0.1, name=name)
        highs[name] = distribution_quantile(unc.parameters[name], 0.9, name=name)
    if unc.gates and gate_delay_quantile(settings.gates, 0.9) > 0 and "plan.start_delay" not in unc.parameters:
        names.append(GATES)
        lows[GATES], highs[GATES] = gate_delay_quantile(settings.gates, 0.1), gate_delay_quantile(settings.gates, 0.9)
    n = 2 * len(names) + 1
    params = {name: np.full(n, np.nan) for name in names if name != GATES}
    for i, name in enumerate(names):
        key = "plan.start_delay" if name == GATES else name
        params.setdefault(key, np.full(n, np.nan))
        params[key][2 * i + 1], params[key][2 * i + 2] = lows[name], highs[name]
    p = simulate(base, settings, params=params, n=n)
    results = {"base": _tornado_metrics(p, settings)}
    rows = [(name, lows[name], highs[name], 2 * i + 1, 2 * i + 2, "base") for i, name in enumerate(names)]
    if real is not None and real.n_realisations > 1:
        order = mining_order(base, settings)
        value = _realisation_values(real, settings)  # USD
        pick = [int(np.argsort(value)[int(np.floor(q * (len(value) - 1)))]) for q in (0.1, 0.9)]
        pr = simulate(real, settings, n=2, realisation=np.array(pick), order=order)
        results["real"] = _tornado_metrics(pr, settings)
        rows.append((REALISATIONS, float(pick[0]), float(pick[1]), 0, 1, "real"))
    out = []
    for metric in results["base"]:
        base_value = results["base"][metric][0]
        for name, lo_v, hi_v, i_lo, i_hi, src in rows:
            lo, hi = results[src][metric][i_lo], results[src][metric][i_hi]
            out.append({
                "metric": metric, "parameter": name, "unit": _unit_of(name),
                "low_value": lo_v, "high_value": hi_v,
                "base": base_value, "at_low": lo, "at_high": hi,
                "swing": abs(hi - lo) if np.isfinite(hi) and np.isfinite(lo) else np.inf,
            })
    table = pd.DataFrame(out)
    return table.sort_values(["metric", "swing"], ascending=[True, False], ignore_index=True)


def _realisation_values(inv: Inventory, settings: SupplySettings) -> np.ndarray:
    """Recoverable value of each realisation's blocks at base prices and recoveries, Σ tonnes × value per t."""
    from seabed.supply.projection import _pad, _value_per_ppm, model_elements

    elements = model_elements(inv, settings)
    per_ppm = _value_per_ppm(settings, elements)  # the prices once, not per realisation
    return np.array([inv.tonnes @ (_pad(inv, elements, r) @ per_ppm) for r in range(inv.n_realisations)])


def _tornado_metrics(p: Paths, settings: SupplySettings) -> dict[str, np.ndarray]:
    sustain = settings.offset.sustain_years
    first = first_years(p.supply, p.china, p.years, 1.0, sustain)
    out = {f"offset_year_{settings.offset.item}": first[:, p.items.index(settings.offset.item)]}
    chosen = settings.offset.elements or controlled_elements(settings.china.controls, settings.end_year)
    for e in (e for e in p.elements if e in chosen and e in settings.demand.by_element):
        out[f"offset_year_{e}"] = first[:, p.items.index(e)]
    out["npv"] = p.metrics["npv"]
    return out


def _unit_of(name: str) -> str:
    from seabed.config.supply_uncertainty import UNCERTAIN_PARAMETERS

    if name == GATES:
        return "year"
    if name == REALISATIONS:
        return "realisation index"
    return UNCERTAIN_PARAMETERS[name][1] or "1"


def scenario_table(base: Inventory, settings: SupplySettings, det: Paths) -> pd.DataFrame:
    cols = {"base": _scenario_metrics(det, settings)}
    for name in settings.scenarios:
        s = settings.scenario(name)
        cols[name] = _scenario_metrics(simulate(base, s), s)
    out = pd.DataFrame(cols)
    out.index.name = "metric"
    return out


def _scenario_metrics(p: Paths, settings: SupplySettings) -> dict[str, float]:
    cur = settings.economics.currency
    frac = float(settings.offset.fraction.to("").magnitude)
    out: dict[str, float] = {
        "mud_mined_Mt": p.mud[0].sum() / 1e6,
        "treo_mine_gate_t": p.mine_gate[0][:, p.items.index("TREO")].sum(),
        "treo_supplied_t": p.supply[0][:, p.items.index("TREO")].sum(),  # separated outside China
        "treo_separated_in_china_t": p.separated_china[0][:, p.items.index("TREO")].sum(),
    }
    sustain = settings.offset.sustain_years
    first = first_years(p.supply, p.china, p.years, 1.0, sustain)[0]
    part = first_years(p.supply, p.china, p.years, frac, sustain)[0]
    for item in GROUP_ITEMS + (settings.offset.item,):
        j = p.items.index(item)
        out[f"first_offset_year_{item}"] = first[j]
        out[f"first_offset_year_{frac:g}_{item}"] = part[j]
    # the per-element answer: first sustained-offset year of each controlled element (NaN: no imports
    # from China; inf: not within the horizon)
    chosen = settings.offset.elements or controlled_elements(settings.china.controls, settings.end_year)
    for e in (e for e in p.elements if e in chosen):
        out[f"first_offset_year_{e}"] = first[p.items.index(e)]
    controlled = [p.items.index(e) for e in p.elements if e in chosen]
    # a disruption's shortfall, and how much of it the supply separated outside China covers (NaN: none)
    gap = p.shortfall[0][:, controlled].sum()
    out["shortfall_controlled_t"] = gap
    out["share_of_shortfall_covered_controlled"] = (
        np.minimum(p.supply[0][:, controlled], p.shortfall[0][:, controlled]).sum() / gap if gap > 0 else np.nan)
    # realised price of the controlled oxides sold (revenue / t sold, after market limits and premiums)
    ctrl_e = [p.elements.index(e) for e in p.elements if e in chosen]
    sold = (p.supply[0][:, controlled] + p.separated_china[0][:, controlled]).sum()
    out[f"realised_price_controlled_{cur}_per_kg"] = (
        p.revenue[0][:, ctrl_e].sum() / (1e3 * sold) if sold > 0 else np.nan)
    revenue = p.revenue[0].sum()
    for e in ("Sc", "Y"):
        if e in p.elements:
            out[f"revenue_share_{e}"] = p.revenue[0][:, p.elements.index(e)].sum() / revenue if revenue > 0 else np.nan
    out[f"npv_{cur}"] = p.metrics["npv"][0]
    out[f"npv_public_{cur}"] = p.metrics["npv_public"][0]
    out["irr_per_year"] = p.metrics["irr"][0]
    out["payback_year"] = p.metrics["payback_year"][0]
    out[f"unit_cost_{cur}_per_kg_TREO"] = p.metrics["unit_cost"][0]
    out["break_even_price_multiple"] = p.metrics["break_even_multiple"][0]
    return out
