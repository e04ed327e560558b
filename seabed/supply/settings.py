"""Configuration of the supply model: the ``[supply]`` TOML table.

Every default below is either a figure from ``shared/DOMAIN.md`` (with its source) or a
labelled **assumption** (no public figure exists; the value is a scenario default that a user
is expected to override). ``docs/supply.md`` lists them all.

Dimensional values are strings with units (``"350 t/day"``, ``"3.25e9 USD"``,
``"8 percent/year"``); bare numbers are refused for them. Dimensionless fractions may be
written ``"0.85"``, ``"85 %"`` or ``0.85``.

Examples
--------
>>> s = SupplySettings()
>>> s.plan.phases[0].name, s.plan.phases[1].name
('trial', 'commercial')
>>> round(s.plan.phases[0].rate_per_system.to("t/day").magnitude)
350
>>> parse_supply_settings({"start_year": 2030}).start_year
2030
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Mapping
from typing import Annotated, Any, Literal

import pint
from pydantic import BeforeValidator, Field, PlainSerializer, ValidationError, model_validator

from seabed.elements import ELEMENTS, GROUPS
from seabed.errors import ConfigError, UnitsError
from seabed.schema import (
    Dimensionless,
    MassRate,
    QuantityType,
    StrictModel,
    Time,
    bounded,
    describe_error,
    format_magnitude,
    named_key,
)
from seabed.units import Quantity, convert_currency, parse_quantity, ureg

__all__ = [
    "RAMP_UP_PRESETS",
    "UNCERTAIN_PARAMETERS",
    "BeneficiationSettings",
    "DemandSettings",
    "DisruptionSettings",
    "Distribution",
    "EconomicsSettings",
    "OffsetSettings",
    "PhaseSettings",
    "PlanSettings",
    "ProcessingSettings",
    "SequenceSettings",
    "SupplySettings",
    "UncertaintySettings",
    "parse_supply_settings",
]

Rate = QuantityType("1/[time]")
ExchangeRate = QuantityType("[currency_jpy]/[currency]")

#: Bounds of the modelled horizon: calendar years 1900–2200 and at most 200 years (the model holds
#: arrays of draws × years × elements; 200 years is four mine lives).
YEAR_RANGE = (1900, 2200)
MAX_HORIZON_YEARS = 200
#: Largest Monte Carlo draws: 100,000 (P10/P90 are stable to < 1 % by ~1,000; memory grows as
#: draws × years × elements).
MAX_DRAWS = 100_000

#: Real discount rate: 0–50 %/year. Mining projects use ~5–12 % real; above 50 % every year after
#: the first few is worth nothing and the NPV is meaningless.
DiscountRate = bounded(Rate, "percent/year", ge=0, le=50, fix="give a real discount rate, e.g. '8 percent/year'")
#: Demand growth: -50 to +50 %/year (a compound rate beyond that doubles or halves demand in < 2 years).
GrowthRate = bounded(Rate, "percent/year", ge=-50, le=50, fix="give a compound growth rate, e.g. '1 percent/year'")
#: Exchange rate: > 0 and <= 1,000 JPY per USD (the yen was fixed at 360 in 1949–1971, ~75–160 since 1995).
JpyPerUsd = bounded(ExchangeRate, "JPY/USD", gt=0, le=1000, fix="set the exchange rate, e.g. '150 JPY/USD'")
PositiveRate = bounded(MassRate, "t/day", gt=0, fix="give the mud rate, e.g. '10000 t/day'")
DemandRate = bounded(MassRate, "t/year", ge=0, fix="give the demand in oxide tonnes per year, e.g. '4010 t/year'")


def _serialise(q: pint.Quantity) -> str:
    """Exact: scenarios and the manifest re-read this text (no ``:g`` rounding to 6 digits)."""
    return f"{format_magnitude(q.magnitude)} {q.units:~}".strip()


def _money_type(per: str, example: str) -> Any:
    """An amount in USD or JPY, optionally per ``per`` (e.g. ``"/[mass]"``)."""

    def _parse(value: Any) -> pint.Quantity:
        try:
            q = parse_quantity(value, None, field="value")
        except UnitsError as exc:
            raise ValueError(str(exc).removeprefix("value: ")) from None
        what = f"an amount in USD or JPY{' per ' + per.lstrip('/') if per else ''} (e.g. {example!r})"
        if q.units == ureg.dimensionless:
            raise ValueError(f"got {value!r} without units; expected {what}; fix: add the unit")
        if not (q.check(f"[currency]{per}") or q.check(f"[currency_jpy]{per}")):
            raise ValueError(
                f"got {value!r} with dimension {q.dimensionality or '[dimensionless]'}; "
                f"expected {what}; fix: use units of that kind"
            )
        if q.magnitude < 0:
            raise ValueError(f"got {value!r}; expected >= 0 (prices and costs are not negative); "
                             f"fix: give {what}")
        return q

    return Annotated[pint.Quantity, BeforeValidator(_parse), PlainSerializer(_serialise, return_type=str)]


#: An amount of money, USD or JPY (converted with ``economics.jpy_per_usd``).
Money = _money_type("", "3.25e9 USD")
#: Money per mass, e.g. an oxide price or a cost per tonne of mud.
MoneyPerMass = _money_type("/[mass]", "95 USD/kg")
#: Money per time, e.g. a fixed annual cost.
MoneyPerTime = _money_type("/[time]", "1e8 USD/year")


def _q(text: str) -> pint.Quantity:
    return Quantity(text)


#: Ramp-up presets after McNulty (1998): category → (years to nameplate, plateau fraction).
#: Category 1 (proven technology) reaches design within about a year; category 2 (typical)
#: in about 2.5 years; categories 3 and 4 (novel technology) ramp slowly and never reach
#: design capacity. The plateau fractions of categories 3–4 are an approximate reading of
#: McNulty's curves (assumption). Category 0 means no ramp-up.
RAMP_UP_PRESETS: dict[int, tuple[float, float]] = {
    0: (0.0, 1.0),
    1: (1.0, 1.0),
    2: (2.5, 1.0),
    3: (4.0, 0.8),
    4: (3.0, 0.5),
}


def _check_fraction(q: pint.Quantity | None, name: str, *, upper: float | None = 1.0) -> None:
    if q is None:
        return
    m = float(q.to("").magnitude)
    if m < 0 or (upper is not None and m > upper):
        bound = f"[0, {upper}]" if upper is not None else ">= 0"
        raise ValueError(f"{name}: got {q:~}; expected a fraction in {bound}; fix: write e.g. \"0.85\" or \"85 %\"")


def _check_element(symbol: str, field: str) -> None:
    if symbol not in ELEMENTS:
        raise ValueError(
            f"{field}: got unknown element {symbol!r}; expected one of {', '.join(ELEMENTS)}"
        )


class PhaseSettings(StrictModel):
    """One production phase (``[[supply.plan.phases]]``).

    Mud mined in year ``y`` (dry t) is ``systems × rate_dry × operating_days × availability ×
    ∫ ramp(τ) dτ`` over the part of year ``y`` during which the phase runs.
    """

    name: str = Field(description="Label of the phase, e.g. 'trial', 'commercial'.")
    start_year: float = Field(
        description="Start as a decimal calendar year (2027.1 ≈ early February 2027)."
    )
    duration: Time | None = Field(
        default=None, description="How long the phase runs; None = to the end of the horizon."
    )
    systems: int = Field(default=1, ge=1, le=1000, description="Number of mining systems (vessels), 1-1,000.")
    rate_per_system: PositiveRate = Field(description="Mud rate per system while operating (> 0).")
    rate_basis: Literal["wet", "dry"] = Field(
        description="Whether rate_per_system is wet mud (converted with plan.solids_fraction) or dry."
    )
    operating_days: Time = Field(
        default=_q("330 day"), description="Operating days per calendar year (assumption)."
    )
    availability: Dimensionless = Field(
        default=_q("0.85"), description="Fraction of operating time producing (assumption)."
    )
    ramp_up_category: int = Field(
        default=2, ge=0, le=4, description="McNulty (1998) ramp-up category, 0 = none."
    )
    years_to_nameplate: Time | None = Field(
        default=None, description="Overrides the preset of ramp_up_category."
    )
    plateau: Dimensionless | None = Field(
        default=None, description="Fraction of nameplate finally reached; overrides the preset."
    )
    delayable: bool = Field(
        default=True, description="Shifted by the uncertain parameter plan.start_delay."
    )
    capex: Money = Field(default=_q("0 USD"), description="Capital cost of the phase.")
    capex_years: Time = Field(
        default=_q("3 year"),
        description="Capex is spread evenly over the whole years before start_year.",
    )

    @model_validator(mode="after")
    def _check(self) -> PhaseSettings:
        _check_fraction(self.availability, "availability")
        _check_fraction(self.plateau, "plateau")
        days = self.operating_days.to("day").magnitude
        if not 0 <= days <= 366:
            raise ValueError(f"operating_days: got {self.operating_days:~}; expected 0–366 day")
        if self.duration is not None and self.duration.to("year").magnitude <= 0:
            raise ValueError(f"duration: got {self.duration:~}; expected > 0")
        if self.capex_years.to("year").magnitude < 1:
            raise ValueError(f"capex_years: got {self.capex_years:~}; expected >= 1 year")
        if self.years_to_nameplate is not None and self.years_to_nameplate.to("year").magnitude < 0:
            raise ValueError(f"years_to_nameplate: got {self.years_to_nameplate:~}; expected >= 0 year")
        return self

    def ramp(self) -> tuple[float, float]:
        """Years to nameplate and plateau fraction (preset unless overridden)."""
        years, plateau = RAMP_UP_PRESETS[self.ramp_up_category]
        if self.years_to_nameplate is not None:
            years = float(self.years_to_nameplate.to("year").magnitude)
        if self.plateau is not None:
            plateau = float(self.plateau.to("").magnitude)
        return years, plateau


def _default_phases() -> list[PhaseSettings]:
    return [
        # SIP trial, DOMAIN.md [N]: ~3 months from Feb 2027 at ~350 t of mud/day; wet or dry
        # is not stated: assumed WET (lifted mud), converted with solids_fraction.
        PhaseSettings(
            name="trial",
            start_year=2027.1,
            duration=_q("3 month"),
            systems=1,
            rate_per_system=_q("350 t/day"),
            rate_basis="wet",
            operating_days=_q("365 day"),
            availability=_q("0.6"),
            ramp_up_category=0,
            delayable=False,
            capex=_q("16.4e9 JPY"),  # FY2025 supplementary budget [N]
            capex_years=_q("1 year"),
        ),
        # Commercial phase: no date or scale published. Scenario assumption: 2035 start at the
        # scale of Kato (2013), 10,000 t/day (taken as dry), McNulty category 2 ramp-up, capex
        # of a 3 Mt/yr nodule operation (US$3–3.5 bn, mid value) spread over 3 years.
        PhaseSettings(
            name="commercial",
            start_year=2035.0,
            systems=1,
            rate_per_system=_q("10000 t/day"),
            rate_basis="dry",
            ramp_up_category=2,
            capex=_q("3.25e9 USD"),
            capex_years=_q("3 year"),
        ),
    ]


class PlanSettings(StrictModel):
    """Production plan (``[supply.plan]``)."""

    phases: list[PhaseSettings] = Field(default_factory=_default_phases, min_length=1)
    solids_fraction: Dimensionless = Field(
        default=_q("0.38"),
        description=(
            "Dry mass / wet mass of lifted mud. 0.38 ≈ dry bulk density 0.50 t/m³ / wet bulk "
            "density 1.32 g/cm³ of Pacific red clay (Bruevich & Kulik 1967) [C]; assumption."
        ),
    )
    mining_recovery: Dimensionless = Field(
        default=_q("0.9"), description="Fraction of each block's tonnes recovered (assumption)."
    )
    dilution: Dimensionless = Field(
        default=_q("0.05"),
        description="Waste (zero grade) added per tonne of ore mined (assumption).",
    )

    @model_validator(mode="after")
    def _check(self) -> PlanSettings:
        _check_fraction(self.solids_fraction, "solids_fraction")
        _check_fraction(self.mining_recovery, "mining_recovery")
        _check_fraction(self.dilution, "dilution", upper=None)
        if self.solids_fraction.to("").magnitude == 0:
            raise ValueError("solids_fraction: got 0; expected a fraction in (0, 1]")
        return self


class SequenceSettings(StrictModel):
    """Mining order (``[supply.sequence]``).

    ``order = "value"`` mines the blocks of highest recoverable oxide value per tonne first
    (base prices and recoveries); ``"grade"`` the highest grade of ``grade_of`` (an element or a
    group: REY, magnet, HREY, ...) first; ``"given"`` keeps the inventory row order, or sorts by
    ``order_column`` ascending when given.
    """

    order: Literal["value", "grade", "given"] = "value"
    grade_of: str = "REY"
    order_column: str | None = None

    @model_validator(mode="after")
    def _check(self) -> SequenceSettings:
        if self.grade_of not in ELEMENTS and self.grade_of not in GROUPS:
            raise ValueError(
                f"grade_of: got {self.grade_of!r}; expected an element symbol or one of "
                f"{', '.join(GROUPS)}"
            )
        return self


class BeneficiationSettings(StrictModel):
    """Hydrocyclone beneficiation (``[supply.processing.beneficiation]``).

    Mass pull = recovery / upgrade_factor (concentrate mass per tonne of mud).
    """

    enabled: bool = True
    upgrade_factor: Dimensionless = Field(
        default=_q("2.0"),
        description="Grade multiplier; Takaya et al. (2018) reach up to 2.6× (assumption: 2.0).",
    )
    recovery: Dimensionless = Field(
        default=_q("0.8"), description="REY recovery to concentrate (assumption)."
    )

    @model_validator(mode="after")
    def _check(self) -> BeneficiationSettings:
        _check_fraction(self.recovery, "recovery")
        if self.upgrade_factor.to("").magnitude < 1:
            raise ValueError(f"upgrade_factor: got {self.upgrade_factor:~}; expected >= 1")
        if self.recovery.to("").magnitude > self.upgrade_factor.to("").magnitude:
            raise ValueError("recovery: cannot exceed upgrade_factor (mass pull would exceed 1)")
        return self


class ProcessingSettings(StrictModel):
    """Processing chain (``[supply.processing]``): dewatering → beneficiation → leach → separation."""

    dewatering_volume_reduction: Dimensionless = Field(
        default=_q("0.8"),
        description="Informational only: volume −80 % on the island (SIP plan, DOMAIN.md [N]).",
    )
    beneficiation: BeneficiationSettings = Field(default_factory=BeneficiationSettings)
    leach_recovery: Dimensionless = Field(
        default=_q("0.85"),
        description="Acid-leach recovery of REY from the apatite (assumption).",
    )
    leach_recovery_by_element: dict[str, Dimensionless] = Field(default_factory=dict)
    separation_recovery: Dimensionless = Field(
        default=_q("0.95"), description="Solvent-extraction separation recovery (assumption)."
    )
    separation_recovery_by_element: dict[str, Dimensionless] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> ProcessingSettings:
        _check_fraction(self.dewatering_volume_reduction, "dewatering_volume_reduction")
        _check_fraction(self.leach_recovery, "leach_recovery")
        _check_fraction(self.separation_recovery, "separation_recovery")
        for name in ("leach_recovery_by_element", "separation_recovery_by_element"):
            for sym, q in getattr(self, name).items():
                _check_element(sym, name)
                _check_fraction(q, f"{name}.{sym}")
        return self


def _default_demand() -> dict[str, pint.Quantity]:
    # 2024 total 18,835 t (Japan Society of Newer Metals, DOMAIN.md). Given: Nd+didymium
    # 5,200–5,500 t (mid 5,350, split Nd:Pr = 3:1, assumption), Ce 5,650 t, Y 1,000–1,160 t
    # (mid 1,080). All other figures are ASSUMPTIONS chosen so the total is 18,835 t.
    t = {
        "La": 5490, "Ce": 5650, "Pr": 1340, "Nd": 4010, "Sm": 400, "Eu": 20, "Gd": 200,
        "Tb": 80, "Dy": 400, "Ho": 20, "Er": 100, "Tm": 5, "Yb": 30, "Lu": 10, "Y": 1080,
    }  # fmt: skip
    return {k: _q(f"{v} t/year") for k, v in t.items()}


class DisruptionSettings(StrictModel):
    """A cut of China's exports to Japan (``[[supply.demand.disruptions]]``)."""

    name: str = "export_controls"
    elements: list[str] = Field(
        default_factory=lambda: ["Sm", "Gd", "Tb", "Dy", "Lu", "Sc", "Y"],
        description="Elements (or group names) affected; default: China's 4 Apr 2025 list.",
    )
    cut: Dimensionless = Field(description="Fraction of imports from China removed.")
    from_year: int = Field(ge=YEAR_RANGE[0], le=YEAR_RANGE[1])
    until_year: int | None = Field(None, ge=YEAR_RANGE[0], le=YEAR_RANGE[1])

    @model_validator(mode="after")
    def _check(self) -> DisruptionSettings:
        _check_fraction(self.cut, "cut")
        if self.until_year is not None and self.until_year < self.from_year:
            raise ValueError(f"until_year: got {self.until_year} < from_year {self.from_year}; expected "
                             "from_year <= until_year; fix: swap them")
        for e in self.elements:
            if e not in GROUPS:
                _check_element(e, "elements")
        return self

    def members(self) -> tuple[str, ...]:
        out: list[str] = []
        for e in self.elements:
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
        default=_q("1 percent/year"),
        description="Compound demand growth (assumption); -50 to +50 %/year (beyond, demand doubles or halves "
        "in under 2 years).",
    )
    import_share: Dimensionless = Field(
        default=_q("1.0"),
        description="Share of demand imported (assumption: no domestic mine, recycling ignored).",
    )
    china_share: Dimensionless = Field(
        default=_q("0.719"), description="China's share of imports, 71.9 % in 2024 (JOGMEC) [N]."
    )
    china_share_by_element: dict[str, Dimensionless] = Field(
        default_factory=lambda: {"Ce": _q("0.835"), "Y": _q("0.987")},
        description="Per-element overrides: Ce oxide 83.5 %, Y oxide 98.7 % (H1 2024) [N].",
    )
    disruptions: list[DisruptionSettings] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> DemandSettings:
        _check_fraction(self.import_share, "import_share")
        _check_fraction(self.china_share, "china_share")
        for sym in self.by_element:
            _check_element(sym, "by_element")
        for sym, q in self.china_share_by_element.items():
            _check_element(sym, "china_share_by_element")
            _check_fraction(q, f"china_share_by_element.{sym}")
        return self


def _default_prices() -> dict[str, pint.Quantity]:
    # Oxide prices, mid-range of DOMAIN.md 2025 figures [N]: Dy2O3 224–307, Tb4O7 800–1,100,
    # Nd2O3/NdPr oxide 55–135, Y2O3 6.5–10.5 USD/kg; La2O3 CNY 4.5k/t and CeO2 CNY 11–12k/t
    # at 7.2 CNY/USD [C]. All other elements: ASSUMPTIONS (thin, opaque markets).
    p = {
        "La": 0.62, "Ce": 1.6, "Pr": 95, "Nd": 95, "Sm": 2, "Eu": 30, "Gd": 25, "Tb": 950,
        "Dy": 265, "Ho": 70, "Er": 40, "Tm": 0, "Yb": 15, "Lu": 700, "Y": 8.5, "Sc": 1000,
    }  # fmt: skip
    return {k: _q(f"{v} USD/kg") for k, v in p.items()}


class EconomicsSettings(StrictModel):
    """Costs, prices and finance (``[supply.economics]``). Real terms, no inflation."""

    currency: Literal["USD", "JPY"] = "USD"
    jpy_per_usd: JpyPerUsd = Field(
        default=_q("150 JPY/USD"),
        description="Exchange rate (assumption, 2025 order); > 0 and <= 1,000 (the yen was fixed at 360 per USD "
        "in 1949-1971 and has traded at ~75-160 since 1995).",
    )
    prices: dict[str, MoneyPerMass] = Field(
        default_factory=_default_prices, description="Oxide prices per kg of oxide."
    )
    lifting_cost: MoneyPerMass = Field(default=_q("30 USD/t"), description="Per dry t of mud (assumption).")
    transport_cost: MoneyPerMass = Field(default=_q("20 USD/t"), description="Per dry t of mud (assumption).")
    dewatering_cost: MoneyPerMass = Field(default=_q("5 USD/t"), description="Per dry t of mud (assumption).")
    processing_cost: MoneyPerMass = Field(
        default=_q("60 USD/t"), description="Leach and separation per dry t fed to leaching: concentrate, or mud without beneficiation (assumption)."
    )
    fixed_cost: MoneyPerTime = Field(
        default=_q("1e8 USD/year"),
        description="Fixed cost while a phase runs (vessel, crew, island base) (assumption).",
    )
    royalty: Dimensionless = Field(default=_q("0"), description="Share of revenue (assumption: none in the EEZ).")
    tax_rate: Dimensionless = Field(default=_q("0.30"), description="Corporate tax, Japan ~30 % (assumption).")
    depreciation_years: Time = Field(default=_q("10 year"), description="Straight-line tax depreciation.")
    discount_rate: DiscountRate = Field(
        default=_q("8 percent/year"),
        description="Real discount rate (assumption); 0-50 %/year: mining projects use ~5-12 % real, and above 50 % "
        "every year after the first few is worth nothing.",
    )

    @model_validator(mode="after")
    def _check(self) -> EconomicsSettings:
        _check_fraction(self.royalty, "royalty")
        _check_fraction(self.tax_rate, "tax_rate")
        for sym in self.prices:
            _check_element(sym, "prices")
        if self.depreciation_years.to("year").magnitude < 1:
            raise ValueError(f"depreciation_years: got {self.depreciation_years:~}; expected >= 1 year")
        return self

    def money(self, q: pint.Quantity, units: str) -> float:
        """Magnitude of an amount in the reporting currency, ``units`` like ``"{cur}/t"``."""
        converted = convert_currency(q, self.currency, jpy_per_usd=self.jpy_per_usd)
        return float(converted.to(units.format(cur=self.currency)).magnitude)


class OffsetSettings(StrictModel):
    """Which item the headline offset year and the tornado use (``[supply.offset]``)."""

    item: str = Field(default="TREO", description="An element symbol, 'TREO' or 'magnet'.")
    fraction: Dimensionless = Field(
        default=_q("0.5"), description="Also report the first year supply ≥ this × imports from China."
    )

    @model_validator(mode="after")
    def _check(self) -> OffsetSettings:
        if self.item not in ELEMENTS and self.item not in ("TREO", "magnet"):
            raise ValueError(f"item: got {self.item!r}; expected an element symbol, 'TREO' or 'magnet'")
        _check_fraction(self.fraction, "fraction", upper=None)
        return self


#: Parameters that may be declared uncertain: name → (dimensionality, unit of magnitude,
#: what it does). "replaces" = replaces the value everywhere it is used.
UNCERTAIN_PARAMETERS: dict[str, tuple[str, str, str]] = {
    "plan.availability": ("[]", "", "replaces every phase's availability"),
    "plan.rate_multiplier": ("[]", "", "multiplies every phase's rate (base 1)"),
    "plan.start_delay": ("[time]", "year", "delays every delayable phase (base 0)"),
    "plan.years_to_nameplate": ("[time]", "year", "replaces it for phases with a ramp-up"),
    "plan.solids_fraction": ("[]", "", "replaces plan.solids_fraction"),
    "plan.mining_recovery": ("[]", "", "replaces plan.mining_recovery"),
    "plan.dilution": ("[]", "", "replaces plan.dilution"),
    "processing.upgrade_factor": ("[]", "", "replaces the beneficiation upgrade factor"),
    "processing.beneficiation_recovery": ("[]", "", "replaces the beneficiation recovery"),
    "processing.leach_recovery": ("[]", "", "replaces the leach recovery of every element"),
    "processing.separation_recovery": ("[]", "", "replaces the separation recovery of every element"),
    "demand.growth_rate": ("1/[time]", "1/year", "replaces demand.growth_rate"),
    "demand.china_share": ("[]", "", "replaces China's share for every element"),
    "economics.price_multiplier": ("[]", "", "multiplies every price (base 1)"),
    "economics.capex_multiplier": ("[]", "", "multiplies every capex (base 1)"),
    "economics.opex_multiplier": ("[]", "", "multiplies the costs per tonne and fixed cost (base 1)"),
    "economics.discount_rate": ("1/[time]", "1/year", "replaces economics.discount_rate"),
}


#: Allowed range of the values (value, low, mode, high, mean, median) of each uncertain parameter,
#: in the unit of :data:`UNCERTAIN_PARAMETERS`; None = unbounded on that side.
PARAMETER_RANGES: dict[str, tuple[float | None, float | None]] = {
    "plan.availability": (0.0, 1.0),
    "plan.rate_multiplier": (0.0, None),
    "plan.start_delay": (0.0, 100.0),
    "plan.years_to_nameplate": (0.0, 100.0),
    "plan.solids_fraction": (0.0, 1.0),
    "plan.mining_recovery": (0.0, 1.0),
    "plan.dilution": (0.0, None),
    "processing.upgrade_factor": (1.0, None),
    "processing.beneficiation_recovery": (0.0, 1.0),
    "processing.leach_recovery": (0.0, 1.0),
    "processing.separation_recovery": (0.0, 1.0),
    "demand.growth_rate": (-0.5, 0.5),
    "demand.china_share": (0.0, 1.0),
    "economics.price_multiplier": (0.0, None),
    "economics.capex_multiplier": (0.0, None),
    "economics.opex_multiplier": (0.0, None),
    "economics.discount_rate": (0.0, 0.5),
}
assert set(PARAMETER_RANGES) == set(UNCERTAIN_PARAMETERS)


_REQUIRED = {
    "fixed": ("value",),
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "normal": ("mean", "sd"),
    "lognormal": ("median", "sigma"),
}


class Distribution(StrictModel):
    """A parameter distribution, e.g. ``{dist="triangular", low="0.6", mode="0.75", high="0.85"}``.

    - ``fixed``: ``value``
    - ``uniform``: ``low``, ``high``
    - ``triangular``: ``low``, ``mode``, ``high``
    - ``normal``: ``mean``, ``sd``; optional ``low``/``high`` clip the draws
    - ``lognormal``: ``median`` and ``sigma`` (standard deviation of the natural log,
      dimensionless); optional ``low``/``high`` clip the draws

    Values are strings; dimensional parameters need units (``"1 year"``).
    """

    dist: Literal["fixed", "uniform", "triangular", "normal", "lognormal"]
    value: str | float | None = None
    low: str | float | None = None
    mode: str | float | None = None
    high: str | float | None = None
    mean: str | float | None = None
    sd: str | float | None = None
    median: str | float | None = None
    sigma: str | float | None = None

    @model_validator(mode="after")
    def _check(self) -> Distribution:
        need = _REQUIRED[self.dist]
        missing = [k for k in need if getattr(self, k) is None]
        if missing:
            raise ValueError(f"dist={self.dist!r}: missing {', '.join(missing)}; expected {', '.join(need)}")
        return self

    def magnitudes(self, dimension: str, unit: str, *, field: str) -> dict[str, float]:
        """The given parameters as floats in ``unit`` (sigma stays dimensionless)."""
        out: dict[str, float] = {}
        for key in ("value", "low", "mode", "high", "mean", "sd", "median", "sigma"):
            raw = getattr(self, key)
            if raw is None:
                continue
            dim = "[]" if key == "sigma" else dimension
            q = parse_quantity(raw, dim, field=f"{field}.{key}", allow_bare=dim == "[]")
            out[key] = float(q.to(unit or "").magnitude)
        lo, mo, hi = out.get("low"), out.get("mode"), out.get("high")
        if lo is not None and hi is not None and lo > hi:
            raise UnitsError(f"{field}: low {lo} > high {hi}; expected low <= high")
        if mo is not None and lo is not None and hi is not None and not lo <= mo <= hi:
            raise UnitsError(f"{field}: mode {mo} outside [low, high]; expected low <= mode <= high")
        if self.dist == "lognormal" and out["median"] <= 0:
            raise UnitsError(f"{field}.median: got {out['median']}; expected > 0")
        for key in ("sd", "sigma"):
            if key in out and out[key] < 0:
                raise UnitsError(f"{field}.{key}: got {getattr(self, key)!r}; expected >= 0; fix: give a spread >= 0")
        return out


class UncertaintySettings(StrictModel):
    """Monte Carlo and tornado (``[supply.uncertainty]``)."""

    draws: int = Field(default=1000, ge=0, le=MAX_DRAWS,
                       description="Monte Carlo draws, 0-100,000; 0 = deterministic only (P10/P90 are stable to "
                       "< 1 % by ~1,000; memory grows as draws x years x elements).")
    parameters: dict[str, Distribution] = Field(default_factory=dict)
    tornado: bool = Field(default=True, description="One-at-a-time P10/P90 swings of each parameter.")

    @model_validator(mode="after")
    def _check(self) -> UncertaintySettings:
        for name, dist in self.parameters.items():
            if name not in UNCERTAIN_PARAMETERS:
                raise ValueError(
                    f"parameters: got unknown parameter {name!r}; expected one of "
                    f"{', '.join(UNCERTAIN_PARAMETERS)}"
                )
            dim, unit, _ = UNCERTAIN_PARAMETERS[name]
            try:
                values = dist.magnitudes(dim, unit, field=f"parameters.{name}")
            except UnitsError as exc:
                raise ValueError(str(exc)) from None
            lo, hi = PARAMETER_RANGES[name]
            for key in ("value", "low", "mode", "high", "mean", "median"):
                v = values.get(key)
                if v is not None and ((lo is not None and v < lo) or (hi is not None and v > hi)):
                    bounds = f"[{lo:g}, {hi:g}]" if hi is not None else f">= {lo:g}"
                    raise ValueError(f"parameters.{name}.{key}: got {getattr(dist, key)!r}; expected {bounds}"
                                     f"{' ' + unit if unit else ''}; fix: keep the distribution within that range")
        return self


class SupplySettings(StrictModel):
    """The ``[supply]`` table. An empty table validates to the documented defaults.

    ``scenarios`` maps a name to a partial ``[supply]`` table merged over this one (tables
    are merged key by key, lists such as ``plan.phases`` are replaced whole); each merged
    scenario must validate.
    """

    start_year: int = Field(default=2026, ge=YEAR_RANGE[0], le=YEAR_RANGE[1],
                            description="First modelled year (and discounting base), 1900-2200.")
    end_year: int = Field(default=2065, ge=YEAR_RANGE[0], le=YEAR_RANGE[1],
                          description="Last modelled year (inclusive), 1900-2200 and at most 200 years after "
                          "start_year (the model holds draws x years x elements arrays).")
    plan: PlanSettings = Field(default_factory=PlanSettings)
    sequence: SequenceSettings = Field(default_factory=SequenceSettings)
    processing: ProcessingSettings = Field(default_factory=ProcessingSettings)
    demand: DemandSettings = Field(default_factory=DemandSettings)
    economics: EconomicsSettings = Field(default_factory=EconomicsSettings)
    offset: OffsetSettings = Field(default_factory=OffsetSettings)
    uncertainty: UncertaintySettings = Field(default_factory=UncertaintySettings)
    scenarios: dict[str, dict[str, Any]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> SupplySettings:
        if self.end_year < self.start_year:
            raise ValueError(f"end_year: got {self.end_year} < start_year {self.start_year}; expected "
                             "start_year <= end_year; fix: swap them")
        if self.end_year - self.start_year > MAX_HORIZON_YEARS:
            raise ValueError(f"end_year: got {self.end_year}, {self.end_year - self.start_year} years after "
                             f"start_year {self.start_year}; expected at most {MAX_HORIZON_YEARS} years; "
                             f"fix: e.g. end_year = {self.start_year + 40}")
        for i, phase in enumerate(self.plan.phases):
            start = phase.start_year
            end = None if phase.duration is None else start + float(phase.duration.to("year").magnitude)
            if start >= self.end_year + 1:
                raise ValueError(
                    f"plan.phases.{i}.start_year: got {start:g}, after the horizon {self.start_year}-{self.end_year}; "
                    "expected a phase that starts by end_year (it would never produce); fix: move the phase or "
                    "extend end_year")
            if end is not None and end <= self.start_year:
                # a finished phase (e.g. the 2027 trial when start_year moves later) is history, not an error
                logging.getLogger(__name__).warning(
                    "supply.plan.phases.%d (%s): runs %g-%g, before start_year %d: it adds nothing to the projection",
                    i, phase.name, start, end, self.start_year)
        for i, d in enumerate(self.demand.disruptions):
            if d.from_year > self.end_year or (d.until_year is not None and d.until_year < self.start_year):
                raise ValueError(
                    f"demand.disruptions.{i}.from_year: got {d.from_year}-{d.until_year or 'on'}, outside the "
                    f"horizon {self.start_year}-{self.end_year}; expected a disruption within it; fix: move it")
        for name in self.scenarios:
            try:
                self.scenario(name)
            except ValidationError as exc:
                raise ValueError(_describe(exc, f"scenarios.{name}")) from None
        return self

    @property
    def years(self) -> list[int]:
        return list(range(self.start_year, self.end_year + 1))

    def scenario(self, name: str) -> SupplySettings:
        """The settings of scenario ``name`` (this table with the scenario's overrides)."""
        base = self.model_dump(mode="json", exclude={"scenarios"})
        merged = _merge(base, self.scenarios[name])
        merged.pop("scenarios", None)
        return SupplySettings.model_validate(merged)


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict) and key not in (
            "by_element", "prices", "parameters", "china_share_by_element",
            "leach_recovery_by_element", "separation_recovery_by_element",
        ):  # fmt: skip
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def parse_supply_settings(table: Mapping[str, Any] | None, *, source: str = "config") -> SupplySettings:
    """Validate a ``[supply]`` table, turning pydantic errors into one-line ConfigErrors.

    Parameters
    ----------
    table : mapping or None
        The parsed ``[supply]`` TOML table (None or empty → defaults).
    source : str
        File name for the message.

    Raises
    ------
    ConfigError
        Naming the field (``supply.plan.phases.0.rate_per_system``), the value and the fix.
    """
    try:
        return SupplySettings.model_validate(dict(table or {}))
    except ValidationError as exc:
        raise ConfigError(f"{source}: {_describe(exc, 'supply')}") from None


def _describe(exc: ValidationError, prefix: str) -> str:
    """One line naming the field of the first error of ``exc``."""
    err = exc.errors()[0]
    loc = ".".join([prefix, *(str(p) for p in err["loc"])])
    if err["type"] == "extra_forbidden":
        return f"{loc}: unknown key (got {err.get('input')!r}); fix: remove it or correct its spelling"
    msg = describe_error(err)
    if named_key(msg) is not None and isinstance(err.get("input"), dict):  # our validators name the sub-field
        return f"{loc}.{msg}"
    return f"{loc}: {msg}"
