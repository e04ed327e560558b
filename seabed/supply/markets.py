"""Oxide markets: price levels per element, market sizes and the disruption premium.

Notes
-----
Revenue of element ``e`` in year ``y`` (reporting currency), with ``S`` oxide separated outside
China, ``S^CN`` separated in China (sold as concentrate), base price ``p``, price factor ``z``
(Monte Carlo draw, median 1), disruption cut ``c``, premium ``π``, payable ``φ``:

.. math::

    q = S + S^{CN},\\qquad
    g(q) = (1 + q/M)^{-1/ε}\\ \\text{(excess = "price")}\\quad\\text{or}\\quad \\min(q, M)/q\\ \\text{("stockpile")}

    R_{e,y} = z_e\\,p_e\\,g(q)\\,[S\\,(1 + π c_{e,y}) + φ\\,S^{CN}]

``M`` is the element's world market (t/yr; unlimited without a size) and ``ε`` the price
elasticity: with ``ε = 1`` the revenue from an element never exceeds ``z p M (1 + π c)``.
Price factors are correlated lognormal: ``ln z = σ_e (√ρ Z_0 + √(1 − ρ) Z_e)`` with standard
normal ``Z``, so the median of every price is its base price.

Examples
--------
>>> import numpy as np
>>> float(market_factor(np.array([12.5]), np.array([12.5]), elasticity=1.0, excess="price")[0])
0.5
>>> float(market_factor(np.array([50.0]), np.array([12.5]), elasticity=1.0, excess="stockpile")[0])
0.25
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from seabed.config.supply_markets import MarketSettings

__all__ = ["market_factor", "market_sizes", "price_factors", "price_sigmas", "revenue_by_element"]


def market_sizes(markets: MarketSettings, elements: Sequence[str]) -> np.ndarray:
    """World market per element, t oxide/yr (inf without a size), shape (E,)."""
    return np.array([float(markets.size[e].to("t/year").magnitude) if e in markets.size else np.inf
                     for e in elements])


def price_sigmas(markets: MarketSettings, elements: Sequence[str]) -> np.ndarray:
    """Log-standard deviation of each element's price level, shape (E,)."""
    return np.array([float(markets.price_sigma_by_element.get(e, markets.price_sigma).to("").magnitude)
                     for e in elements])


def price_factors(markets: MarketSettings, elements: Sequence[str], n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` draws of correlated lognormal price factors (median 1), shape (n, E)."""
    rho = float(markets.price_correlation.to("").magnitude)
    common = rng.standard_normal((n, 1))
    own = rng.standard_normal((n, len(elements)))
    z = np.sqrt(rho) * common + np.sqrt(1.0 - rho) * own
    return np.exp(price_sigmas(markets, elements)[None, :] * z)


def market_factor(q: np.ndarray, size: np.ndarray, *, elasticity: float, excess: str) -> np.ndarray:
    """Revenue per tonne sold relative to the base price, for sales ``q`` (t/yr) into markets ``size``.

    ``excess = "price"``: ``(1 + q/M)^(−1/ε)``; ``"stockpile"``: ``min(q, M)/q`` (1 where q = 0).
    """
    q = np.asarray(q, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        if excess == "stockpile":
            out = np.where(q > size, size / q, 1.0)
        else:
            out = (1.0 + q / size) ** (-1.0 / elasticity)
    return np.where(np.isfinite(size), out, 1.0)


def revenue_by_element(
    outside: np.ndarray,
    in_china: np.ndarray,
    price: np.ndarray,
    *,
    size: np.ndarray,
    markets: MarketSettings,
    cut: np.ndarray,
) -> np.ndarray:
    """Revenue per draw, year and element (currency/yr), shape (D, Y, E).

    Parameters
    ----------
    outside, in_china : ndarray (D, Y, E)
        t oxide/yr separated outside China and in China.
    price : ndarray (D, E)
        Price per t of separated oxide (base × draw factors).
    size : ndarray (E,)
        World market, t/yr.
    markets : MarketSettings
        Elasticity, excess rule, disruption premium, concentrate payable.
    cut : ndarray (Y, E)
        Fraction of imports from China cut (the premium applies in proportion).
    """
    premium = float(markets.disruption_premium.to("").magnitude)
    payable = float(markets.concentrate_payable.to("").magnitude)
    g = market_factor(outside + in_china, size[None, None, :], elasticity=markets.elasticity, excess=markets.excess)
    return price[:, None, :] * g * (outside * (1.0 + premium * cut[None]) + payable * in_china)
