"""The vectorised supply projection: mining, processing, demand and cash flow for a batch of draws.

:func:`simulate` computes every quantity for a batch of draws (arrays ``draws × years ×
elements``, a :class:`Paths`); the deterministic case (:func:`seabed.supply.model.project_supply`),
the Monte Carlo, the tornado and the named scenarios (:mod:`seabed.supply.scenarios`) are all
batches of it. Uncertain parameters are arrays of shape ``(draws,)``; ``NaN`` in them means
"use the value of the settings", which lets one batch mix base and varied values.

Examples
--------
>>> import numpy as np
>>> import pandas as pd
>>> from seabed.supply.sequence import read_inventory
>>> inv, _ = read_inventory(pd.DataFrame({"dry_tonnes": [1e8], "Nd": [300.0]}), None)
>>> p = simulate(inv, SupplySettings(), params={"economics.discount_rate": np.array([np.nan, 0.1])}, n=2)
>>> p.discount_rate.tolist() == [SupplySettings().economics.discount_rate.to("1/year").magnitude, 0.1]
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from seabed.config.supply import SupplySettings
from seabed.elements import ELEMENTS, GROUPS
from seabed.supply import economics as econ
from seabed.supply.demand import base_china_shares, disruption_cut, project_demand
from seabed.supply.offset import first_sustained_year
from seabed.supply.processing import oxide_factors, recovery_by_element
from seabed.supply.production import phase_capacity
from seabed.supply.separation import plant_arrays, separate
from seabed.supply.sequence import Inventory, block_order, mine_metal

__all__ = ["GROUP_ITEMS", "Paths", "first_years", "mining_order", "simulate"]

GROUP_ITEMS = ("TREO", "magnet")


@dataclass(frozen=True)
class Paths:
    """Arrays of one batch of draws (D draws, Y years, E elements, I items = E + TREO + magnet).

    Tonnes are dry t per year; oxide quantities t oxide per year; money in the reporting
    currency per year.
    """

    years: np.ndarray
    elements: tuple[str, ...]
    items: tuple[str, ...]
    capacity: np.ndarray  # (D, Y) dry t of mud
    mud: np.ndarray  # (D, Y) dry t delivered
    in_situ: np.ndarray  # (D, Y) recovered in-situ dry t
    remaining: np.ndarray  # (D, Y) at year end
    concentrate: np.ndarray  # (D, Y) dry t fed to leaching
    metal: np.ndarray  # (D, Y, E) t element in mud delivered
    supply: np.ndarray  # (D, Y, I) t oxide
    demand: np.ndarray  # (D, Y, I)
    imports: np.ndarray  # (D, Y, I)
    china: np.ndarray  # (D, Y, I) baseline imports from China
    shortfall: np.ndarray  # (D, Y, I) China imports removed by disruptions
    cash: dict[str, np.ndarray]  # name → (D, Y)
    metrics: dict[str, np.ndarray]  # name → (D,): npv, irr, payback_year, unit_cost, break_even_multiple
    discount_rate: np.ndarray  # (D,) 1/year, the rate the metrics were discounted at
    mine_gate: np.ndarray  # (D, Y, I) t oxide before separation (mine-gate production)
    separated_china: np.ndarray  # (D, Y, I) t oxide separated in China (counts for nothing)
    stockpile: np.ndarray  # (D, Y, I) t oxide-equivalent feed stockpiled at year end


def _model_elements(inventory: Inventory, settings: SupplySettings) -> tuple[str, ...]:
    have = set(inventory.elements) | set(settings.demand.by_element)
    return tuple(e for e in ELEMENTS if e in have)


def _membership(elements: Sequence[str]) -> tuple[tuple[str, ...], np.ndarray]:
    items = (*elements, *GROUP_ITEMS)
    w = np.zeros((len(elements), len(items)))
    for i, e in enumerate(elements):
        w[i, i] = 1.0
        for j, g in enumerate(GROUP_ITEMS):
            if e in GROUPS[g]:
                w[i, len(elements) + j] = 1.0
    return items, w


def _pad(inventory: Inventory, elements: Sequence[str], r: int) -> np.ndarray:
    """Grades (B, E_model) of realisation ``r``, with zero columns for elements absent from the
    inventory (a view when the inventory has exactly the model's elements)."""
    grades = inventory.grades[r]
    if tuple(elements) == tuple(inventory.elements):
        return grades
    out = np.zeros((grades.shape[0], len(elements)))
    for j, e in enumerate(elements):
        if e in inventory.elements:
            out[:, j] = grades[:, inventory.elements.index(e)]
    return out


def _pick(drawn: np.ndarray | None, base: Any, n: int) -> np.ndarray:
    """``drawn`` (D,) where not NaN, else ``base``; broadcast to (D, *base.shape)."""
    base = np.asarray(base, dtype=float)
    out = np.broadcast_to(base, (n, *base.shape)).copy()
    if drawn is not None:
        d = np.asarray(drawn, dtype=float).reshape((n,) + (1,) * base.ndim)
        out = np.where(np.isnan(d), out, d)
    return out


def _value_per_ppm(settings: SupplySettings, elements: Sequence[str]) -> np.ndarray:
    """Recoverable oxide value per t of mud per ppm (currency/t/ppm), base settings."""
    rec = recovery_by_element(elements, settings.processing)[0]
    price = _prices(settings, elements)
    return 1e-6 * rec * oxide_factors(elements) * price


def _prices(settings: SupplySettings, elements: Sequence[str]) -> np.ndarray:
    """Oxide price per t of oxide in the reporting currency, shape (E,)."""
    ec = settings.economics
    return np.array([ec.money(ec.prices[e], "{cur}/t") if e in ec.prices else 0.0 for e in elements])


def simulate(
    inventory: Inventory,
    settings: SupplySettings,
    *,
    params: Mapping[str, np.ndarray] | None = None,
    n: int = 1,
    realisation: np.ndarray | None = None,
    order: np.ndarray | None = None,
) -> Paths:
    """Run the model for a batch of ``n`` draws (vectorised).

    Parameters
    ----------
    inventory : Inventory
        Tonnes (t) and grades (ppm) of R realisations.
    settings : SupplySettings
        Base settings.
    params : mapping name → ndarray (n,), optional
        Values of uncertain parameters (units of ``UNCERTAIN_PARAMETERS``); NaN = base value.
    n : int
        Number of draws.
    realisation : ndarray (n,) of int, optional
        Realisation index of each draw (0 for all by default).
    order : ndarray (B,) of int, optional
        Mining order (block permutation) applied to every realisation; by default the order of
        :func:`mining_order` on realisation 0. The Monte Carlo passes the order chosen on the
        kriged inventory, so that no draw is mined with knowledge of its true grades.

    Returns
    -------
    Paths
    """
    params = dict(params or {})
    years = np.asarray(settings.years)
    ny = years.size
    elements = _model_elements(inventory, settings)
    items, w = _membership(elements)
    plan = settings.plan
    phases = plan.phases

    # --- production capacity (D, P) → (D, Y)
    solids = _pick(params.get("plan.solids_fraction"), float(plan.solids_fraction.to("").magnitude), n)
    start = np.array([p.start_year for p in phases])[None, :]
    delay = _pick(params.get("plan.start_delay"), 0.0, n)[:, None]
    start = start + delay * np.array([p.delayable for p in phases])[None, :]
    duration = np.array([p.duration.to("year").magnitude if p.duration is not None else np.inf for p in phases])
    rate = np.array([p.systems * p.rate_per_system.to("t/day").magnitude for p in phases])[None, :]
    wet = np.array([p.rate_basis == "wet" for p in phases])[None, :]
    rate = rate * np.where(wet, solids[:, None], 1.0) * _pick(params.get("plan.rate_multiplier"), 1.0, n)[:, None]
    days = np.array([p.operating_days.to("day").magnitude for p in phases])
    avail = _pick(params.get("plan.availability"), [p.availability.to("").magnitude for p in phases], n)
    ramps = np.array([p.ramp() for p in phases])
    t_base = ramps[:, 0]
    t_drawn = _pick(params.get("plan.years_to_nameplate"), t_base, n)
    t_nameplate = np.where(t_base[None, :] > 0, t_drawn, 0.0)
    plateau = ramps[None, :, 1]
    duration = np.broadcast_to(duration, start.shape)
    capacity = phase_capacity(
        years, start=start, duration=duration, dry_rate=rate, operating_days=days[None, :],
        availability=avail, years_to_nameplate=t_nameplate, plateau=plateau,
    )
    y0 = years[None, None, :].astype(float)
    overlap = np.maximum(np.minimum(y0 + 1, (start + duration)[..., None]) - np.maximum(y0, start[..., None]), 0)
    running = np.minimum(overlap.sum(axis=1), 1.0)  # fraction of the year any phase runs

    # --- depletion
    rho = _pick(params.get("plan.mining_recovery"), float(plan.mining_recovery.to("").magnitude), n)
    dil = _pick(params.get("plan.dilution"), float(plan.dilution.to("").magnitude), n)
    available = rho * inventory.tonnes.sum()
    cum = np.minimum(np.cumsum(capacity / (1.0 + dil[:, None]), axis=1), available[:, None])
    cum = np.concatenate([np.zeros((n, 1)), cum], axis=1)
    in_situ = np.diff(cum, axis=1)
    mud = in_situ * (1.0 + dil[:, None])
    remaining = available[:, None] - cum[:, 1:]

    # --- mining sequence and metal (loop over realisations, not draws)
    real = np.zeros(n, dtype=int) if realisation is None else np.asarray(realisation, dtype=int)
    if order is None:
        order = mining_order(inventory, settings)
    metal = np.empty((n, ny, len(elements)))
    for r in np.unique(real):
        sel = real == r
        grades = _pad(inventory, elements, r)
        cm = mine_metal(inventory.tonnes[order], grades[order], cum[sel], recovery=rho[sel])
        metal[sel] = np.diff(cm, axis=1)

    # --- processing
    proc = settings.processing
    r_b = _pick(params.get("processing.beneficiation_recovery"), float(proc.beneficiation.recovery.to("").magnitude), n)
    # mine-gate oxide (before separation), then separation: only oxide separated outside China
    # is `supply` (it alone counts toward the import offset)
    pre_sep = recovery_by_element(elements, proc, leach=params.get("processing.leach_recovery"),
                                  separation=np.ones(n), beneficiation=r_b)
    feed = metal * (pre_sep * oxide_factors(elements)[None, :])[:, None, :]
    r_s = _pick(params.get("processing.separation_recovery"), np.array(
        [float(proc.separation_recovery_by_element.get(e, proc.separation_recovery).to("").magnitude)
         for e in elements]), n)
    sep = settings.separation
    plants = plant_arrays(sep, elements, r_s)
    separated = separate(feed, elements, years, capacity=plants["capacity"], start=plants["start"],
                         outside=plants["outside"], recovery=plants["recovery"], china_recovery=r_s,
                         stockpile=sep.surplus == "stockpile")
    oxide = separated.outside_china + separated.in_china  # all separated oxide is sold
    supply = separated.outside_china @ w
    if proc.beneficiation.enabled:
        upgrade = _pick(params.get("processing.upgrade_factor"),
                        float(proc.beneficiation.upgrade_factor.to("").magnitude), n)
        pull = np.minimum(r_b / upgrade, 1.0)
    else:
        pull = np.ones(n)
    concentrate = mud * pull[:, None]

    # --- demand and imports
    dem = settings.demand
    growth = params.get("demand.growth_rate")
    total, imports, _ = project_demand(
        years, elements, dem,
        growth_rate=None if growth is None else _pick(growth, float(dem.growth_rate.to("1/year").magnitude), n),
    )
    china_base = base_china_shares(elements, dem, settings.china.share)
    china = _pick(params.get("demand.china_share"), china_base, n)[:, None, :] * imports
    cut = disruption_cut(years, elements, dem, settings.china.controls)
    shape = (n, ny, len(elements))
    total, imports, china = (np.broadcast_to(a, shape) for a in (total, imports, china))
    shortfall = china * cut[None]

    # --- economics
    ec = settings.economics
    price = _prices(settings, elements) * _pick(params.get("economics.price_multiplier"), 1.0, n)[:, None]
    revenue = np.einsum("dye,de->dy", oxide, price)
    per_t = sum(ec.money(q, "{cur}/t") for q in (ec.lifting_cost, ec.transport_cost, ec.dewatering_cost))
    proc_t = ec.money(ec.processing_cost, "{cur}/t")
    fixed = ec.money(ec.fixed_cost, "{cur}/year")
    # fixed cost runs while a phase runs and the inventory lasts (pro rata in the last year)
    mining_fraction = running * np.divide(mud, capacity, out=np.zeros_like(mud), where=capacity > 0)
    opex_mult = _pick(params.get("economics.opex_multiplier"), 1.0, n)[:, None]
    plant_opex = np.array([ec.money(sep.plants[i].opex, "{cur}/t") for i in plants["order"]])
    opex = opex_mult * (mud * per_t + concentrate * proc_t + fixed * mining_fraction
                        + separated.fed @ plant_opex)
    capex_amount = np.array([ec.money(p.capex, "{cur}") for p in phases])[None, :]
    capex_amount = capex_amount * _pick(params.get("economics.capex_multiplier"), 1.0, n)[:, None]
    spread = np.array([np.ceil(p.capex_years.to("year").magnitude) for p in phases])
    capex = econ.capex_schedule(years, amount=capex_amount, start=start, spread=spread)
    if len(plants["order"]):
        p_amount = np.array([ec.money(sep.plants[i].capex, "{cur}") for i in plants["order"]])[None, :]
        p_amount = p_amount * _pick(params.get("economics.capex_multiplier"), 1.0, n)[:, None]
        p_spread = np.array([np.ceil(sep.plants[i].capex_years.to("year").magnitude) for i in plants["order"]])
        capex = capex + econ.capex_schedule(years, amount=p_amount, start=np.broadcast_to(plants["start"], p_amount.shape),
                                            spread=p_spread)
    royalty = float(ec.royalty.to("").magnitude)
    tax_rate = float(ec.tax_rate.to("").magnitude)
    dep_years = round(ec.depreciation_years.to("year").magnitude)
    discount = _pick(params.get("economics.discount_rate"), float(ec.discount_rate.to("1/year").magnitude), n)
    cash = econ.net_cash_flow(revenue, opex=opex, capex=capex, royalty=royalty, tax_rate=tax_rate,
                              depreciation_years=dep_years)
    cash = {"revenue": revenue, "royalty": cash["royalty"], "opex": opex, "capex": capex,
            "depreciation": cash["depreciation"], "tax": cash["tax"], "net_cash_flow": cash["net_cash_flow"]}
    treo_kg = 1e3 * (oxide @ w)[..., items.index("TREO")]  # separated oxide, in or outside China
    metrics = {
        "npv": econ.npv(cash["net_cash_flow"], discount),
        "irr": econ.irr(cash["net_cash_flow"]),
        "payback_year": econ.payback_year(cash["net_cash_flow"], years),
        "unit_cost": econ.levelised_cost(opex + capex, treo_kg, discount),
        "break_even_multiple": econ.break_even_multiple(
            revenue, opex=opex, capex=capex, royalty=royalty, tax_rate=tax_rate,
            depreciation_years=dep_years, rate=discount),
    }
    return Paths(
        years=years, elements=elements, items=items, capacity=capacity, mud=mud, in_situ=in_situ,
        remaining=remaining, concentrate=concentrate, metal=metal, supply=supply,
        demand=total @ w, imports=imports @ w, china=china @ w, shortfall=shortfall @ w,
        cash=cash, metrics=metrics, discount_rate=discount, mine_gate=feed @ w,
        separated_china=separated.in_china @ w, stockpile=separated.stockpile @ w,
    )


def mining_order(inventory: Inventory, settings: SupplySettings) -> np.ndarray:
    """Block permutation in mining order, chosen on realisation 0 of ``inventory`` (the kriged
    estimate for the deterministic inventory) with the base prices and recoveries."""
    elements = _model_elements(inventory, settings)
    seq = settings.sequence
    return block_order(
        _pad(inventory, elements, 0), elements, order=seq.order, grade_of=seq.grade_of,
        value_per_ppm=_value_per_ppm(settings, elements), order_key=inventory.order_key,
    )


def first_years(supply: np.ndarray, china: np.ndarray, years: np.ndarray, fraction: float,
                sustain_years: int | None = None) -> np.ndarray:
    """(D, I) first year of a *sustained* offset, supply ≥ fraction × China imports from that year on
    (:mod:`seabed.supply.offset`; inf if never; NaN if no imports from China)."""
    hit = (supply >= fraction * china) & (china > 0)
    out = first_sustained_year(hit, years, sustain_years)
    return np.where((china > 0).any(axis=1), out, np.nan)
