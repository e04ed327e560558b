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
Price factors are correlated lognormal paths: ``ln z_{e,y} = σ_e X_{e,y}`` with
``X_{e,y} = φ X_{e,y−1} + √(1 − φ²) ε_{e,y}``, ``X_{e,0} = ε_{e,0}`` and
``ε_{e,y} = √ρ Z_{0,y} + √(1 − ρ) Z_{e,y}`` (standard normal ``Z``): every year's ``X`` is standard
normal, so the median of every price in every year is its base price; ``φ`` is the year-to-year
persistence and ``ρ`` the correlation between elements.

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


def price_factors(markets: MarketSettings, elements: Sequence[str], n: int, rng: np.random.Generator,
                  years: int = 1) -> np.ndarray:
    """``n`` draws of correlated lognormal price paths over ``years`` years (median 1 every year), shape
    (n, years, E)."""
    rho = float(markets.price_correlation.to("").magnitude)
    phi = float(markets.price_persistence.to("").magnitude)
    common = rng.standard_normal((n, years, 1))
    own = rng.standard_normal((n, years, len(elements)))
    eps = np.sqrt(rho) * common + np.sqrt(1.0 - rho) * own
    x = np.empty_like(eps)
    x[:, 0] = eps[:, 0]
    for y in range(1, years):
        x[:, y] = phi * x[:, y - 1] + np.sqrt(1.0 - phi**2) * eps[:, y]
    return np.exp(price_sigmas(markets, elements)[None, None, :] * x)


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
    price : ndarray (D, E) or (D, Y, E)
        Price per t of separated oxide (base × draw factors; a path per year when 3-D).
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
    price = price if price.ndim == 3 else price[:, None, :]
    return price * g * (outside * (1.0 + premium * cut[None]) + payable * in_china)
