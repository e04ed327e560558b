"""Cash flow and financial metrics, vectorised over draws (arrays ``(D, Y)``).

Notes
-----
All amounts are real (no inflation), in the reporting currency, per calendar year ``t``
(index 0 = ``supply.start_year``, which is also the discounting base):

.. math::

    R_t &= \\sum_e O_{e,t}\\,p_e \\qquad \\text{(revenue; oxide t × price)}\\\\
    \\mathit{Roy}_t &= \\rho R_t\\\\
    \\mathit{Opex}_t &= m_t (c_{lift} + c_{trans} + c_{dew}) + m_t\\,\\pi\\,c_{proc} + F a_t\\\\
    \\mathit{Dep}_t &= \\frac{1}{N}\\sum_{t-N \\le s < t} K_s\\\\
    P_t &= R_t - \\mathit{Roy}_t - \\mathit{Opex}_t - \\mathit{Dep}_t,\\qquad
    L_t = \\max(0, L_{t-1} - P_t)\\ \\text{(losses carried forward)}\\\\
    \\mathit{Tax}_t &= \\tau \\max(0, P_t - L_{t-1})\\\\
    W_t &= w R_t,\\qquad \\Delta W_t = W_t - W_{t-1}\\ (\\text{all of } W \\text{ released in the last year})\\\\
    \\mathit{CF}_t &= R_t - \\mathit{Roy}_t - \\mathit{Opex}_t - K_t - \\mathit{Tax}_t - \\Delta W_t\\\\
    \\mathrm{NPV} &= \\sum_t \\mathit{CF}_t (1 + r)^{-t},\\qquad \\mathrm{NPV}(\\mathrm{IRR}) = 0

with ``m`` dry t of mud, ``π`` the mass pull (1 without beneficiation), ``F`` the fixed cost per
year and ``a`` the fraction of the year mining runs, ``K`` capex, ``N`` depreciation years,
``τ`` the tax rate, ``L`` the tax losses carried forward (none without carry-forward), ``w`` the
working capital per unit of revenue, ``ρ`` the royalty. ``K`` holds initial capex (a phase's own
plus an analogue scaled by mass, :func:`scaled_capex`), sustaining capex and closure. Payback year: the first year
the cumulative undiscounted cash flow is ≥ 0 after having been negative. Unit cost: levelised
cost per kg TREO, ``Σ (Opex + K)(1+r)^{-t} / Σ TREO_t (1+r)^{-t}``. Break-even price multiple:
the factor on all prices that makes NPV = 0 (bisection).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = [
    "break_even_multiple",
    "capex_schedule",
    "discount_factors",
    "irr",
    "levelised_cost",
    "net_cash_flow",
    "npv",
    "payback_year",
    "scaled_capex",
]


def capex_schedule(
    years: np.ndarray, *, amount: np.ndarray, start: np.ndarray, spread: np.ndarray
) -> np.ndarray:
    """Capex per year, spread evenly over the whole years before each phase start.

    Parameters
    ----------
    years : ndarray (Y,)
        Calendar years.
    amount : ndarray (D, P)
        Capex per phase (currency).
    start : ndarray (D, P)
        Phase start, decimal years; capex falls in ``floor(start) − n … floor(start) − 1``.
    spread : ndarray (P,)
        ``n``, whole years of spending (≥ 1).

    Returns
    -------
    ndarray (D, Y)
        Currency per year. Spending before the first year is booked in the first year;
        phases starting after the last year contribute their spending inside the horizon only.
    """
    y = np.asarray(years, dtype=float)[None, None, :]
    s0 = np.floor(start)[..., None]
    n = np.asarray(spread, dtype=float)[None, :, None]
    first = s0 - n
    inside = (y >= first) & (y < s0)
    per_year = amount[..., None] / n
    out = np.sum(np.where(inside, per_year, 0.0), axis=1)
    before = np.clip(np.minimum(s0, y[..., :1]) - first, 0.0, n)  # years spent before y[0]
    out[:, 0] += np.sum(per_year[..., 0] * before[..., 0], axis=1)
    return out


def depreciation(capex: np.ndarray, *, years: int) -> np.ndarray:
    """Straight-line depreciation starting the year after spending, shape like ``capex``."""
    c = np.concatenate([np.zeros_like(capex[:, :1]), np.cumsum(capex, axis=1)], axis=1)
    t = np.arange(capex.shape[1])
    lag = np.clip(t - years, 0, None)
    return (c[:, t] - c[:, lag]) / years


def scaled_capex(analogue: np.ndarray, rate: np.ndarray, analogue_rate: np.ndarray, exponent: np.ndarray) -> np.ndarray:
    """Capex scaled from an analogue by mass: ``analogue × (rate / analogue_rate)^exponent`` (currency).

    Examples
    --------
    >>> round(float(scaled_capex(3.25e9, 6e6, 3e6, 0.6)) / 1e9, 3)
    4.926
    """
    return np.asarray(analogue, dtype=float) * (np.asarray(rate, dtype=float) / analogue_rate) ** exponent


def taxes(profit: np.ndarray, tax_rate: float, *, carry_forward: bool) -> np.ndarray:
    """Tax per year on taxable profit ``profit`` (D, Y), with losses carried forward (no expiry) or not.

    Examples
    --------
    >>> taxes(np.array([[-100.0, 60.0, 60.0]]), 0.5, carry_forward=True).tolist()
    [[0.0, 0.0, 10.0]]
    """
    if not carry_forward:
        return tax_rate * np.maximum(profit, 0.0)
    tax = np.zeros_like(profit)
    losses = np.zeros(profit.shape[0])
    for t in range(profit.shape[1]):
        used = np.minimum(losses, np.maximum(profit[:, t], 0.0))
        tax[:, t] = tax_rate * (np.maximum(profit[:, t], 0.0) - used)
        losses = losses - used + np.maximum(-profit[:, t], 0.0)
    return tax


def net_cash_flow(
    revenue: np.ndarray,
    *,
    opex: np.ndarray,
    capex: np.ndarray,
    royalty: float,
    tax_rate: float,
    depreciation_years: int,
    working_capital: float = 0.0,
    carry_forward: bool = False,
) -> dict[str, np.ndarray]:
    """Royalty, depreciation, tax, working-capital change and net cash flow (currency per year), arrays (D, Y).

    ``working_capital`` is the fraction of a year's revenue tied up (released in the last year);
    ``carry_forward`` offsets tax losses against later profit.
    """
    roy = royalty * revenue
    dep = depreciation(capex, years=depreciation_years)
    tax = taxes(revenue - roy - opex - dep, tax_rate, carry_forward=carry_forward)
    wc = working_capital * revenue
    d_wc = np.diff(wc, axis=1, prepend=0.0)
    d_wc[:, -1] -= wc[:, -1]
    return {
        "royalty": roy,
        "depreciation": dep,
        "tax": tax,
        "working_capital": d_wc,
        "net_cash_flow": revenue - roy - opex - capex - tax - d_wc,
    }


def discount_factors(rate: np.ndarray, n_years: int) -> np.ndarray:
    """``(1 + r)^{-t}``, t = 0 … n−1, shape (D, Y)."""
    r = np.atleast_1d(np.asarray(rate, dtype=float))[:, None]
    return (1.0 + r) ** -np.arange(n_years)[None, :]


def npv(cash_flow: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """Net present value at ``rate`` (per year) with the first year undiscounted, shape (D,)."""
    cf = np.atleast_2d(cash_flow)
    return np.sum(cf * discount_factors(rate, cf.shape[1]), axis=1)


def _bisect(f: Callable[[np.ndarray], np.ndarray], lo: np.ndarray, hi: np.ndarray, n: int = 80) -> np.ndarray:
    """Vectorised bisection of an increasing-or-decreasing f with a sign change on [lo, hi]."""
    f_lo = f(lo)
    f_hi = f(hi)
    ok = np.sign(f_lo) != np.sign(f_hi)
    for _ in range(n):
        mid = 0.5 * (lo + hi)
        f_mid = f(mid)
        left = np.sign(f_mid) == np.sign(f_lo)
        lo = np.where(left, mid, lo)
        f_lo = np.where(left, f_mid, f_lo)
        hi = np.where(left, hi, mid)
    return np.where(ok, 0.5 * (lo + hi), np.nan)


def irr(cash_flow: np.ndarray, *, low: float = -0.99, high: float = 10.0) -> np.ndarray:
    """Internal rate of return per draw (1/year), NaN when NPV has no sign change on [low, high].

    Bisection on ``NPV(r)``; for conventional cash flows (costs first) the root is unique.
    """
    cf = np.atleast_2d(cash_flow)
    t = np.arange(cf.shape[1])[None, :]

    def f(r: np.ndarray) -> np.ndarray:
        return np.sum(cf * (1.0 + r[:, None]) ** -t, axis=1)

    d = cf.shape[0]
    return _bisect(f, np.full(d, low), np.full(d, high), n=100)


def payback_year(cash_flow: np.ndarray, years: np.ndarray) -> np.ndarray:
    """First calendar year whose cumulative cash flow is ≥ 0 after a negative one, NaN if never."""
    cum = np.cumsum(np.atleast_2d(cash_flow), axis=1)
    was_negative = np.maximum.accumulate(cum < 0, axis=1)
    hit = was_negative & (cum >= 0)
    first = np.argmax(hit, axis=1)
    return np.where(hit.any(axis=1), np.asarray(years, dtype=float)[first], np.nan)


def levelised_cost(cost: np.ndarray, kg: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """``Σ cost·DF / Σ kg·DF`` per draw (currency per kg), NaN without production."""
    df = discount_factors(rate, cost.shape[1])
    num = np.sum(cost * df, axis=1)
    den = np.sum(kg * df, axis=1)
    return np.divide(num, den, out=np.full_like(num, np.nan), where=den > 0)


def break_even_multiple(
    revenue: np.ndarray,
    *,
    opex: np.ndarray,
    capex: np.ndarray,
    royalty: float,
    tax_rate: float,
    depreciation_years: int,
    rate: np.ndarray,
    high: float = 1000.0,
    working_capital: float = 0.0,
    carry_forward: bool = False,
) -> np.ndarray:
    """Factor on every price that makes NPV zero, per draw; NaN if above ``high`` or no revenue."""
    def f(m: np.ndarray) -> np.ndarray:
        cf = net_cash_flow(
            m[:, None] * revenue, opex=opex, capex=capex, royalty=royalty,
            tax_rate=tax_rate, depreciation_years=depreciation_years,
            working_capital=working_capital, carry_forward=carry_forward,
        )["net_cash_flow"]
        return npv(cf, rate)

    d = revenue.shape[0]
    return _bisect(f, np.zeros(d), np.full(d, high), n=60)
