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
from seabed.supply.china import controlled_elements
from seabed.supply.montecarlo import band, distribution_quantile, sample_parameters
from seabed.supply.offset import coverage, offset_by_year
from seabed.supply.projection import GROUP_ITEMS, Paths, first_years, mining_order, simulate
from seabed.supply.sequence import Inventory

__all__ = ["monte_carlo", "scenario_table", "tornado"]


def monte_carlo(base: Inventory, real: Inventory | None, settings: SupplySettings, *, seed: int) -> dict[str, Any]:
    unc = settings.uncertainty
    n = unc.draws
    rng = np.random.default_rng(seed)
    params = sample_parameters(unc.parameters, n, rng)
    inv = real if real is not None else base
    which = rng.integers(inv.n_realisations, size=n) if real is not None else None
    # the sequence is chosen once, on the kriged inventory, and every realisation is mined in that
    # order: the operator does not know a realisation's true grades (no perfect-knowledge bias)
    p = simulate(inv, settings, params=params, n=n, realisation=which, order=mining_order(base, settings))
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
    mc = pd.DataFrame.from_dict(rows, orient="index")
    mc.index.name = "metric"
    mc.attrs["note"] = ("offset_year rows: first year of a sustained offset; 'mean' is the probability of a "
                        "sustained offset within the horizon; inf = never")
    return {"bands": bands, "offset_probability": offset_probability, "monte_carlo": mc, "draws": p}


def tornado(base: Inventory, settings: SupplySettings) -> pd.DataFrame:
    unc = settings.uncertainty
    names = sorted(unc.parameters)
    n = 2 * len(names) + 1
    params = {name: np.full(n, np.nan) for name in names}
    lows, highs = {}, {}
    for i, name in enumerate(names):
        lows[name] = distribution_quantile(unc.parameters[name], 0.1, name=name)
        highs[name] = distribution_quantile(unc.parameters[name], 0.9, name=name)
        params[name][2 * i + 1] = lows[name]
        params[name][2 * i + 2] = highs[name]
    p = simulate(base, settings, params=params, n=n)
    item = settings.offset.item
    off = first_years(p.supply, p.china, p.years, 1.0, settings.offset.sustain_years)[:, p.items.index(item)]
    rows = []
    for metric, v in ((f"offset_year_{item}", off), ("npv", p.metrics["npv"])):
        for i, name in enumerate(names):
            lo, hi = v[2 * i + 1], v[2 * i + 2]
            rows.append({
                "metric": metric, "parameter": name, "unit": _unit_of(name),
                "low_value": lows[name], "high_value": highs[name],
                "base": v[0], "at_low": lo, "at_high": hi,
                "swing": abs(hi - lo) if np.isfinite(hi) and np.isfinite(lo) else np.inf,
            })
    out = pd.DataFrame(rows)
    return out.sort_values(["metric", "swing"], ascending=[True, False], ignore_index=True)


def _unit_of(name: str) -> str:
    from seabed.config.supply_uncertainty import UNCERTAIN_PARAMETERS

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
    out[f"npv_{cur}"] = p.metrics["npv"][0]
    out["irr_per_year"] = p.metrics["irr"][0]
    out["payback_year"] = p.metrics["payback_year"][0]
    out[f"unit_cost_{cur}_per_kg_TREO"] = p.metrics["unit_cost"][0]
    out["break_even_price_multiple"] = p.metrics["break_even_multiple"][0]
    return out
