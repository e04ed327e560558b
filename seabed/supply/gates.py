"""Project gates before commercial production: milestones, uncertain stages, first-production year.

Notes
-----
First production ``T = t_m + Σ_k d_k`` with ``t_m`` the last dated milestone (the profitability
report, March 2028) and ``d_k`` the stage durations (feasibility, environmental assessment and
permits, vessel and plant build), each normal with median = mean ``μ_k`` and s.d. ``σ_k``,
truncated at 0. The base case is ``T_0 = t_m + Σ μ_k`` (the median of the sum); a draw delays
the delayable phases and plants by ``T − T_0``.

Examples
--------
>>> from seabed.config.supply_gates import GateSettings
>>> g = GateSettings()
>>> round(gate_delay_quantile(g, 0.5), 6)
0.0
>>> gate_table(g)["end_year"].round(1).tolist()  # trial, report, feasibility, permits, build
[2027.1, 2028.2, 2030.2, 2033.2, 2037.2]
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from seabed.config.supply_gates import GateSettings

__all__ = ["gate_delay_quantile", "gate_table", "sample_gate_delay"]


def sample_gate_delay(gates: GateSettings, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` draws of ``T − T_0`` (years), shape (n,)."""
    mu, sd = (np.asarray(a, dtype=float) for a in gates.durations())
    if mu.size == 0:
        return np.zeros(n)
    d = np.maximum(mu[None, :] + sd[None, :] * rng.standard_normal((n, mu.size)), 0.0)
    return d.sum(axis=1) - mu.sum()


def gate_delay_quantile(gates: GateSettings, q: float) -> float:
    """The ``q`` quantile of ``T − T_0`` (normal sum, truncation ignored), years."""
    sd = float(np.sqrt(np.sum(np.square(gates.durations()[1]))))
    return float(stats.norm.ppf(q) * sd) if sd > 0 else 0.0


def gate_table(gates: GateSettings) -> pd.DataFrame:
    """Milestones and stages (index ``gate``): duration median and s.d. (years), median, P10 and P90 end
    (decimal years), source."""
    rows = [{"gate": m.name, "kind": "milestone", "duration_median": 0.0, "duration_sd": 0.0, "end_year": m.year,
             "p10_end_year": m.year, "p90_end_year": m.year, "source": m.source}
            for m in sorted(gates.milestones, key=lambda m: m.year)]
    t, var = gates.anchor(), 0.0
    for s in gates.stages:
        mu, sd = float(s.duration.to("year").magnitude), float(s.sd.to("year").magnitude)
        t, var = t + mu, var + sd**2
        z = stats.norm.ppf(0.9) * np.sqrt(var)
        rows.append({"gate": s.name, "kind": "stage", "duration_median": mu, "duration_sd": sd, "end_year": t,
                     "p10_end_year": t - z, "p90_end_year": t + z, "source": s.source})
    return pd.DataFrame(rows).set_index("gate")
