"""Markets for the oxides: ``[supply.markets]`` (market sizes, price response, price uncertainty).

A small market cannot absorb the mud's output at today's price. Each element has a world market
size ``M`` (t oxide per year); adding ``q`` t/yr of the project's sales to it moves the price
along a constant-elasticity demand curve (``excess = "price"``) or the sales above ``M`` are
stockpiled unsold (``excess = "stockpile"``). During a disruption of China's exports the price
of the controlled elements sold from non-China separation rises by ``disruption_premium``.
Concentrate sold to China for separation earns ``concentrate_payable`` of the separated price.

Examples
--------
>>> m = MarketSettings()
>>> m.size["Sc"].to("t/year").magnitude
12.5
>>> m.elasticity, m.excess
(1.0, 'price')
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from seabed.config.base import Dimensionless, MassRate, StrictModel, bounded
from seabed.config.supply_market import check_element, check_fraction

__all__ = ["MarketSettings"]

MarketSize = bounded(MassRate, "t/year", gt=0, fix="give the world market in oxide tonnes per year, e.g. '12.5 t/year'")


def _default_sizes() -> dict[str, str]:
    # Sc: world output ~10-15 t/yr (USGS via trade press 2025, DOMAIN.md [N]), mid value 12.5.
    # All others: ORDER-OF-MAGNITUDE ASSUMPTIONS of world oxide consumption (~390 kt REO/yr world
    # mine output split by typical use; no per-element figure in DOMAIN.md). They matter only where
    # the mud's sales are a large fraction of them (Sc, Lu, Tm, Y, Tb, Dy).
    t = {
        "La": 90000, "Ce": 140000, "Pr": 20000, "Nd": 70000, "Sm": 3000, "Eu": 300, "Gd": 3000,
        "Tb": 500, "Dy": 2000, "Ho": 200, "Er": 1500, "Tm": 50, "Yb": 200, "Lu": 50, "Y": 10000,
        "Sc": 12.5,
    }  # fmt: skip
    return {k: f"{v} t/year" for k, v in t.items()}


def _default_sigma() -> dict[str, str]:
    # Thin, opaque markets swing more than NdPr [assumption].
    return {e: "0.5" for e in ("Sm", "Eu", "Gd", "Ho", "Er", "Tm", "Yb", "Lu", "Sc")}


class MarketSettings(StrictModel):
    """World markets of the oxides and the price response (``[supply.markets]``).

    Notes
    -----
    With base price ``p``, market size ``M`` and elasticity ``ε`` the project selling ``q`` t/yr
    gets ``P(q) = p (1 + q/M)^(−1/ε)`` for every tonne (``excess = "price"``): revenue
    ``p q (1 + q/M)^(−1/ε)`` is ~``p q`` when ``q ≪ M`` and, with the default ``ε = 1``, never
    exceeds ``p M``. With ``excess = "stockpile"`` sales are ``min(q, M)`` at ``p`` and the rest is
    kept unsold. Elements without a size have an unlimited market.
    """

    size: dict[str, MarketSize] = Field(
        default_factory=_default_sizes,
        description="World market per element, t oxide/yr: Sc 12.5 (world output ~10-15 t/yr, USGS via trade press "
        "2025 [N]); other elements are order-of-magnitude [assumption]s.",
    )
    elasticity: float = Field(
        default=1.0, gt=0, le=10,
        description="Price elasticity of demand (absolute value, 0-10) for sales into a market of size M "
        "[assumption: 1, revenue bounded by price x market size; critical-mineral demand is inelastic in the short "
        "run, so lower values are plausible].",
    )
    excess: Literal["price", "stockpile"] = Field(
        default="price",
        description="Sales beyond the market: depress the price ('price', elasticity) or are stockpiled unsold "
        "('stockpile') [assumption: price].",
    )
    price_sigma: Dimensionless = Field(
        default="0.3",
        description="Monte Carlo: log-standard deviation of each element's price level (median = the base price) "
        "[assumption: NdPr oxide ranged 55-135 USD/kg in 2025, DOMAIN.md [N], i.e. sigma ~0.3].",
    )
    price_sigma_by_element: dict[str, Dimensionless] = Field(
        default_factory=_default_sigma,
        description="Per-element overrides of price_sigma [assumption: 0.5 for the thin markets Sm, Eu, Gd, Ho, Er, "
        "Tm, Yb, Lu, Sc].",
    )
    price_correlation: Dimensionless = Field(
        default="0.5",
        description="Correlation of the log prices of any two elements in the Monte Carlo (0-1) [assumption].",
    )
    price_persistence: Dimensionless = Field(
        default="0.8",
        description="Monte Carlo: year-to-year persistence of each price path (AR(1) coefficient of the log price, "
        "0-1; 1 = one level for the whole horizon) [assumption].",
    )
    disruption_premium: Dimensionless = Field(
        default="2.0",
        description="Extra price of a controlled element sold outside China during a disruption, x the cut "
        "(2.0 = three times the China price at a full cut): Europe Dy 700-1,000 vs 224-307 and Tb 2,000-4,000 vs "
        "800-1,100 USD/kg after the April 2025 controls (DOMAIN.md [N]).",
    )
    concentrate_payable: Dimensionless = Field(
        default="0.4",
        description="Share of the separated-oxide price paid for mixed concentrate sold to China for separation "
        "[assumption: separators pay well under the contained value].",
    )

    @model_validator(mode="after")
    def _check(self) -> MarketSettings:
        for sym in self.size:
            check_element(sym, "size")
        check_fraction(self.price_sigma, "price_sigma", upper=3.0)
        for sym, q in self.price_sigma_by_element.items():
            check_element(sym, "price_sigma_by_element")
            check_fraction(q, f"price_sigma_by_element.{sym}", upper=3.0)
        check_fraction(self.price_correlation, "price_correlation")
        check_fraction(self.price_persistence, "price_persistence")
        check_fraction(self.disruption_premium, "disruption_premium", upper=100.0)
        check_fraction(self.concentrate_payable, "concentrate_payable")
        return self
