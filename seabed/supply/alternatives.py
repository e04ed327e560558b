"""The mud beside the other ways Japan can secure rare earths outside China, in the same units.

Notes
-----
Each row gives oxide secured per year per element (t/yr) and the net cost per tonne secured
(reporting currency per t oxide, above what the same oxide from China would cost):

- alternatives (``[[supply.alternatives]]``: offtake from non-China producers, recycling, stockpile
  release, demand reduction): their configured tonnages (a stockpile: ``days_of_demand``/365 of the
  base-year demand of its elements) and cost;
- the mud: the mean supply separated outside China over the years of steady mining (mud ≥ half
  its peak year), and ``−NPV_public / Σ_t S_t (1 + r_p)^{−t}``, the public-sector net cost (pre-tax
  cash flow at the public discount rate ``r_p``, the oxide sold at market prices) per discounted
  tonne of TREO separated outside China. A negative cost is a net gain.

Examples
--------
>>> from seabed.config.supply import SupplySettings
>>> t = alternatives_table(SupplySettings(), None, ("Nd", "Dy"))
>>> float(t.loc["offtake_non_china", "Nd_t_per_year"]), round(float(t.loc["stockpile_release", "Dy_t_per_year"]), 1)
(1000.0, 65.8)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from seabed.supply import economics as econ

__all__ = ["MUD", "alternatives_table"]

#: Row label of the mud in the table.
MUD = "deep_sea_mud"


def alternatives_table(settings: Any, det: Any | None, elements: Sequence[str]) -> pd.DataFrame:
    """Oxide secured (t/yr per element, total) and net cost per t secured of each alternative and the mud.

    Parameters
    ----------
    settings : SupplySettings
        ``alternatives``, ``demand`` (stockpiles) and ``economics`` (currency, public discount rate).
    det : Paths or None
        The deterministic projection (None: alternatives only).
    elements : sequence of str
        Element columns of the table.

    Returns
    -------
    DataFrame
        Index ``alternative``; columns ``kind``, ``<element>_t_per_year``, ``total_t_per_year``,
        ``cost_<cur>_per_t`` and ``source``.
    """
    ec = settings.economics
    cur = ec.currency
    rows: dict[str, dict[str, Any]] = {}
    if det is not None:
        mud = det.mud[0]
        steady = mud >= 0.5 * mud.max(initial=0.0)
        steady &= mud > 0
        present = [e for e in elements if e in det.items]  # an element the model lacks gets 0 below
        supply = det.supply[0][:, [det.items.index(e) for e in present]]
        per_year = supply[steady].mean(axis=0) if steady.any() else np.zeros(supply.shape[1])
        rate = float(ec.public_discount_rate.to("1/year").magnitude)
        df = econ.discount_factors(np.array([rate]), len(det.years))[0]
        treo = det.supply[0][:, det.items.index("TREO")]
        secured = float(np.sum(treo * df))
        cost = -float(det.metrics["npv_public"][0]) / secured if secured > 0 else np.nan
        rows[MUD] = {"kind": "mine", **{f"{e}_t_per_year": v for e, v in zip(present, per_year, strict=True)},
                     f"cost_{cur}_per_t": cost,
                     "source": "this model: steady-mining mean of the oxide separated outside China; public NPV"}
    for a in settings.alternatives:
        if a.days_of_demand is not None:
            amount = {e: a.days_of_demand / 365.0 * float(settings.demand.by_element[e].to("t/year").magnitude)
                      for e in a.elements if e in settings.demand.by_element}
        else:
            amount = {e: float(q.to("t/year").magnitude) for e, q in a.supply.items()}
        rows[a.name] = {"kind": a.kind, **{f"{e}_t_per_year": amount.get(e, 0.0) for e in elements},
                        f"cost_{cur}_per_t": ec.money(a.cost, "{cur}/t"), "source": a.source}
    out = pd.DataFrame.from_dict(rows, orient="index")
    cols = [f"{e}_t_per_year" for e in elements]
    out[cols] = out[cols].fillna(0.0)
    out.insert(len(cols) + 1, "total_t_per_year", out[cols].sum(axis=1))
    out.index.name = "alternative"
    return out
