"""The supply model: from a mining inventory to yearly supply, offsets and cash flows.

:func:`project_supply` is what the pipeline calls. It runs the vectorised projection
(:func:`seabed.supply.projection.simulate`) once for the deterministic tables of a
:class:`SupplyResult`, then the Monte Carlo, the tornado and the named scenarios
(:mod:`seabed.supply.scenarios`), each one batch of draws of the same function.

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

from seabed.config.supply import SupplySettings, parse_supply_settings
from seabed.supply import economics as econ
from seabed.supply.alternatives import alternatives_table
from seabed.supply.china import controlled_elements
from seabed.supply.gates import gate_table
from seabed.supply.offset import first_years, offset_answer, plateau_index, sustained_from
from seabed.supply.projection import Paths, simulate
from seabed.supply.scenarios import monte_carlo, scenario_table, tornado
from seabed.supply.sequence import read_inventory
from seabed.units import Quantity

__all__ = ["SupplyResult", "project_supply"]


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
        Index year; columns elements, TREO, magnet; mine-gate oxide before separation, t per year
        (it does not count toward the import offset by itself).
    separation : DataFrame
        Long table (year, item): mine-gate oxide, oxide separated outside China (the supply that
        counts toward the offset), separated in China, and feed stockpiled at year end; t oxide.
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
        Index year; columns items (elements, TREO, magnet); P(sustainably offset by year): share of
        draws whose first sustained-offset year is ≤ year (monotone; :mod:`seabed.supply.offset`).
    offset_probability_by_year : DataFrame
        The same for the controlled elements only (``[supply.offset] elements``): the answer.
    coverage : DataFrame
        Long table (year, element incl. ``weakest_link``): coverage = supply / imports from China,
        deterministic and P10/P50/P90 over the draws.
    monte_carlo : DataFrame
        Index metric; columns p10, p50, p90, mean of NPV, IRR, payback, unit cost, break-even
        multiple and offset years.
    tornado : DataFrame
        One row per (parameter, metric): base, low/high parameter values and results.
    scenarios : DataFrame
        Index metric; one column per scenario ("base" first): offset years per controlled element, NPV
        (private and public), unit cost, realised prices, Sc and Y revenue shares.
    alternatives : DataFrame
        Index alternative (the mud first): t oxide/yr per element secured outside China and net cost per t
        secured (:mod:`seabed.supply.alternatives`).
    gates : DataFrame
        The project gates: milestones and stages with median, P10 and P90 end years (:mod:`seabed.supply.gates`).
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
    offset_probability_by_year: pd.DataFrame = field(default_factory=pd.DataFrame)
    coverage: pd.DataFrame = field(default_factory=pd.DataFrame)
    monte_carlo: pd.DataFrame = field(default_factory=pd.DataFrame)
    tornado: pd.DataFrame = field(default_factory=pd.DataFrame)
    scenarios: pd.DataFrame = field(default_factory=pd.DataFrame)
    separation: pd.DataFrame = field(default_factory=pd.DataFrame)
    alternatives: pd.DataFrame = field(default_factory=pd.DataFrame)
    gates: pd.DataFrame = field(default_factory=pd.DataFrame)

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
        out.update(monte_carlo(base_inv, real_inv, settings, seed=seed))
    draws = out.pop("draws", None)
    summary.update(_offset_summary(det, draws, settings, base_inv, out))
    if unc.tornado and (unc.parameters or unc.gates or real_inv is not None):
        out["tornado"] = tornado(base_inv, settings, real_inv)
    out["scenarios"] = scenario_table(base_inv, settings, det)
    out["alternatives"] = alternatives_table(settings, det, det.elements)
    out["gates"] = gate_table(settings.gates)
    return SupplyResult(settings=settings, summary=summary, **tables, **out)


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
    production = pd.DataFrame(p.mine_gate[0], index=years, columns=list(p.items))
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
    sustain = settings.offset.sustain_years

    def share(den: np.ndarray) -> np.ndarray:
        return np.divide(s, den, out=np.full_like(s, np.nan), where=den > 0).ravel()

    offset = pd.DataFrame(
        {
            "supply_t": s.ravel(), "cumulative_supply_t": np.cumsum(s, axis=0).ravel(),
            "share_of_demand": share(p.demand[0]), "share_of_imports": share(p.imports[0]),
            "share_of_china_imports": share(p.china[0]), "share_of_shortfall": share(p.shortfall[0]),
            "offset": ((s >= p.china[0]) & (p.china[0] > 0)).ravel(),
            "sustained_offset": sustained_from(((s >= p.china[0]) & (p.china[0] > 0))[None], sustain)[0].ravel(),
            "offset_fraction": ((s >= frac * p.china[0]) & (p.china[0] > 0)).ravel(),
        },
        index=idx,
    ).reset_index()
    full = first_years(p.supply, p.china, p.years, 1.0, sustain)[0]
    part = first_years(p.supply, p.china, p.years, frac, sustain)[0]

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
    rate = p.discount_rate[0]
    cf = {k: v[0] for k, v in p.cash.items()}
    cash_flow = pd.DataFrame(cf, index=years)
    cash_flow["discounted_cash_flow"] = cf["net_cash_flow"] * econ.discount_factors(rate, len(p.years))[0]
    cash_flow["cumulative_cash_flow"] = np.cumsum(cf["net_cash_flow"])
    cur = settings.economics.currency
    cash_flow.attrs["units"] = f"{cur}/year"
    return {
        "mining": mining, "head_grade": head_grade, "production": production, "demand": demand,
        "offset": offset, "offset_years": offset_years, "cash_flow": cash_flow,
        "separation": pd.DataFrame(
            {
                "mine_gate_t": p.mine_gate[0].ravel(), "separated_outside_china_t": p.supply[0].ravel(),
                "separated_in_china_t": p.separated_china[0].ravel(), "stockpile_t": p.stockpile[0].ravel(),
            },
            index=idx,
        ).reset_index(),
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
        "npv_public": Quantity(m["npv_public"], cur),
        "public_discount_rate": Quantity(float(settings.economics.public_discount_rate.to("1/year").magnitude),
                                         "1/year"),
        "first_production_year_base": round(settings.gates.first_production(), 2),
        "revenue_share_Sc": Quantity(_share(p, "Sc"), "dimensionless"),
        "revenue_share_Y": Quantity(_share(p, "Y"), "dimensionless"),
        "irr": q(m["irr"], "1/year"),
        "payback_year": None if not np.isfinite(m["payback_year"]) else int(m["payback_year"]),
        "unit_cost": q(m["unit_cost"], f"{cur}/kg"),
        "break_even_price_multiple": q(m["break_even_multiple"], "dimensionless"),
        "discount_rate": Quantity(float(p.discount_rate[0]), "1/year"),
    }


def _share(p: Paths, element: str) -> float:
    """Share of the deterministic revenue earned by ``element`` (0 when absent or no revenue)."""
    total = p.revenue[0].sum()
    return float(p.revenue[0][:, p.elements.index(element)].sum() / total) if element in p.elements and total > 0 else 0.0


def offset_elements(settings: SupplySettings, elements: tuple[str, ...]) -> list[str]:
    """The elements the offset answer is for: ``[supply.offset] elements``, else those under China's
    export controls in any year of the horizon (:func:`seabed.supply.china.controlled_elements`),
    kept to the modelled elements."""
    chosen = settings.offset.elements or controlled_elements(settings.china.controls, settings.end_year)
    return [e for e in elements if e in chosen]


def _offset_summary(det: Paths, draws: Paths | None, settings: SupplySettings, inv: Any,
                    out: dict[str, Any]) -> dict[str, Any]:
    """Per controlled element: first sustained-offset year P10/P50/P90, coverage, weakest link."""
    chosen = offset_elements(settings, det.elements)
    idx = [det.items.index(e) for e in chosen]
    by_year, coverage, answer = offset_answer(
        det.years, chosen, det.supply[0][:, idx], det.china[0][:, idx],
        draws=None if draws is None else (draws.supply[..., idx], draws.china[..., idx]),
        sustain_years=settings.offset.sustain_years, plateau=plateau_index(det.capacity[0]),
        mined=inv.elements,
    )
    out["offset_probability_by_year"] = by_year
    out["coverage"] = coverage
    weakest = answer.pop("weakest_link")
    return {
        "offset_elements": chosen,
        "offset_sustain_years": settings.offset.sustain_years,
        "offset_by_element": answer,
        "weakest_link": weakest,
        "coverage_by_year": coverage_by_year(coverage),
    }


def coverage_by_year(coverage: pd.DataFrame) -> dict[str, dict[str, list]]:
    """The coverage table (long: year, element, deterministic, p10, p50, p90) as JSON-ready columns.

    Coverage is domestic supply separated outside China / imports from China (1 = offset), per
    element and for ``weakest_link`` (the lowest over the controlled elements); NaN where there are
    no imports from China.

    Examples
    --------
    >>> t = pd.DataFrame({"year": [2030, 2031], "element": ["Dy", "Dy"], "deterministic": [0.5, 1.2],
    ...                   "p10": [0.4, 0.9], "p50": [0.5, 1.1], "p90": [0.6, 1.3]})
    >>> coverage_by_year(t)["Dy"]["p50"]
    [0.5, 1.1]
    """
    out = {}
    for element, rows in coverage.groupby("element", sort=False):
        rows = rows.sort_values("year")
        out[str(element)] = {"year": [int(y) for y in rows["year"]],
                             **{c: [float(v) for v in rows[c]] for c in ("deterministic", "p10", "p50", "p90")
                                if c in rows}}
    return out
