"""Project gates before commercial production (``[supply.gates]``) and the alternatives to the mud
(``[[supply.alternatives]]``).

Gates: after the dated milestones (the SIP trial from Feb 2027 and its profitability report due
by March 2028, DOMAIN.md [N]) come stages of uncertain duration — feasibility, environmental
assessment and permits, vessel and plant build. Their sum, at the medians, is the base
first-production year of every phase and plant left without a start; in the Monte Carlo each
stage is drawn from a normal distribution (median = mean, truncated at zero) and the difference
from the base delays the delayable phases and plants.

Examples
--------
>>> g = GateSettings()
>>> round(g.first_production(), 2)
2037.2
>>> [a.name for a in default_alternatives()]
['offtake_non_china', 'recycling', 'stockpile_release', 'demand_reduction']
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from seabed.config.base import MassRate, MoneyPerMass, StrictModel, Time, bounded
from seabed.config.supply_market import YEAR_RANGE, check_element
from seabed.units import Quantity

__all__ = ["AlternativeSettings", "GateSettings", "MilestoneSettings", "StageSettings", "default_alternatives"]

Duration = bounded(Time, "year", ge=0, le=50, fix="give a duration, e.g. '3 year'")
Supplied = bounded(MassRate, "t/year", ge=0, fix="give oxide tonnes per year, e.g. '100 t/year'")


class MilestoneSettings(StrictModel):
    """A dated milestone (``[[supply.gates.milestones]]``)."""

    name: str
    year: float = Field(ge=YEAR_RANGE[0], le=YEAR_RANGE[1], description="Decimal calendar year.")
    source: str = ""


class StageSettings(StrictModel):
    """A stage of uncertain duration after the milestones (``[[supply.gates.stages]]``)."""

    name: str
    duration: Duration = Field(description="Median (= mean) duration.")
    sd: Duration = Field(default="0 year", description="Standard deviation of the duration (normal, truncated at 0).")
    source: str = ""


def _milestones() -> list[MilestoneSettings]:
    return [
        MilestoneSettings(name="trial", year=2027.1, source="SIP: ~3-month trial from Feb 2027 (DOMAIN.md [N])"),
        MilestoneSettings(name="profitability_report", year=2028.2,
                          source="SIP: profitability report due by March 2028 (DOMAIN.md [N])"),
    ]


def _stages() -> list[StageSettings]:
    # Durations: [assumption] (no public schedule): a feasibility study of a first-of-a-kind
    # flowsheet ~2 yr; an environmental assessment and permits with no deep-sea mining regime in
    # Japan's EEZ ~3 yr; a new 6,000 m-class lifting vessel and the plant ~4 yr.
    return [
        StageSettings(name="feasibility", duration=Quantity("2 year"), sd=Quantity("0.5 year"),
                      source="[assumption] feasibility study after the profitability report"),
        StageSettings(name="environment_and_permits", duration=Quantity("3 year"), sd=Quantity("1 year"),
                      source="[assumption] environmental assessment and permits (no deep-sea mining regime yet)"),
        StageSettings(name="vessel_and_plant_build", duration=Quantity("4 year"), sd=Quantity("1 year"),
                      source="[assumption] build of the lifting vessel and the processing plant"),
    ]


class GateSettings(StrictModel):
    """The gates before commercial production (``[supply.gates]``)."""

    milestones: list[MilestoneSettings] = Field(
        default_factory=_milestones,
        description="Dated milestones: trial Feb 2027, profitability report Mar 2028 (SIP, DOMAIN.md [N]).")
    stages: list[StageSettings] = Field(
        default_factory=_stages,
        description="Stages after the last milestone: feasibility 2 +/- 0.5 yr, environment and permits 3 +/- 1 yr, "
        "vessel and plant build 4 +/- 1 yr [assumption].")

    @model_validator(mode="after")
    def _check(self) -> GateSettings:
        if not self.milestones:
            raise ValueError("milestones: got an empty list; expected at least one dated milestone")
        return self

    def anchor(self) -> float:
        """The last milestone (decimal year)."""
        return max(m.year for m in self.milestones)

    def durations(self) -> tuple[list[float], list[float]]:
        """Median durations and standard deviations of the stages (years)."""
        return ([float(s.duration.to("year").magnitude) for s in self.stages],
                [float(s.sd.to("year").magnitude) for s in self.stages])

    def first_production(self) -> float:
        """Base first-production year: the last milestone + the median durations."""
        return self.anchor() + sum(self.durations()[0])


class AlternativeSettings(StrictModel):
    """Another way to secure supply outside China (``[[supply.alternatives]]``), compared with the mud.

    ``supply`` gives t oxide/yr per element secured; with ``days_of_demand`` (a stockpile) it is
    that many days of the base-year demand of ``elements``, released over one year. ``cost`` is
    the net cost per t of oxide secured (above what the same oxide from China would cost).
    """

    name: str
    kind: Literal["offtake", "recycling", "stockpile", "demand_reduction"]
    supply: dict[str, Supplied] = Field(default_factory=dict, description="t oxide/yr per element secured.")
    days_of_demand: float | None = Field(default=None, ge=0, le=3650,
                                         description="Stockpile: days of the base-year demand released over a year.")
    elements: list[str] = Field(default_factory=list, description="Elements of a days_of_demand stockpile.")
    cost: MoneyPerMass = Field(description="Net cost per t of oxide secured.")
    source: str = ""

    @model_validator(mode="after")
    def _check(self) -> AlternativeSettings:
        for e in (*self.supply, *self.elements):
            check_element(e, "supply")
        if not self.supply and self.days_of_demand is None:
            raise ValueError("supply: got nothing; expected t/yr per element or days_of_demand")
        return self


def default_alternatives() -> list[AlternativeSettings]:
    """The shipped alternatives; every figure an [assumption] unless it cites DOMAIN.md."""
    q = Quantity
    return [
        AlternativeSettings(
            name="offtake_non_china", kind="offtake",
            supply={"La": q("500 t/year"), "Ce": q("500 t/year"), "Pr": q("330 t/year"), "Nd": q("1000 t/year"),
                    "Dy": q("20 t/year"), "Tb": q("5 t/year")},
            cost=q("5000 USD/t"),
            source="Lynas (JARE/Sojitz-JOGMEC offtake; the only non-China separated Dy/Tb from mid-2025) and Solvay "
                   "La Rochelle (DOMAIN.md [N]); tonnages and the premium over China prices are [assumption]s"),
        AlternativeSettings(
            name="recycling", kind="recycling",
            supply={"Pr": q("100 t/year"), "Nd": q("300 t/year"), "Dy": q("30 t/year"), "Tb": q("6 t/year")},
            cost=q("20000 USD/t"), source="magnet recycling from end-of-life motors and swarf [assumption]"),
        AlternativeSettings(
            name="stockpile_release", kind="stockpile", days_of_demand=60,
            elements=["Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu", "Y"], cost=q("10000 USD/t"),
            source="JOGMEC national stockpile ~60 days of consumption (DOMAIN.md [N]), released over one year; "
                   "holding cost per t [assumption]"),
        AlternativeSettings(
            name="demand_reduction", kind="demand_reduction",
            supply={"Dy": q("100 t/year"), "Tb": q("20 t/year")},
            cost=q("15000 USD/t"),
            source="Dy/Tb-lean magnets (grain-boundary diffusion) [assumption]"),
    ]
