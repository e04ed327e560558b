"""The supply model: from a mining inventory to yearly supply, offsets and cash flows.

:func:`project_supply` is what the pipeline calls. Internally one vectorised function,
:func:`simulate`, computes every quantity for a batch of draws (arrays ``draws × years ×
elements``); the deterministic case, Monte Carlo, the tornado and the named scenarios are all
batches of it. Uncertain parameters are arrays of shape ``(draws,)``; ``NaN`` in them means
"use the value of the settings", which lets one batch mix base and varied values.

Examples
--------
>>> import pandas as pd
>>> inv = pd.DataFrame({"dry_tonnes": [1e8, 1e8], "Nd": [300.0, 200.0], "Dy": [40.0, 30.0]})
>>> settings = SupplySettings(uncertainty={"draws": 0, "tornado": False})
>>> result = project_supply(inv, settings, seed=1)
>>> int(result.production.loc[2030, "Nd"])
0
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pint

from seabed.elements import ELEMENTS, GROUPS
from seabed.supply import economics as econ
from seabed.supply.demand import disruption_cut, project_demand
from seabed.supply.montecarlo import band, distribution_quantile, offset_year, sample_parameters
from seabed.supply.processing import oxide_factors, recovery_by_element
from seabed.supply.production import phase_capacity
from seabed.supply.sequence import Inventory, block_order, mine_metal, read_inventory
from seabed.supply.settings import SupplySettings, parse_supply_settings
from seabed.units import Quantity

__all__ = ["Paths", "SupplyResult", "project_supply", "simulate"]

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
    metrics: dict[str, np.ndarray]  # name → (D,)


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
    value = _value_per_ppm(settings, elements)
    seq = settings.sequence
    metal = np.empty((n, ny, len(elements)))
    for r in np.unique(real):
        sel = real == r
        grades = _pad(inventory, elements, r)
        order = block_order(
            grades, elements, order=seq.order, grade_of=seq.grade_of,
            value_per_ppm=value, order_key=inventory.order_key,
        )
        cm = mine_metal(inventory.tonnes[order], grades[order], cum[sel], recovery=rho[sel])
        metal[sel] = np.diff(cm, axis=1)

    # --- processing
    proc = settings.processing
    recovery = recovery_by_element(
        elements, proc,
        leach=params.get("processing.leach_recovery"),
        separation=params.get("processing.separation_recovery"),
        beneficiation=_pick(params.get("processing.beneficiation_recovery"),
                            float(proc.beneficiation.recovery.to("").magnitude), n),
    )
    oxide = metal * (recovery * oxide_factors(elements)[None, :])[:, None, :]
    supply = oxide @ w
    if proc.beneficiation.enabled:
        upgrade = _pick(params.get("processing.upgrade_factor"),
                        float(proc.beneficiation.upgrade_factor.to("").magnitude), n)
        r_b = _pick(params.get("processing.beneficiation_recovery"),
                    float(proc.beneficiation.recovery.to("").magnitude), n)
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
    china = _pick(params.get("demand.china_share"), _china_share_base(dem, elements), n)[:, None, :] * imports
    cut = disruption_cut(years, elements, dem)
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
    opex = opex_mult * (mud * per_t + concentrate * proc_t + fixed * mining_fraction)
    capex_amount = np.array([ec.money(p.capex, "{cur}") for p in phases])[None, :]
    capex_amount = capex_amount * _pick(params.get("economics.capex_multiplier"), 1.0, n)[:, None]
    spread = np.array([np.ceil(p.capex_years.to("year").magnitude) for p in phases])
    capex = econ.capex_schedule(years, amount=capex_amount, start=start, spread=spread)
    royalty = float(ec.royalty.to("").magnitude)
    tax_rate = float(ec.tax_rate.to("").magnitude)
    dep_years = round(ec.depreciation_years.to("year").magnitude)
    rate = _pick(params.get("economics.discount_rate"), float(ec.discount_rate.to("1/year").magnitude), n)
    cash = econ.net_cash_flow(revenue, opex=opex, capex=capex, royalty=royalty, tax_rate=tax_rate,
                              depreciation_years=dep_years)
    cash = {"revenue": revenue, "royalty": cash["royalty"], "opex": opex, "capex": capex,
            "depreciation": cash["depreciation"], "tax": cash["tax"], "net_cash_flow": cash["net_cash_flow"]}
    treo_kg = 1e3 * supply[..., items.index("TREO")]
    metrics = {
        "npv": econ.npv(cash["net_cash_flow"], rate),
        "irr": econ.irr(cash["net_cash_flow"]),
        "payback_year": econ.payback_year(cash["net_cash_flow"], years),
        "unit_cost": econ.levelised_cost(opex + capex, treo_kg, rate),
        "break_even_multiple": econ.break_even_multiple(
            revenue, opex=opex, capex=capex, royalty=royalty, tax_rate=tax_rate,
            depreciation_years=dep_years, rate=rate),
        "discount_rate": rate,
    }
    return Paths(
        years=years, elements=elements, items=items, capacity=capacity, mud=mud, in_situ=in_situ,
        remaining=remaining, concentrate=concentrate, metal=metal, supply=supply,
        demand=total @ w, imports=imports @ w, china=china @ w, shortfall=shortfall @ w,
        cash=cash, metrics=metrics,
    )


def _china_share_base(dem: Any, elements: Sequence[str]) -> np.ndarray:
    return np.array([float(dem.china_share_by_element.get(e, dem.china_share).to("").magnitude) for e in elements])


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class SupplyResult:
    """Everything :func:`project_supply` computes.

    Attributes
    ----------
    settings : SupplySettings
    mining : DataFrame
        Index year; dry t per year of capacity, mud, wet-mud equivalent (mud / solids_fraction),
        in-situ ore, concentrate, and the
        recovered in-situ t remaining at year end.
    head_grade : DataFrame
        Index year; columns elements; grade of the mud delivered, ppm (NaN when not mining).
    production : DataFrame
        Index year; columns elements, TREO, magnet; t oxide per year.
    demand : DataFrame
        Long table (year, item): demand, imports, baseline imports from China, imports from
        China after disruptions, shortfall; t oxide per year.
    offset : DataFrame
        Long table (year, item): supply and cumulative supply (t oxide), shares of demand,
        imports, imports from China and of the shortfall, and the offset flags.
    offset_years : DataFrame
        Index item: first year supply ≥ imports from China and ≥ the chosen fraction of them.
    cash_flow : DataFrame
        Index year; revenue, royalty, opex, capex, depreciation, tax, net, discounted and
        cumulative cash flow, in the reporting currency per year (``attrs["units"]``).
    summary : dict
        Headline numbers (pint quantities, years as int or None).
    bands : DataFrame
        Long table (year, item, variable) with p10, p50, p90 of the Monte Carlo draws.
    offset_probability : DataFrame
        Index year; columns items; share of draws with supply ≥ imports from China.
    monte_carlo : DataFrame
        Index metric; columns p10, p50, p90, mean of NPV, IRR, payback, unit cost, break-even
        multiple and offset years.
    tornado : DataFrame
        One row per (parameter, metric): base, low/high parameter values and results.
    scenarios : DataFrame
        Index metric; one column per scenario ("base" first).
    """

    settings: SupplySettings
    mining: pd.DataFrame
    head_grade: pd.DataFrame
    production: pd.DataFrame
    demand: pd.DataFrame
    offset: pd.DataFrame
    offset_years: pd.DataFrame
    cash_flow: pd.DataFrame
    summary: dict[str, Any]
    bands: pd.DataFrame = field(default_factory=pd.DataFrame)
    offset_probability: pd.DataFrame = field(default_factory=pd.DataFrame)
    monte_carlo: pd.DataFrame = field(default_factory=pd.DataFrame)
    tornado: pd.DataFrame = field(default_factory=pd.DataFrame)
    scenarios: pd.DataFrame = field(default_factory=pd.DataFrame)

    def summary_table(self) -> pd.DataFrame:
        """The summary as a two-column table of strings (name, value with units)."""
        rows = [(k, "—" if v is None else (f"{v:.4g~}" if isinstance(v, pint.Quantity) else str(v)))
                for k, v in self.summary.items()]
        return pd.DataFrame(rows, columns=["quantity", "value"])


def project_supply(
    inventory: pd.DataFrame,
    settings: SupplySettings | Mapping[str, Any] | None,
    *,
    seed: int,
    realisations: Sequence[pd.DataFrame] | np.ndarray | None = None,
) -> SupplyResult:
    """Project domestic REY supply, Japan's import offset and the project cash flow.

    Parameters
    ----------
    inventory : DataFrame
        Mining inventory: ``dry_tonnes`` (t) and grade columns per element (ppm); one row per
        mineable block. Extra columns are ignored.
    settings : SupplySettings or mapping
        The ``[supply]`` configuration (a mapping is validated; errors raise ConfigError).
    seed : int
        Seed of the :class:`numpy.random.Generator` for Monte Carlo draws.
    realisations : list of DataFrame or ndarray (R, B, E), optional
        Conditional-simulation grades of the same blocks (ppm); each Monte Carlo draw uses one,
        picked uniformly at random. The deterministic tables always use ``inventory``.

    Returns
    -------
    SupplyResult

    Raises
    ------
    ConfigError, InputDataError
        Invalid settings or inventory.
    """
    if not isinstance(settings, SupplySettings):
        settings = parse_supply_settings(settings)
    base_inv, real_inv = read_inventory(inventory, realisations, order_column=settings.sequence.order_column)
    det = simulate(base_inv, settings)
    tables = _tables(det, settings)
    summary = _summary(det, settings, tables["offset_years"])
    out: dict[str, Any] = {}
    unc = settings.uncertainty
    if unc.draws > 0:
        out.update(_monte_carlo(base_inv, real_inv, settings, seed=seed))
    if unc.tornado and unc.parameters:
        out["tornado"] = _tornado(base_inv, settings)
    out["scenarios"] = _scenario_table(base_inv, settings, det)
    return SupplyResult(settings=settings, summary=summary, **tables, **out)


def _first_years(supply: np.ndarray, china: np.ndarray, years: np.ndarray, fraction: float) -> np.ndarray:
    """(D, I) first year supply ≥ fraction × China imports (inf if never; NaN if no imports)."""
    hit = (supply >= fraction * china) & (china > 0)
    out = offset_year(hit, years)
    return np.where((china > 0).any(axis=1), out, np.nan)


def _tables(p: Paths, settings: SupplySettings) -> dict[str, pd.DataFrame]:
    years = pd.Index(p.years, name="year")
    solids = float(settings.plan.solids_fraction.to("").magnitude)
    mining = pd.DataFrame(
        {
            "capacity_dry_t": p.capacity[0], "mud_dry_t": p.mud[0], "mud_wet_t": p.mud[0] / solids,
            "in_situ_dry_t": p.in_situ[0], "concentrate_dry_t": p.concentrate[0],
            "remaining_dry_t": p.remaining[0],
        },
        index=years,
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        grade = np.where(p.mud[0][:, None] > 0, 1e6 * p.metal[0] / p.mud[0][:, None], np.nan)
    head_grade = pd.DataFrame(grade, index=years, columns=list(p.elements))
    production = pd.DataFrame(p.supply[0], index=years, columns=list(p.items))
    idx = pd.MultiIndex.from_product([p.years, p.items], names=["year", "item"])
    china_after = p.china[0] - p.shortfall[0]
    demand = pd.DataFrame(
        {
            "demand_t": p.demand[0].ravel(), "imports_t": p.imports[0].ravel(),
            "china_imports_t": p.china[0].ravel(), "china_imports_after_cut_t": china_after.ravel(),
            "shortfall_t": p.shortfall[0].ravel(),
        },
        index=idx,
    ).reset_index()
    s = p.supply[0]
    frac = float(settings.offset.fraction.to("").magnitude)

    def share(den: np.ndarray) -> np.ndarray:
        return np.divide(s, den, out=np.full_like(s, np.nan), where=den > 0).ravel()

    offset = pd.DataFrame(
        {
            "supply_t": s.ravel(), "cumulative_supply_t": np.cumsum(s, axis=0).ravel(),
            "share_of_demand": share(p.demand[0]), "share_of_imports": share(p.imports[0]),
            "share_of_china_imports": share(p.china[0]), "share_of_shortfall": share(p.shortfall[0]),
            "offset": ((s >= p.china[0]) & (p.china[0] > 0)).ravel(),
            "offset_fraction": ((s >= frac * p.china[0]) & (p.china[0] > 0)).ravel(),
        },
        index=idx,
    ).reset_index()
    full = _first_years(p.supply, p.china, p.years, 1.0)[0]
    part = _first_years(p.supply, p.china, p.years, frac)[0]

    def year_or_none(v: float) -> int | None:
        return int(v) if np.isfinite(v) else None

    offset_years = pd.DataFrame(
        {
            "first_year_full": [year_or_none(v) for v in full],
            f"first_year_{frac:g}": [year_or_none(v) for v in part],
            "cumulative_supply_t": s.sum(axis=0),
        },
        index=pd.Index(p.items, name="item"),
    )
    rate = p.metrics["discount_rate"][0]
    cf = {k: v[0] for k, v in p.cash.items()}
    cash_flow = pd.DataFrame(cf, index=years)
    cash_flow["discounted_cash_flow"] = cf["net_cash_flow"] * econ.discount_factors(rate, len(p.years))[0]
    cash_flow["cumulative_cash_flow"] = np.cumsum(cf["net_cash_flow"])
    cur = settings.economics.currency
    cash_flow.attrs["units"] = f"{cur}/year"
    return {
        "mining": mining, "head_grade": head_grade, "production": production, "demand": demand,
        "offset": offset, "offset_years": offset_years, "cash_flow": cash_flow,
    }


def _summary(p: Paths, settings: SupplySettings, offset_years: pd.DataFrame) -> dict[str, Any]:
    cur = settings.economics.currency
    m = {k: float(v[0]) for k, v in p.metrics.items()}
    item = settings.offset.item
    frac_col = offset_years.columns[1]
    mined = p.in_situ[0] > 0
    exhausted = (p.remaining[0] <= 1e-9 * max(p.remaining[0].max(initial=0), 1.0)) & (p.in_situ[0].cumsum() > 0)
    treo = p.supply[0][:, p.items.index("TREO")]
    demand_treo = p.demand[0][:, p.items.index("TREO")]
    share = np.divide(treo, demand_treo, out=np.zeros_like(treo), where=demand_treo > 0)

    def q(v: float, unit: str) -> pint.Quantity | None:
        return Quantity(v, unit) if np.isfinite(v) else None

    def year(v: Any) -> int | None:
        return None if v is None or pd.isna(v) else int(v)

    return {
        "mud_mined": Quantity(p.mud[0].sum() / 1e6, "Mt"),
        "treo_supplied": Quantity(treo.sum(), "t"),
        "magnet_oxides_supplied": Quantity(p.supply[0][:, p.items.index("magnet")].sum(), "t"),
        "peak_treo_share_of_demand": Quantity(share.max(initial=0.0), "dimensionless"),
        "first_mining_year": int(p.years[mined][0]) if mined.any() else None,
        "exhausted_year": int(p.years[exhausted][0]) if exhausted.any() else None,
        "offset_item": item,
        "first_offset_year": year(offset_years.loc[item, "first_year_full"]),
        f"first_offset_year_{frac_col.removeprefix('first_year_')}": year(offset_years.loc[item, frac_col]),
        "npv": Quantity(m["npv"], cur),
        "irr": q(m["irr"], "1/year"),
        "payback_year": None if not np.isfinite(m["payback_year"]) else int(m["payback_year"]),
        "unit_cost": q(m["unit_cost"], f"{cur}/kg"),
        "break_even_price_multiple": q(m["break_even_multiple"], "dimensionless"),
        "discount_rate": Quantity(m["discount_rate"], "1/year"),
    }


def _monte_carlo(base: Inventory, real: Inventory | None, settings: SupplySettings, *, seed: int) -> dict[str, Any]:
    unc = settings.uncertainty
    n = unc.draws
    rng = np.random.default_rng(seed)
    params = sample_parameters(unc.parameters, n, rng)
    inv = real if real is not None else base
    which = rng.integers(inv.n_realisations, size=n) if real is not None else None
    p = simulate(inv, settings, params=params, n=n, realisation=which)
    frac = float(settings.offset.fraction.to("").magnitude)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(p.china > 0, p.supply / np.where(p.china > 0, p.china, 1.0), np.nan)
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
    prob = ((p.supply >= p.china) & (p.china > 0)).mean(axis=0)
    prob = np.where(has[None, :], prob, np.nan)
    offset_probability = pd.DataFrame(prob, index=pd.Index(p.years, name="year"), columns=list(p.items))
    rows = {}
    for name, v in p.metrics.items():
        if name == "discount_rate":
            continue
        b = band(v, skip_nan=True)
        rows[name] = {"p10": b[0], "p50": b[1], "p90": b[2], "mean": float(np.nanmean(v)) if np.isfinite(v).any() else np.nan}
    for f, label in ((1.0, "offset_year"), (frac, f"offset_year_{frac:g}")):
        years = _first_years(p.supply, p.china, p.years, f)
        for j, item in enumerate(p.items):
            y = years[:, j]
            if np.isnan(y).all():
                continue
            pct = np.percentile(y, [10, 50, 90], method="inverted_cdf")
            rows[f"{label}_{item}"] = {"p10": pct[0], "p50": pct[1], "p90": pct[2],
                                       "mean": float(np.isfinite(y).mean())}
    mc = pd.DataFrame.from_dict(rows, orient="index")
    mc.index.name = "metric"
    mc.attrs["note"] = "offset_year rows: 'mean' is the probability of ever offsetting; inf = never"
    return {"bands": bands, "offset_probability": offset_probability, "monte_carlo": mc}


def _tornado(base: Inventory, settings: SupplySettings) -> pd.DataFrame:
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
    off = _first_years(p.supply, p.china, p.years, 1.0)[:, p.items.index(item)]
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
    from seabed.supply.settings import UNCERTAIN_PARAMETERS

    return UNCERTAIN_PARAMETERS[name][1] or "1"


def _scenario_table(base: Inventory, settings: SupplySettings, det: Paths) -> pd.DataFrame:
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
        "treo_supplied_t": p.supply[0][:, p.items.index("TREO")].sum(),
    }
    for item in GROUP_ITEMS + (settings.offset.item,):
        j = p.items.index(item)
        out[f"first_offset_year_{item}"] = _first_years(p.supply, p.china, p.years, 1.0)[0, j]
        out[f"first_offset_year_{frac:g}_{item}"] = _first_years(p.supply, p.china, p.years, frac)[0, j]
    out[f"npv_{cur}"] = p.metrics["npv"][0]
    out["irr_per_year"] = p.metrics["irr"][0]
    out["payback_year"] = p.metrics["payback_year"][0]
    out[f"unit_cost_{cur}_per_kg_TREO"] = p.metrics["unit_cost"][0]
    out["break_even_price_multiple"] = p.metrics["break_even_multiple"][0]
    return out
