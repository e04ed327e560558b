"""Configuration of the supply model: the ``[supply]`` TOML table.

Every default below is either a figure from ``shared/DOMAIN.md`` (with its source) or a
labelled **assumption** (no public figure exists; the value is a scenario default that a user
is expected to override). ``docs/supply.md`` lists them all.

Dimensional values are strings with units (``"350 t/day"``, ``"3.25e9 USD"``,
``"8 percent/year"``); bare numbers are refused for them. Dimensionless fractions may be
written ``"0.85"``, ``"85 %"`` or ``0.85``.

The Monte Carlo table ``[supply.uncertainty]`` is in :mod:`seabed.config.supply_uncertainty`.

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
from typing import Any, Literal

import pint
from pydantic import Field, ValidationError, model_validator

from seabed.config.base import (
    Dimensionless,
    MassRate,
    Money,
    StrictModel,
    Time,
    bounded,
    config_dict,
    describe_validation_error,
    validate_section,
)
from seabed.config.supply_gates import AlternativeSettings, GateSettings, default_alternatives
from seabed.config.supply_market import (
    YEAR_RANGE,
    ChinaSettings,
    DemandSettings,
    EconomicsSettings,
    check_element,
    check_fraction,
)
from seabed.config.supply_markets import MarketSettings
from seabed.config.supply_separation import SeparationSettings
from seabed.config.supply_uncertainty import UncertaintySettings
from seabed.elements import ELEMENTS, GROUPS
from seabed.units import Quantity

__all__ = [
    "RAMP_UP_PRESETS",
    "BeneficiationSettings",
    "OffsetSettings",
    "PhaseSettings",
    "PlanSettings",
    "ProcessingSettings",
    "SequenceSettings",
    "SupplySettings",
    "parse_supply_settings",
]

#: At most 100 modelled years (two mine lives; beyond that real prices, costs and discounting mean nothing,
#: and the model holds arrays of draws × years × elements).
MAX_HORIZON_YEARS = 100
PositiveRate = bounded(MassRate, "t/day", gt=0, fix="give the mud rate, e.g. '10000 t/day'")


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


class PhaseSettings(StrictModel):
    """One production phase (``[[supply.plan.phases]]``).

    Mud mined in year ``y`` (dry t) is ``systems × rate_dry × operating_days × availability ×
    ∫ ramp(τ) dτ`` over the part of year ``y`` during which the phase runs.
    """

    name: str = Field(description="Label of the phase, e.g. 'trial', 'commercial'.")
    start_year: float | None = Field(
        default=None,
        description="Start as a decimal calendar year (2027.1 ≈ early February 2027); None = the end of the project "
        "gates ([supply.gates], at their medians).",
    )
    duration: Time | None = Field(
        default=None, description="How long the phase runs; None = to the end of the horizon."
    )
    systems: int = Field(default=1, ge=1, le=1000, description="Number of mining systems (vessels), 1-1,000.")
    rate_per_system: PositiveRate = Field(description="Mud rate per system while operating (> 0).")
    rate_basis: Literal["wet", "dry", "unknown"] = Field(
        description="Whether rate_per_system is t/day of wet mud (x plan.solids_fraction = dry), of dry mud, or "
        "'unknown' (dry = rate x (solids + w (1 - solids)), w = plan.dry_basis_weight)."
    )
    operating_days: Time = Field(
        default="330 day", description="Operating days per calendar year (assumption)."
    )
    availability: Dimensionless = Field(
        default="0.85", description="Fraction of operating time producing (assumption)."
    )
    ramp_up_category: int = Field(
        default=3, ge=0, le=4,
        description="McNulty (1998) ramp-up category, 0 = none; 3 for a first-of-a-kind 5,700 m lift with a new "
        "flowsheet (category 3-4, DOMAIN.md [N]).",
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
    capex: Money = Field(default="0 USD", description="Capital cost of the phase (added to the scaled analogue).")
    capex_analogue: Money | None = Field(
        default=None,
        description="Capex of an analogue operation scaled by wet mud mass: analogue x (nameplate wet t/yr / "
        "capex_analogue_rate)^capex_exponent; nodule analogue US$3-3.5 bn for 3 Mt/yr wet (DOMAIN.md [N]).",
    )
    capex_analogue_rate: MassRate = Field(
        default="3e6 t/year", description="Wet mud mass of the analogue, 3 Mt/yr (DOMAIN.md [N]).")
    capex_exponent: float = Field(
        default=0.6, ge=0, le=1.5, description="Scale exponent of capex with mass: 0.6, the usual rule (DOMAIN.md [N]).")
    capex_years: Time = Field(
        default="3 year",
        description="Capex is spread evenly over the whole years before start_year.",
    )

    @model_validator(mode="after")
    def _check(self) -> PhaseSettings:
        check_fraction(self.availability, "availability")
        check_fraction(self.plateau, "plateau")
        if self.capex_analogue_rate.to("t/year").magnitude <= 0:
            raise ValueError(f"capex_analogue_rate: got {self.capex_analogue_rate:~}; expected > 0 t/year")
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

    def ramp(self, category: int | None = None) -> tuple[float, float]:
        """Years to nameplate and plateau fraction (preset of ``category``, default the phase's, unless
        overridden)."""
        years, plateau = RAMP_UP_PRESETS[self.ramp_up_category if category is None else category]
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
        # Commercial phase: no date or scale published. Scenario assumption: starts at the end of
        # the project gates ([supply.gates], 2037.2 at the medians), at the scale of Kato (2013),
        # 10,000 t/day whose wet/dry basis is not stated anywhere ("unknown": halfway, a factor of
        # ~2.6 between the two, DOMAIN.md), McNulty category 3 (first of a kind), availability at the
        # median of its distribution, capex scaled from the 3 Mt/yr wet nodule analogue (US$3.25 bn,
        # mid of 3-3.5) by wet mass with exponent 0.6, spread over 3 years.
        PhaseSettings(
            name="commercial",
            systems=1,
            rate_per_system=_q("10000 t/day"),
            rate_basis="unknown",
            availability=_q("0.75"),
            ramp_up_category=3,
            capex_analogue=_q("3.25e9 USD"),
            capex_years=_q("3 year"),
        ),
    ]


class PlanSettings(StrictModel):
    """Production plan (``[supply.plan]``)."""

    phases: list[PhaseSettings] = Field(default_factory=_default_phases, min_length=1)
    solids_fraction: Dimensionless = Field(
        default="0.38",
        description=(
            "Dry mass / wet mass of lifted mud. 0.38 ≈ dry bulk density 0.50 t/m³ / wet bulk "
            "density 1.32 g/cm³ of Pacific red clay (Bruevich & Kulik 1967) [C]; assumption."
        ),
    )
    dry_basis_weight: Dimensionless = Field(
        default="0.5",
        description="For rate_basis = 'unknown': weight of the dry reading (1 = dry, 0 = wet) [assumption: 0.5, the "
        "basis of Kato's 10,000 t/day is not stated anywhere, DOMAIN.md].",
    )
    mining_recovery: Dimensionless = Field(
        default="0.9", description="Fraction of each block's tonnes recovered (assumption)."
    )
    dilution: Dimensionless = Field(
        default="0.05",
        description="Waste (zero grade) added per tonne of ore mined (assumption).",
    )

    @model_validator(mode="after")
    def _check(self) -> PlanSettings:
        check_fraction(self.solids_fraction, "solids_fraction")
        check_fraction(self.mining_recovery, "mining_recovery")
        check_fraction(self.dry_basis_weight, "dry_basis_weight")
        check_fraction(self.dilution, "dilution", upper=None)
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
        default="2.0",
        description="Grade multiplier; Takaya et al. (2018) reach up to 2.6× (assumption: 2.0).",
    )
    recovery: Dimensionless = Field(
        default="0.8", description="REY recovery to concentrate (assumption)."
    )

    @model_validator(mode="after")
    def _check(self) -> BeneficiationSettings:
        check_fraction(self.recovery, "recovery")
        if self.upgrade_factor.to("").magnitude < 1:
            raise ValueError(f"upgrade_factor: got {self.upgrade_factor:~}; expected >= 1")
        if self.recovery.to("").magnitude > self.upgrade_factor.to("").magnitude:
            raise ValueError("recovery: cannot exceed upgrade_factor (mass pull would exceed 1)")
        return self


class ProcessingSettings(StrictModel):
    """Processing chain (``[supply.processing]``): dewatering → beneficiation → leach → separation."""

    dewatering_volume_reduction: Dimensionless = Field(
        default="0.8",
        description="Informational only: volume −80 % on the island (SIP plan, DOMAIN.md [N]).",
    )
    beneficiation: BeneficiationSettings = Field(default_factory=BeneficiationSettings)
    leach_recovery: Dimensionless = Field(
        default="0.75",
        description="Acid-leach recovery of REY from the apatite [assumption: the median of the shipped "
        "distribution 0.6-0.9].",
    )
    leach_recovery_by_element: dict[str, Dimensionless] = Field(default_factory=dict)
    separation_recovery: Dimensionless = Field(
        default="0.95", description="Solvent-extraction separation recovery (assumption)."
    )
    separation_recovery_by_element: dict[str, Dimensionless] = Field(default_factory=dict)
    scandium_recovery: Dimensionless = Field(
        default="0",
        description="Recovery of Sc from mud to mine-gate oxide; Sc is not carried by the biogenic apatite, so the "
        "REY recoveries do not apply (DOMAIN.md [N]) [assumption: 0, not recovered unless configured].",
    )

    @model_validator(mode="after")
    def _check(self) -> ProcessingSettings:
        check_fraction(self.dewatering_volume_reduction, "dewatering_volume_reduction")
        check_fraction(self.leach_recovery, "leach_recovery")
        check_fraction(self.separation_recovery, "separation_recovery")
        check_fraction(self.scandium_recovery, "scandium_recovery")
        for name in ("leach_recovery_by_element", "separation_recovery_by_element"):
            for sym, q in getattr(self, name).items():
                check_element(sym, name)
                check_fraction(q, f"{name}.{sym}")
        return self


class OffsetSettings(StrictModel):
    """The import-offset answer (``[supply.offset]``), defined once in :mod:`seabed.supply.offset`.

    Per element, coverage = domestic separated supply / imports from China; an element is
    *sustainably offset from y* when coverage ≥ 1 in ``y`` and each of the next ``sustain_years``
    years (cut at the horizon's end). ``item`` and ``fraction`` only choose the context line
    (TREO by default) and the tornado's offset metric; the answer is per controlled element.
    """

    item: str = Field(default="TREO", description="An element symbol, 'TREO' or 'magnet' (context and tornado).")
    fraction: Dimensionless = Field(
        default="0.5", description="Also report the first year supply ≥ this × imports from China [assumption]."
    )
    elements: list[str] | None = Field(
        default=None,
        description=(
            "Elements the offset answer is given for; None = the elements under China's export controls "
            "(4 Apr 2025: Sm, Gd, Tb, Dy, Lu, Sc, Y; 9 Oct 2025: Ho, Er, Tm, Eu, Yb) [source: DOMAIN.md]."
        ),
    )
    sustain_years: int | None = Field(
        default=None, ge=1, le=MAX_HORIZON_YEARS,
        description=(
            "Years coverage must stay ≥ 1 for an offset to count as sustained (1-200); None = every year "
            "to the end of the horizon [assumption: a policy offset must last]."
        ),
    )

    @model_validator(mode="after")
    def _check(self) -> OffsetSettings:
        if self.item not in ELEMENTS and self.item not in ("TREO", "magnet"):
            raise ValueError(f"item: got {self.item!r}; expected an element symbol, 'TREO' or 'magnet'")
        check_fraction(self.fraction, "fraction", upper=None)
        for sym in self.elements or ():
            check_element(sym, "elements")
        if self.elements is not None and not self.elements:
            raise ValueError("elements: got an empty list; expected element symbols, or leave it out")
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
    separation: SeparationSettings = Field(default_factory=SeparationSettings)
    demand: DemandSettings = Field(default_factory=DemandSettings)
    china: ChinaSettings = Field(default_factory=ChinaSettings)
    economics: EconomicsSettings = Field(default_factory=EconomicsSettings)
    markets: MarketSettings = Field(default_factory=MarketSettings)
    gates: GateSettings = Field(default_factory=GateSettings)
    alternatives: list[AlternativeSettings] = Field(default_factory=default_alternatives)
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
            start = self.phase_start(i)
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
        for i in range(len(self.separation.plants)):
            if (start := self.plant_start(i)) >= self.end_year + 1:
                raise ValueError(
                    f"separation.plants.{i}.start_year: got {start:g}, after the horizon {self.start_year}-"
                    f"{self.end_year}; expected a plant that starts by end_year; fix: move it or extend end_year")
        for i, d in enumerate(self.demand.disruptions):
            if d.from_year > self.end_year or (d.until_year is not None and d.until_year < self.start_year):
                raise ValueError(
                    f"demand.disruptions.{i}.from_year: got {d.from_year}-{d.until_year or 'on'}, outside the "
                    f"horizon {self.start_year}-{self.end_year}; expected a disruption within it; fix: move it")
        for name in self.scenarios:
            try:
                self.scenario(name)
            except ValidationError as exc:
                raise ValueError(describe_validation_error(exc, prefix=f"scenarios.{name}")) from None
        return self

    @property
    def years(self) -> list[int]:
        return list(range(self.start_year, self.end_year + 1))

    def phase_start(self, i: int) -> float:
        """Base start of phase ``i`` (decimal year): its ``start_year``, else the end of the gates."""
        start = self.plan.phases[i].start_year
        return self.gates.first_production() if start is None else float(start)

    def plant_start(self, i: int) -> float:
        """Base start of separation plant ``i``: as :meth:`SeparationSettings.start`, else the end of the gates."""
        p = self.separation.plants[i]
        return self.gates.first_production() if p.start_year is None and p.lead_time is None else self.separation.start(i)

    def scenario(self, name: str) -> SupplySettings:
        """The settings of scenario ``name`` (this table with the scenario's overrides)."""
        base = config_dict(self, exclude={"scenarios"})
        merged = _merge(base, self.scenarios[name])
        merged.pop("scenarios", None)
        return SupplySettings.model_validate(merged)


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict) and key not in (
            "by_element", "prices", "parameters", "china_share_by_element", "share",
            "leach_recovery_by_element", "separation_recovery_by_element", "size", "price_sigma_by_element", "supply",
        ):  # fmt: skip
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def parse_supply_settings(table: Mapping[str, Any] | None, *, source: str = "config") -> SupplySettings:
    """Validate a ``[supply]`` table alone (the one parse path, :func:`seabed.config.base.validate_section`).

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
    return validate_section(SupplySettings, table, source=source, prefix="supply")
