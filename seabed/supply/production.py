"""Mining capacity by year: phases, ramp-up S-curves, operating time.

All functions are vectorised over draws: per-phase parameters are arrays of shape
``(draws, phases)`` and results ``(draws, years)``.

Notes
-----
Ramp-up is a logistic curve normalised to run from 0 at the phase start to the plateau
fraction ``p`` at ``T`` years (years to nameplate), then flat:

.. math::

    L(\\tau) = \\frac{1}{1 + e^{-k(\\tau - T/2)}},\\quad k = \\frac{2\\ln 19}{T},\\qquad
    f(\\tau) = p\\,\\frac{L(\\tau) - L(0)}{L(T) - L(0)}\\ (0 \\le \\tau \\le T),\\quad
    f(\\tau) = p\\ (\\tau > T)

(``L(0) = 0.05``, ``L(T) = 0.95``). Its integral has the closed form
:math:`\\int L\\,d\\tau = \\ln(1 + e^{k(\\tau - T/2)})/k`, so the mean utilisation over any part
of a year is exact. ``T = 0`` means full rate from the start.

Dry mud mined in calendar year ``y`` by a phase that runs over ``[s, s + d)``:

.. math::

    m_y = n\\,r_{dry}\\,D\\,A \\int_{a}^{b} f(\\tau - s)\\,d\\tau,\\quad
    a = \\max(y, s),\\ b = \\min(y + 1, s + d)

with ``n`` systems, ``r_dry`` the dry rate per operating day (``r_wet × solids fraction`` when
the rate is wet), ``D`` operating days per year and ``A`` availability.

References
----------
McNulty, T. P. (1998). Developing innovative technology. Mining Engineering 50(10), 50–55.
"""

from __future__ import annotations

import numpy as np

__all__ = ["phase_capacity", "ramp_integral", "ramp_utilisation"]

_L0 = 0.05
_L1 = 0.95
_LOGIT = 2.0 * np.log(_L1 / _L0)  # k·T


def ramp_utilisation(tau: np.ndarray, years_to_nameplate: np.ndarray, plateau: np.ndarray) -> np.ndarray:
    """Instantaneous fraction of nameplate at ``tau`` years after the phase start.

    Parameters
    ----------
    tau : array
        Years since the phase start (negative → 0).
    years_to_nameplate : array
        ``T`` (years); 0 = no ramp-up.
    plateau : array
        Final fraction of nameplate (dimensionless).

    Returns
    -------
    array
        Utilisation in [0, plateau], broadcast shape.
    """
    tau, t, p = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (tau, years_to_nameplate, plateau)))
    ramp = t > 0
    t_safe = np.where(ramp, t, 1.0)
    k = _LOGIT / t_safe
    x = np.clip(tau, 0.0, t_safe)
    logistic = 1.0 / (1.0 + np.exp(-k * (x - t_safe / 2)))
    f = np.where(ramp, (logistic - _L0) / (_L1 - _L0), 1.0)
    return np.where(tau < 0, 0.0, p * f)


def ramp_integral(tau: np.ndarray, years_to_nameplate: np.ndarray, plateau: np.ndarray) -> np.ndarray:
    """``∫_0^tau f`` of :func:`ramp_utilisation` (years × fraction), closed form.

    Parameters
    ----------
    tau : array
        Years since the phase start (values < 0 give 0).
    years_to_nameplate, plateau : array
        As in :func:`ramp_utilisation`.
    """
    tau, t, p = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (tau, years_to_nameplate, plateau)))
    tau = np.maximum(tau, 0.0)
    ramp = t > 0
    t_safe = np.where(ramp, t, 1.0)
    k = _LOGIT / t_safe
    x = np.minimum(tau, t_safe)

    def softplus(z: np.ndarray) -> np.ndarray:
        return np.logaddexp(0.0, z)

    int_logistic = (softplus(k * (x - t_safe / 2)) - softplus(-k * t_safe / 2)) / k
    int_ramp = (int_logistic - _L0 * x) / (_L1 - _L0) + np.maximum(tau - t_safe, 0.0)
    return p * np.where(ramp, int_ramp, tau)


def phase_capacity(
    years: np.ndarray,
    *,
    start: np.ndarray,
    duration: np.ndarray,
    dry_rate: np.ndarray,
    operating_days: np.ndarray,
    availability: np.ndarray,
    years_to_nameplate: np.ndarray,
    plateau: np.ndarray,
) -> np.ndarray:
    """Dry mud mined per calendar year, summed over phases.

    Parameters
    ----------
    years : array (Y,)
        Calendar years; year ``y`` covers ``[y, y + 1)``.
    start : array (D, P)
        Phase start, decimal years.
    duration : array (D, P)
        Phase duration, years (``inf`` = open-ended).
    dry_rate : array (D, P)
        Dry t per operating day, all systems of the phase together.
    operating_days : array (D, P)
        Operating days per year.
    availability : array (D, P)
        Fraction (dimensionless).
    years_to_nameplate, plateau : array (D, P)
        Ramp-up (years, fraction).

    Returns
    -------
    array (D, Y)
        Dry t of mud per year (capacity before any depletion).
    """
    y0 = np.asarray(years, dtype=float)[None, None, :]
    s = start[..., None]
    end = s + duration[..., None]
    a = np.maximum(y0, s)
    b = np.minimum(y0 + 1.0, end)
    b = np.maximum(a, b)
    t = years_to_nameplate[..., None]
    p = plateau[..., None]
    active = ramp_integral(b - s, t, p) - ramp_integral(a - s, t, p)  # (D, P, Y), years
    per_year = (dry_rate * operating_days * availability)[..., None]
    return np.sum(per_year * active, axis=1)
