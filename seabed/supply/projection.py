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
from seabed.supply.markets import market_sizes, revenue_by_element
from seabed.supply.processing import oxide_factors, recovery_by_element
from seabed.supply.production import phase_capacity
from seabed.supply.separation import plant_arrays, separate
from seabed.supply.sequence import Inventory, block_order, mine_metal

__all__ = ["GROUP_ITEMS", "Paths", "mining_order", "model_elements", "simulate"]

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
    metrics: dict[str, np.ndarray]  # name → (D,): npv, npv_public, irr, payback_year, unit_cost, break_even_multiple
    discount_rate: np.ndarray  # (D,) 1/year, the rate the metrics were discounted at
    mine_gate: np.ndarray  # (D, Y, I) t oxide before separation (mine-gate production)
    separated_china: np.ndarray  # (D, Y, I) t oxide separated in China (counts for nothing)
    stockpile: np.ndarray  # (D, Y, I) t oxide-equivalent feed stockpiled at year end
    revenue: np.ndarray  # (D, Y, E) revenue per element, currency per year (after market limits)
    price: np.ndarray  # (D, E) or (D, Y, E) base price × draw factors, currency per t oxide
    cut: np.ndarray  # (Y, E) fraction of imports from China cut by disruptions


def model_elements(inventory: Inventory, settings: SupplySettings) -> tuple[str, ...]:
    """The modelled elements: those of the inventory or the demand table, in :data:`ELEMENTS` order."""
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
    price_factor: np.ndarray | None = None,
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
    price_factor : ndarray (n, E) or (n, Y, E), optional
        Price factor of each draw (and year) and modelled element (median 1;
        :func:`seabed.supply.markets.price_factors`).

    Returns
    -------
    Paths
    """
    params = dict(params or {})
    years = np.asarray(settings.years)
    ny = years.size
    elements = model_elements(inventory, settings)
    items, w = _membership(elements)
    plan = settings.plan
    phases = plan.phases

    # --- production capacity (D, P) → (D, Y)
    solids = _pick(params.get("plan.solids_fraction"), float(plan.solids_fraction.to("").magnitude), n)
    start = np.array([settings.phase_start(i) for i in range(len(phases))])[None, :]
    delay = _pick(params.get("plan.start_delay"), 0.0, n)[:, None]
    start = start + delay * np.array([p.delayable for p in phases])[None, :]
    duration = np.array([p.duration.to("year").magnitude if p.duration is not None else np.inf for p in phases])
    rate = np.array([p.systems * p.rate_per_system.to("t/day").magnitude for p in phases])[None, :]
    # wet/dry basis: dry = wet × solids; an 'unknown' basis weighs the two readings
    w_dry = _pick(params.get("plan.dry_basis_weight"), float(plan.dry_basis_weight.to("").magnitude), n)[:, None]
    basis = np.array([p.rate_basis for p in phases])[None, :]
    s_ = solids[:, None]
    rate = rate * np.where(basis == "wet", s_, np.where(basis == "unknown", s_ + w_dry * (1.0 - s_), 1.0))
    rate = rate * _pick(params.get("plan.rate_multiplier"), 1.0, n)[:, None]
    days = np.array([p.operating_days.to("day").magnitude for p in phases])
    avail = _pick(params.get("plan.availability"), [p.availability.to("").magnitude for p in phases], n)
    t_base, plateau = _ramps(phases, params.get("plan.ramp_up_category"), n)
    drawn = params.get("plan.years_to_nameplate")
    t_drawn = t_base if drawn is None else np.where(np.isnan(drawn)[:, None], t_base, np.asarray(drawn)[:, None])
    t_nameplate = np.where(t_base > 0, t_drawn, 0.0)
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
    plants = plant_arrays(sep, elements, r_s, [settings.plant_start(i) for i in range(len(sep.plants))])
    p_start = plants["start"][None, :] + delay * plants["delayable"][None, :]  # (D, P)
    p_capacity = plants["capacity"][None] * _pick(params.get("separation.capacity_multiplier"), 1.0, n)[:, None, None]
    separated = separate(feed, elements, years, capacity=p_capacity, start=p_start,
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
    total, imports, china = project_demand(
        years, elements, dem,
        growth_rate=None if growth is None else _pick(growth, float(dem.growth_rate.to("1/year").magnitude), n),
        china_share=_pick(params.get("demand.china_share"), base_china_shares(elements, dem, settings.china.share), n),
    )
    cut = disruption_cut(years, elements, dem, settings.china.controls)
    shape = (n, ny, len(elements))
    total, imports, china = (np.broadcast_to(a, shape) for a in (total, imports, china))
    shortfall = china * cut[None]

    # --- economics
    ec = settings.economics
    price = _prices(settings, elements) * _pick(params.get("economics.price_multiplier"), 1.0, n)[:, None]
    if price_factor is not None:
        price = price * price_factor if price_factor.ndim == 2 else price[:, None, :] * price_factor
    rev_e = revenue_by_element(separated.outside_china, separated.in_china, price,
                               size=market_sizes(settings.markets, elements), markets=settings.markets, cut=cut)
    revenue = rev_e.sum(axis=2)
    per_t = sum(ec.money(q, "{cur}/t") for q in (ec.lifting_cost, ec.transport_cost, ec.dewatering_cost))
    proc_t = ec.money(ec.processing_cost, "{cur}/t")
    fixed = ec.money(ec.fixed_cost, "{cur}/year")
    # fixed cost runs while a phase runs and the inventory lasts (pro rata in the last year)
    mining_fraction = running * np.divide(mud, capacity, out=np.zeros_like(mud), where=capacity > 0)
    opex_mult = _pick(params.get("economics.opex_multiplier"), 1.0, n)[:, None]
    plant_opex = np.array([ec.money(sep.plants[i].opex, "{cur}/t") for i in plants["order"]])
    opex = opex_mult * (mud * per_t + concentrate * proc_t + fixed * mining_fraction
                        + separated.fed @ plant_opex)
    capex_amount = _phase_capex(phases, ec, rate / solids[:, None] * days[None, :])  # wet nameplate t/yr
    capex_mult = _pick(params.get("economics.capex_multiplier"), 1.0, n)[:, None]
    capex_amount = capex_amount * capex_mult
    spread = np.array([np.ceil(p.capex_years.to("year").magnitude) for p in phases])
    capex = econ.capex_schedule(years, amount=capex_amount, start=start, spread=spread)
    if len(plants["order"]):
        p_amount = np.array([ec.money(sep.plants[i].capex, "{cur}") for i in plants["order"]])[None, :]
        p_amount = p_amount * capex_mult
        p_spread = np.array([np.ceil(sep.plants[i].capex_years.to("year").magnitude) for i in plants["order"]])
        capex = capex + econ.capex_schedule(years, amount=p_amount, start=p_start, spread=p_spread)
        capex_amount = np.concatenate([capex_amount, p_amount], axis=1)
    # each phase and plant sustains its own capex while it runs (a plant only while there is mud)
    run_p = np.clip(years[None, None, :] + 1.0 - p_start[..., None], 0.0, 1.0)  # (D, P_plants, Y)
    active = np.concatenate([np.minimum(overlap, 1.0), run_p], axis=1)
    exhaust = np.divide(mud, capacity, out=np.zeros_like(mud), where=capacity > 0)
    sustaining, closure = _later_capex(ec, capex_amount, active * exhaust[:, None, :], mud)
    royalty = float(ec.royalty.to("").magnitude)
    tax_rate = float(ec.tax_rate.to("").magnitude)
    dep_years = round(ec.depreciation_years.to("year").magnitude)
    discount = _pick(params.get("economics.discount_rate"), float(ec.discount_rate.to("1/year").magnitude), n)
    all_capex = capex + sustaining + closure
    finance = {"working_capital": float(ec.working_capital.to("").magnitude), "carry_forward": ec.loss_carry_forward}
    cf = econ.net_cash_flow(revenue, opex=opex, capex=all_capex, royalty=royalty, tax_rate=tax_rate,
                            depreciation_years=dep_years, **finance)
    cash = {"revenue": revenue, "royalty": cf["royalty"], "opex": opex, "capex": capex, "sustaining_capex": sustaining,
            "closure": closure, "working_capital": cf["working_capital"], "depreciation": cf["depreciation"],
            "tax": cf["tax"], "net_cash_flow": cf["net_cash_flow"]}
    treo_kg = 1e3 * (oxide @ w)[..., items.index("TREO")]  # separated oxide, in or outside China
    public_rate = np.full(n, float(ec.public_discount_rate.to("1/year").magnitude))
    metrics = {
        "npv": econ.npv(cash["net_cash_flow"], discount),
        # public view: tax is a transfer within the public sector, so the pre-tax flow at the public rate
        "npv_public": econ.npv(cash["net_cash_flow"] + cash["tax"], public_rate),
        "irr": econ.irr(cash["net_cash_flow"]),
        "payback_year": econ.payback_year(cash["net_cash_flow"], years),
        "unit_cost": econ.levelised_cost(opex + all_capex, treo_kg, discount),
        "break_even_multiple": econ.break_even_multiple(
            revenue, opex=opex, capex=all_capex, royalty=royalty, tax_rate=tax_rate,
            depreciation_years=dep_years, rate=discount, **finance),
    }
    return Paths(
        years=years, elements=elements, items=items, capacity=capacity, mud=mud, in_situ=in_situ,
        remaining=remaining, concentrate=concentrate, metal=metal, supply=supply,
        demand=total @ w, imports=imports @ w, china=china @ w, shortfall=shortfall @ w,
        cash=cash, metrics=metrics, discount_rate=discount, mine_gate=feed @ w,
        separated_china=separated.in_china @ w, stockpile=separated.stockpile @ w,
        revenue=rev_e, price=price, cut=cut,
    )


def _ramps(phases: Sequence[Any], category: np.ndarray | None, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Years to nameplate and plateau per draw and phase, (D, P) each: the phases' own, or the preset of the
    drawn McNulty ``category`` (rounded) for phases with a ramp-up category > 0 and no explicit override."""
    base = np.array([p.ramp() for p in phases])
    t = np.broadcast_to(base[:, 0], (n, len(phases))).copy()
    plateau = np.broadcast_to(base[:, 1], (n, len(phases))).copy()
    if category is None:
        return t, plateau
    cat = np.asarray(category, dtype=float)
    for j, p in enumerate(phases):
        if p.ramp_up_category == 0 or p.years_to_nameplate is not None or p.plateau is not None:
            continue
        for c in (1, 2, 3, 4):
            sel = ~np.isnan(cat) & (np.clip(np.round(np.nan_to_num(cat)), 1, 4) == c)
            t[sel, j], plateau[sel, j] = p.ramp(c)
    return t, plateau


def _phase_capex(phases: Sequence[Any], ec: Any, wet_nameplate: np.ndarray) -> np.ndarray:
    """Initial capex per draw and phase (D, P): the phase's own plus its analogue scaled by wet mass."""
    own = np.array([ec.money(p.capex, "{cur}") for p in phases])[None, :]
    scaled = np.zeros_like(wet_nameplate)
    for j, p in enumerate(phases):
        if p.capex_analogue is not None:
            scaled[:, j] = econ.scaled_capex(ec.money(p.capex_analogue, "{cur}"), wet_nameplate[:, j],
                                             float(p.capex_analogue_rate.to("t/year").magnitude), p.capex_exponent)
    return own + scaled


def _later_capex(ec: Any, initial: np.ndarray, active: np.ndarray,
                 mud: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sustaining capex (a fraction of each phase's and plant's initial capex per year it runs and mines,
    ``initial`` (D, P), ``active`` (D, P, Y)) and closure (a fraction of all initial capex the year after
    mining ends; the last modelled year if mining runs to the end), (D, Y) each."""
    sustaining = float(ec.sustaining_capex.to("").magnitude) * np.einsum("dp,dpy->dy", initial, active)
    initial = initial.sum(axis=1)
    closure = np.zeros_like(mud)
    mined = mud > 0
    if mined.any():
        last = mud.shape[1] - 1 - np.argmax(mined[:, ::-1], axis=1)
        at = np.minimum(last + 1, mud.shape[1] - 1)
        rows = np.flatnonzero(mined.any(axis=1))
        closure[rows, at[rows]] = float(ec.closure_cost.to("").magnitude) * initial[rows]
    return sustaining, closure


def mining_order(inventory: Inventory, settings: SupplySettings) -> np.ndarray:
    """Block permutation in mining order, chosen on realisation 0 of ``inventory`` (the kriged
    estimate for the deterministic inventory) with the base prices and recoveries."""
    elements = model_elements(inventory, settings)
    seq = settings.sequence
    return block_order(
        _pad(inventory, elements, 0), elements, order=seq.order, grade_of=seq.grade_of,
        value_per_ppm=_value_per_ppm(settings, elements), order_key=inventory.order_key,
    )

