"""Japan's demand, imports, imports from China and supply disruptions.

Notes
-----
For element ``e`` and year ``y`` (tonnes of oxide per year):

.. math::

    D_{e,y} = D_{e,0}(1 + g)^{y - y_0},\\quad I_{e,y} = s_I D_{e,y},\\quad
    C_{e,y} = s_{C,e} I_{e,y},\\quad C'_{e,y} = (1 - c_{e,y}) C_{e,y}

with base-year demand ``D_0`` (Japan Society of Newer Metals 2024 total; per-element split
partly assumed), growth ``g``, import share ``s_I``, China's share ``s_C`` (JOGMEC 2024) and
the disruption cut ``c`` (0 outside a disruption). ``C`` is the baseline import from China that
domestic supply is compared with; ``C − C'`` is the shortfall a disruption opens.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from seabed.config.supply_market import DemandSettings
from seabed.supply.china import china_shares, control_years

__all__ = ["base_china_shares", "disruption_cut", "project_demand"]


def project_demand(
    years: np.ndarray,
    elements: Sequence[str],
    demand: DemandSettings,
    *,
    growth_rate: np.ndarray | None = None,
    china_share: np.ndarray | None = None,
    shares: Mapping[str, Any] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Demand, imports and baseline imports from China.

    Parameters
    ----------
    years : ndarray (Y,)
        Calendar years.
    elements : sequence of str
        Element symbols (demand 0 for those without a figure).
    demand : DemandSettings
        Base figures.
    growth_rate : ndarray (D,), optional
        Drawn growth rates (1/year) replacing the setting.
    china_share : ndarray (D,) or (D, E), optional
        China shares replacing the settings (for every element, or per element).
    shares : mapping, optional
        ``[supply.china] share`` overrides (see :func:`base_china_shares`).

    Returns
    -------
    (demand, imports, china) : ndarrays (D, Y, E)
        t oxide per year (D = 1 without draws).
    """
    d0 = np.array(
        [float(demand.by_element[e].to("t/year").magnitude) if e in demand.by_element else 0.0
         for e in elements]
    )
    g = np.atleast_1d(growth_rate if growth_rate is not None
                      else float(demand.growth_rate.to("1/year").magnitude))
    dt = np.asarray(years, dtype=float) - demand.base_year
    total = d0[None, None, :] * ((1.0 + g[:, None]) ** dt[None, :])[..., None]
    imports = float(demand.import_share.to("").magnitude) * total
    if china_share is not None:
        share = np.asarray(china_share, dtype=float)
        share = share[:, None, None] if share.ndim == 1 else share[:, None, :]
    else:
        share = base_china_shares(elements, demand, shares)[None, None, :]
    return total, imports, share * imports


def base_china_shares(
    elements: Sequence[str], demand: DemandSettings, shares: Mapping[str, Any] | None = None,
) -> np.ndarray:
    """China's share of imports per element, shape (E,).

    Precedence: ``shares`` (``[supply.china] share``) → ``demand.china_share_by_element`` → the
    shipped per-element figure (:mod:`seabed.supply.china`: Dy, Tb 1.0; Ce 0.835; Y 0.987) →
    ``demand.china_share`` (71.9 %, JOGMEC 2024), i.e. :func:`seabed.supply.china.china_shares` with the
    demand table's overrides under ``shares`` and its default.
    """
    return china_shares(elements, {**demand.china_share_by_element, **(shares or {})}, demand.china_share)


def disruption_cut(
    years: np.ndarray, elements: Sequence[str], demand: DemandSettings, controls: Iterable[Any] | None = None,
) -> np.ndarray:
    """Fraction of imports from China cut, shape (Y, E); overlapping cuts combine as 1 − Π(1 − c).

    A disruption naming ``"controlled"`` cuts each element on China's control lists
    (``controls``, None = the shipped lists of :mod:`seabed.supply.china`) from the year of its list.
    """
    years = np.asarray(years)
    kept = np.ones((years.size, len(elements)))
    first = control_years(controls)
    listed = np.array([first.get(e, np.inf) for e in elements], dtype=float)
    for d in demand.disruptions:
        until = d.until_year if d.until_year is not None else np.inf
        when = (years >= d.from_year) & (years <= until)
        which = np.broadcast_to(np.array([e in d.members() for e in elements])[None, :], kept.shape)
        if "controlled" in d.elements:
            which = which | (years[:, None] >= listed[None, :])
        kept *= 1.0 - float(d.cut.to("").magnitude) * (when[:, None] & which)
    return 1.0 - kept
