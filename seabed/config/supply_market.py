"""Japan's demand and imports, and the economics of supply: ``[supply.demand]``, ``[supply.economics]``.

Every default is a figure from ``shared/DOMAIN.md`` (with its source) or a labelled
**assumption** (docs/supply.md lists them). Amounts of money are in USD or JPY
(``"95 USD/kg"``), converted with ``economics.jpy_per_usd``.

Examples
--------
>>> d = DemandSettings()
>>> round(sum(q.to("t/year").magnitude for q in d.by_element.values()))
18835
>>> EconomicsSettings().discount_rate.to("percent/year").magnitude
8.0
"""

from __future__ import annotations

import datetime
from typing import Literal

import pint
from pydantic import Field, model_validator

from seabed.config.base import (
    Dimensionless,
    MassRate,
    MoneyPerMass,
    MoneyPerTime,
    QuantityType,
    StrictModel,
    Time,
    bounded,
)
from seabed.elements import ELEMENTS, GROUPS
from seabed.units import convert_currency

__all__ = [
    "YEAR_RANGE",
    "ChinaSettings",
    "ControlListSettings",
    "DemandSettings",
    "DisruptionSettings",
    "EconomicsSettings",
    "check_element",
    "check_fraction",
]

Rate = QuantityType("1/[time]")
ExchangeRate = QuantityType("[currency_jpy]/[currency]")

#: Calendar years accepted anywhere in ``[supply]``: 1900–2200.
YEAR_RANGE = (1900, 2200)

#: Real discount rate: 0–50 %/year. Mining projects use ~5–12 % real; above 50 % every year after
#: the first few is worth nothing and the NPV is meaningless.
DiscountRate = bounded(Rate, "percent/year", ge=0, le=50, fix="give a real discount rate, e.g. '8 percent/year'")
#: Demand growth: -50 to +50 %/year (a compound rate beyond that doubles or halves demand in < 2 years).
GrowthRate = bounded(Rate, "percent/year", ge=-50, le=50, fix="give a compound growth rate, e.g. '1 percent/year'")
#: Exchange rate: > 0 and <= 1,000 JPY per USD (the yen was fixed at 360 in 1949–1971, ~75–160 since 1995).
JpyPerUsd = bounded(ExchangeRate, "JPY/USD", gt=0, le=1000, fix="set the exchange rate, e.g. '150 JPY/USD'")
DemandRate = bounded(MassRate, "t/year", ge=0, fix="give the demand in oxide tonnes per year, e.g. '4010 t/year'")


def check_fraction(q: pint.Quantity | None, name: str, *, upper: float | None = 1.0) -> None:
    """Raise ValueError naming ``name`` unless ``q`` is a fraction in [0, ``upper``] (None passes)."""
    if q is None:
        return
    m = float(q.to("").magnitude)
    if m < 0 or (upper is not None and m > upper):
        bound = f"[0, {upper}]" if upper is not None else ">= 0"
        raise ValueError(f"{name}: got {q:~}; expected a fraction in {bound}; fix: write e.g. \"0.85\" or \"85 %\"")


def check_element(symbol: str, field: str) -> None:
    """Raise ValueError naming ``field`` unless ``symbol`` is an element symbol."""
    if symbol not in ELEMENTS:
        raise ValueError(
            f"{field}: got unknown element {symbol!r}; expected one of {', '.join(ELEMENTS)}"
        )


def _default_demand() -> dict[str, str]:
    # 2024 total 18,835 t (Japan Society of Newer Metals, DOMAIN.md). Given: Nd+didymium
    # 5,200–5,500 t (mid 5,350, split Nd:Pr = 3:1, assumption), Ce 5,650 t, Y 1,000–1,160 t
    # (mid 1,080). All other figures are ASSUMPTIONS chosen so the total is 18,835 t.
    t = {
        "La": 5490, "Ce": 5650, "Pr": 1340, "Nd": 4010, "Sm": 400, "Eu": 20, "Gd": 200,
        "Tb": 80, "Dy": 400, "Ho": 20, "Er": 100, "Tm": 5, "Yb": 30, "Lu": 10, "Y": 1080,
    }  # fmt: skip
    return {k: f"{v} t/year" for k, v in t.items()}


class DisruptionSettings(StrictModel):
    """A cut of China's exports to Japan (``[[supply.demand.disruptions]]``)."""

    name: str = "export_controls"
    elements: list[str] = Field(
        default_factory=lambda: ["controlled"],
        description="Elements (or group names) affected; 'controlled' = the elements on China's control lists "
        "([supply.china] controls: 4 Apr 2025 and 9 Oct 2025 [P/N]), each from the year of its list.",
    )
    cut: Dimensionless = Field(description="Fraction of imports from China removed.")
    from_year: int = Field(ge=YEAR_RANGE[0], le=YEAR_RANGE[1])
    until_year: int | None = Field(None, ge=YEAR_RANGE[0], le=YEAR_RANGE[1])

    @model_validator(mode="after")
    def _check(self) -> DisruptionSettings:
        check_fraction(self.cut, "cut")
        if self.until_year is not None and self.until_year < self.from_year:
            raise ValueError(f"until_year: got {self.until_year} < from_year {self.from_year}; expected "
                             "from_year <= until_year; fix: swap them")
        for e in self.elements:
            if e not in GROUPS and e != "controlled":
                check_element(e, "elements")
        return self

    def members(self) -> tuple[str, ...]:
        out: list[str] = []
        for e in self.elements:
            if e != "controlled":
                out.extend(GROUPS.get(e, (e,)))
        return tuple(dict.fromkeys(out))


class DemandSettings(StrictModel):
    """Japan's demand and imports (``[supply.demand]``), oxide tonnes per year."""

    base_year: int = Field(default=2024, ge=YEAR_RANGE[0], le=YEAR_RANGE[1],
                           description="Year of by_element (JSNM 2024 figures).")
    by_element: dict[str, DemandRate] = Field(
        default_factory=_default_demand,
        description="Demand per element (t oxide/yr). Split of 18,835 t beyond Nd+Pr, Ce, Y is an assumption.",
    )
    growth_rate: GrowthRate = Field(
        default="1 percent/year",
        description="Compound demand growth (assumption); -50 to +50 %/year (beyond, demand doubles or halves "
        "in under 2 years).",
    )
    import_share: Dimensionless = Field(
        default="1.0",
        description="Share of demand imported (assumption: no domestic mine, recycling ignored).",
    )
    china_share: Dimensionless = Field(
        default="0.719",
        description="China's share of imports of elements with no per-element figure, 71.9 % in 2024 (JOGMEC) [N]; "
        "per-element figures (Dy, Tb 1.0; Ce 0.835; Y 0.987) are in [supply.china].",
    )
    china_share_by_element: dict[str, Dimensionless] = Field(
        default_factory=dict,
        description="Per-element overrides (kept for old configs; [supply.china] share wins over them).",
    )
    disruptions: list[DisruptionSettings] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> DemandSettings:
        check_fraction(self.import_share, "import_share")
        check_fraction(self.china_share, "china_share")
        for sym in self.by_element:
            check_element(sym, "by_element")
        for sym, q in self.china_share_by_element.items():
            check_element(sym, "china_share_by_element")
            check_fraction(q, f"china_share_by_element.{sym}")
        return self


class ControlListSettings(StrictModel):
    """One of China's dated export-control lists (``[[supply.china.controls]]``)."""

    date: datetime.date = Field(description="Date the controls took effect (YYYY-MM-DD); they apply from its year.")
    elements: list[str] = Field(min_length=1, description="Element symbols on the list.")
    name: str = Field(default="", description="Label, e.g. 'MOFCOM export controls of 4 April 2025'.")
    source: str = Field(default="", description="Where the list is published.")

    @model_validator(mode="after")
    def _check(self) -> ControlListSettings:
        for e in self.elements:
            check_element(e, "elements")
        return self


class ChinaSettings(StrictModel):
    """China's share of Japan's imports per element and its export-control lists (``[supply.china]``).

    Empty (the default) uses the shipped, dated and sourced data of
    ``seabed/supply/china_controls.toml``: shares Dy 1.0 and Tb 1.0 (Lynas the only non-China
    separated Dy/Tb from mid-2025) [N], Ce 0.835 and Y 0.987 (H1 2024) [N], others 0.719
    (JOGMEC 2024) [N]; control lists of 4 Apr 2025 (Sm, Gd, Tb, Dy, Lu, Sc, Y) and 9 Oct 2025
    (Ho, Er, Tm, Eu, Yb) [P/N].
    """

    share: dict[str, Dimensionless] = Field(
        default_factory=dict,
        description="Per-element overrides of China's share of imports, e.g. {Dy = 1.0} (fractions 0-1; "
        "shipped data otherwise [N]).",
    )
    controls: list[ControlListSettings] | None = Field(
        default=None,
        description="Replaces the shipped control lists (4 Apr 2025, 9 Oct 2025 [P/N]) when given.",
    )

    @model_validator(mode="after")
    def _check(self) -> ChinaSettings:
        for sym, q in self.share.items():
            check_element(sym, "share")
            check_fraction(q, f"share.{sym}")
        return self


def _default_prices() -> dict[str, str]:
    # Oxide prices, mid-range of DOMAIN.md 2025 figures [N]: Dy2O3 224–307, Tb4O7 800–1,100,
    # Nd2O3/NdPr oxide 55–135, Y2O3 6.5–10.5 USD/kg; La2O3 CNY 4.5k/t and CeO2 CNY 11–12k/t
    # at 7.2 CNY/USD [C]; Sc2O3 ~650–750 in China, Apr–May 2025 (DOMAIN.md [N]), mid 700. All other
    # elements: ASSUMPTIONS (thin, opaque markets).
    p = {
        "La": 0.62, "Ce": 1.6, "Pr": 95, "Nd": 95, "Sm": 2, "Eu": 30, "Gd": 25, "Tb": 950,
        "Dy": 265, "Ho": 70, "Er": 40, "Tm": 0, "Yb": 15, "Lu": 700, "Y": 8.5, "Sc": 700,
    }  # fmt: skip
    return {k: f"{v} USD/kg" for k, v in p.items()}


class EconomicsSettings(StrictModel):
    """Costs, prices and finance (``[supply.economics]``). Real terms, no inflation."""

    currency: Literal["USD", "JPY"] = "USD"
    jpy_per_usd: JpyPerUsd = Field(
        default="150 JPY/USD",
        description="Exchange rate (assumption, 2025 order); > 0 and <= 1,000 (the yen was fixed at 360 per USD "
        "in 1949-1971 and has traded at ~75-160 since 1995).",
    )
    prices: dict[str, MoneyPerMass] = Field(
        default_factory=_default_prices,
        description="Oxide prices per kg of oxide (China, 2025): Dy 265, Tb 950, Nd and Pr 95, Y 8.5 (mid-range, "
        "DOMAIN.md [N]); La 0.62, Ce 1.6 (CNY 4.5k/t and 11.5k/t at 7.2 CNY/USD [C]); Sc 700 (China, Apr-May 2025 "
        "[N]); others [assumption]."
    )
    lifting_cost: MoneyPerMass = Field(default="30 USD/t", description="Per dry t of mud (assumption).")
    transport_cost: MoneyPerMass = Field(default="20 USD/t", description="Per dry t of mud (assumption).")
    dewatering_cost: MoneyPerMass = Field(default="5 USD/t", description="Per dry t of mud (assumption).")
    processing_cost: MoneyPerMass = Field(
        default="60 USD/t", description="Leach and separation per dry t fed to leaching: concentrate, or mud without beneficiation (assumption)."
    )
    fixed_cost: MoneyPerTime = Field(
        default="1e8 USD/year",
        description="Fixed cost while a phase runs (vessel, crew, island base) (assumption).",
    )
    royalty: Dimensionless = Field(default="0", description="Share of revenue (assumption: none in the EEZ).")
    tax_rate: Dimensionless = Field(default="0.30", description="Corporate tax, Japan ~30 % (assumption).")
    depreciation_years: Time = Field(default="10 year", description="Straight-line tax depreciation [assumption].")
    discount_rate: DiscountRate = Field(
        default="8 percent/year",
        description="Real private discount rate (assumption); 0-50 %/year: mining projects use ~5-12 % real, and "
        "above 50 % every year after the first few is worth nothing.",
    )
    public_discount_rate: DiscountRate = Field(
        default="3 percent/year",
        description="Real public-sector (social) discount rate for the public NPV [assumption: 3 %/year; public "
        "appraisal rates are typically 3-4 % real].",
    )
    sustaining_capex: Dimensionless = Field(
        default="0.02",
        description="Sustaining capex per year while mining, as a fraction of initial capex [assumption: 2 %/yr].",
    )
    closure_cost: Dimensionless = Field(
        default="0.05",
        description="Closure and decommissioning, a fraction of initial capex spent the year after mining ends "
        "[assumption: 5 %].",
    )
    working_capital: Dimensionless = Field(
        default="0.15",
        description="Working capital as a fraction of the year's revenue (built as revenue grows, released as it "
        "falls and at the end) [assumption: ~2 months of sales].",
    )
    loss_carry_forward: bool = Field(
        default=True,
        description="Tax losses offset later taxable profit (no expiry) [assumption; Japan allows ~10 years].",
    )

    @model_validator(mode="after")
    def _check(self) -> EconomicsSettings:
        check_fraction(self.royalty, "royalty")
        check_fraction(self.tax_rate, "tax_rate")
        check_fraction(self.sustaining_capex, "sustaining_capex")
        check_fraction(self.closure_cost, "closure_cost", upper=10.0)
        check_fraction(self.working_capital, "working_capital", upper=5.0)
        for sym in self.prices:
            check_element(sym, "prices")
        if self.depreciation_years.to("year").magnitude < 1:
            raise ValueError(f"depreciation_years: got {self.depreciation_years:~}; expected >= 1 year")
        return self

    def money(self, q: pint.Quantity, units: str) -> float:
        """Magnitude of an amount in the reporting currency, ``units`` like ``"{cur}/t"``."""
        converted = convert_currency(q, self.currency, jpy_per_usd=self.jpy_per_usd)
        return float(converted.to(units.format(cur=self.currency)).magnitude)
