"""The separation and refining stage: ``[supply.separation]`` and its ``[[supply.separation.plants]]``.

Only oxide separated outside China counts toward offsetting imports from China (about 90 % of
world separation/refining is in China, IEA 2025 [N]; oxide separated there does not reduce
dependence on China). Each plant has two circuits: the **light** circuit (La, Ce, Pr, Nd, Sm)
and the **heavy** circuit (Eu–Lu, Y and Sc); capacities are t of rare-earth oxide fed per year.

Examples
--------
>>> s = SeparationSettings()
>>> [(p.name, p.location) for p in s.plants]
[('japan_pilot', 'japan'), ('japan_commercial', 'japan')]
>>> LIGHT_CIRCUIT
('La', 'Ce', 'Pr', 'Nd', 'Sm')
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from seabed.config.base import (
    Dimensionless,
    MassRate,
    Money,
    MoneyPerMass,
    StrictModel,
    Time,
    bounded,
)
from seabed.config.supply_market import YEAR_RANGE, check_element, check_fraction
from seabed.units import Quantity

__all__ = ["HEAVY_CIRCUIT", "LIGHT_CIRCUIT", "PlantSettings", "SeparationSettings"]

#: Elements of the light circuit (LREE La–Sm); every other element (Eu–Lu, Y, Sc) is heavy.
LIGHT_CIRCUIT = ("La", "Ce", "Pr", "Nd", "Sm")
#: Elements of the heavy circuit (HREE + Y; Sc assigned here too [assumption]).
HEAVY_CIRCUIT = ("Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu", "Y", "Sc")

Capacity = bounded(MassRate, "t/year", ge=0, fix="give the oxide feed capacity, e.g. '3000 t/year'")


class PlantSettings(StrictModel):
    """One separation plant (``[[supply.separation.plants]]``).

    Runs from its start (``start_year``, or ``separation.decision_year + lead_time``) at full
    capacity (pro rata in its first year), to the end of the horizon.
    """

    name: str = Field(description="Label of the plant.")
    location: Literal["japan", "allied", "china"] = Field(
        description="Where it separates: only 'japan' and 'allied' count toward the import offset.")
    light_capacity: Capacity = Field(description="Light circuit (La, Ce, Pr, Nd, Sm): t REO fed per year, >= 0.")
    heavy_capacity: Capacity = Field(description="Heavy circuit (Eu-Lu, Y, Sc): t REO fed per year, >= 0.")
    start_year: float | None = Field(
        default=None, description="Start as a decimal calendar year; with neither it nor lead_time, the end of the "
        "project gates ([supply.gates]).")
    delayable: bool = Field(default=True, description="Shifted by the gate and start-delay draws with the mining.")
    lead_time: Time | None = Field(
        default=None, description="Years from separation.decision_year to the start (instead of start_year).")
    capex: Money = Field(default="0 USD", description="Capital cost of the plant.")
    capex_years: Time = Field(default="3 year", description="Capex spread evenly over the whole years before the start.")
    opex: MoneyPerMass = Field(default="0 USD/t", description="Operating cost per t of REO fed.")
    recovery: Dimensionless | None = Field(
        default=None, description="Separation recovery; None = processing.separation_recovery (0.95 [assumption]).")
    recovery_by_element: dict[str, Dimensionless] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> PlantSettings:
        if self.start_year is not None and self.lead_time is not None:
            raise ValueError("start_year: give either start_year or lead_time (from separation.decision_year), "
                             "or neither (start at the end of [supply.gates])")
        if self.start_year is not None and not YEAR_RANGE[0] <= self.start_year <= YEAR_RANGE[1]:
            raise ValueError(f"start_year: got {self.start_year:g}; expected a year in {YEAR_RANGE[0]}-{YEAR_RANGE[1]}")
        if self.lead_time is not None and self.lead_time.to("year").magnitude < 0:
            raise ValueError(f"lead_time: got {self.lead_time:~}; expected >= 0 year")
        if self.capex_years.to("year").magnitude < 1:
            raise ValueError(f"capex_years: got {self.capex_years:~}; expected >= 1 year")
        if self.opex.magnitude < 0 or self.capex.magnitude < 0:
            raise ValueError("opex: expected costs >= 0")
        check_fraction(self.recovery, "recovery")
        for sym, q in self.recovery_by_element.items():
            check_element(sym, "recovery_by_element")
            check_fraction(q, f"recovery_by_element.{sym}")
        return self


def _default_plants() -> list[PlantSettings]:
    return [
        # SIP plan: refining of the trial mud on the mainland (DOMAIN.md [N]); a pilot plant sized
        # for the 2027 trial (tens of t REO) [assumption]; its cost is inside the trial budget.
        PlantSettings(name="japan_pilot", location="japan", light_capacity=Quantity("50 t/year"),
                      heavy_capacity=Quantity("50 t/year"), start_year=2027.1, opex=Quantity("5000 USD/t"),
                      delayable=False),
        # A Japanese plant built with the commercial phase (it starts at the end of the gates) and sized just
        # above the plateau feed of the centred base case (~1,000 t light + ~900 t heavy REO/yr on the
        # default run): 1,200 + 1,000 t/yr [assumption]; capex US$0.5 bn for 5,000 t/yr [assumption: no
        # public figure] scaled by capacity with exponent 0.6, i.e. 0.5 x (2,200/5,000)^0.6 = US$0.3 bn [C];
        # opex US$5,000/t REO [assumption].
        PlantSettings(name="japan_commercial", location="japan", light_capacity=Quantity("1200 t/year"),
                      heavy_capacity=Quantity("1000 t/year"), capex=Quantity("3e8 USD"),
                      capex_years=Quantity("3 year"), opex=Quantity("5000 USD/t")),
    ]


class SeparationSettings(StrictModel):
    """Separation and refining (``[supply.separation]``): plants, and what happens to the rest.

    Concentrate beyond the capacity of the plants (non-China plants first, in the order given,
    then China plants) goes to China (``surplus = "china"``: separated there, counts for nothing
    toward the offset) or is stockpiled and separated later when a plant has spare capacity
    (``"stockpile"``).
    """

    plants: list[PlantSettings] = Field(default_factory=_default_plants)
    surplus: Literal["china", "stockpile"] = Field(
        default="china", description="Where concentrate beyond the plants' capacity goes [assumption: China].")
    decision_year: int | None = Field(
        default=None, ge=YEAR_RANGE[0], le=YEAR_RANGE[1], description="Base year of the plants' lead_time.")

    @model_validator(mode="after")
    def _check(self) -> SeparationSettings:
        for i, p in enumerate(self.plants):
            if p.lead_time is not None and self.decision_year is None:
                raise ValueError(f"plants.{i}.lead_time: needs separation.decision_year; fix: set decision_year")
        return self

    def start(self, i: int) -> float:
        """Start of plant ``i`` as a decimal year."""
        p = self.plants[i]
        if p.start_year is None and p.lead_time is None:
            raise ValueError(f"plants.{i}: starts at the end of the gates; use SupplySettings.plant_start")
        if p.start_year is not None:
            return float(p.start_year)
        return float(self.decision_year) + float(p.lead_time.to("year").magnitude)
