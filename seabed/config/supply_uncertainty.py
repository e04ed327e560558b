"""The ``[supply.uncertainty]`` table: Monte Carlo draws, parameter distributions and the tornado.

Each uncertain parameter (:data:`UNCERTAIN_PARAMETERS`) is given a :class:`Distribution`
whose values are strings (dimensional parameters need units) within :data:`PARAMETER_RANGES`.

Examples
--------
>>> u = UncertaintySettings(parameters={"plan.start_delay": {"dist": "uniform", "low": "0 year", "high": "2 year"}})
>>> u.parameters["plan.start_delay"].magnitudes("[time]", "year", field="x")
{'low': 0.0, 'high': 2.0}
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from seabed.config.base import StrictModel
from seabed.errors import UnitsError
from seabed.units import parse_quantity

__all__ = [
    "MAX_DRAWS",
    "PARAMETER_RANGES",
    "UNCERTAIN_PARAMETERS",
    "Distribution",
    "UncertaintySettings",
]

#: Largest Monte Carlo draws: 100,000 (P10/P90 are stable to < 1 % by ~1,000; memory grows as
#: draws × years × elements).
MAX_DRAWS = 100_000

#: Parameters that may be declared uncertain: name → (dimensionality, unit of magnitude,
#: what it does). "replaces" = replaces the value everywhere it is used.
UNCERTAIN_PARAMETERS: dict[str, tuple[str, str, str]] = {
    "plan.availability": ("[]", "", "replaces every phase's availability"),
    "plan.rate_multiplier": ("[]", "", "multiplies every phase's rate (base 1)"),
    "plan.start_delay": ("[time]", "year", "delays every delayable phase and plant (base 0; negative = earlier)"),
    "plan.dry_basis_weight": ("[]", "", "replaces plan.dry_basis_weight (wet/dry basis of 'unknown' rates)"),
    "plan.ramp_up_category": ("[]", "", "replaces the McNulty category of phases with a ramp-up (rounded, 1-4)"),
    "separation.capacity_multiplier": ("[]", "", "multiplies every separation plant's capacity (base 1)"),
    "plan.years_to_nameplate": ("[time]", "year", "replaces it for phases with a ramp-up"),
    "plan.solids_fraction": ("[]", "", "replaces plan.solids_fraction"),
    "plan.mining_recovery": ("[]", "", "replaces plan.mining_recovery"),
    "plan.dilution": ("[]", "", "replaces plan.dilution"),
    "processing.upgrade_factor": ("[]", "", "replaces the beneficiation upgrade factor"),
    "processing.beneficiation_recovery": ("[]", "", "replaces the beneficiation recovery"),
    "processing.leach_recovery": ("[]", "", "replaces the leach recovery of every element"),
    "processing.separation_recovery": ("[]", "", "replaces the separation recovery of every element"),
    "demand.growth_rate": ("1/[time]", "1/year", "replaces demand.growth_rate"),
    "demand.china_share": ("[]", "", "replaces China's share for every element"),
    "economics.price_multiplier": ("[]", "", "multiplies every price (base 1)"),
    "economics.capex_multiplier": ("[]", "", "multiplies every capex (base 1)"),
    "economics.opex_multiplier": ("[]", "", "multiplies the costs per tonne and fixed cost (base 1)"),
    "economics.discount_rate": ("1/[time]", "1/year", "replaces economics.discount_rate"),
}


#: Allowed range of the values (value, low, mode, high, mean, median) of each uncertain parameter,
#: in the unit of :data:`UNCERTAIN_PARAMETERS`; None = unbounded on that side.
PARAMETER_RANGES: dict[str, tuple[float | None, float | None]] = {
    "plan.availability": (0.0, 1.0),
    "plan.rate_multiplier": (0.0, None),
    "plan.start_delay": (-50.0, 100.0),
    "plan.dry_basis_weight": (0.0, 1.0),
    "plan.ramp_up_category": (1.0, 4.0),
    "separation.capacity_multiplier": (0.0, None),
    "plan.years_to_nameplate": (0.0, 100.0),
    "plan.solids_fraction": (0.0, 1.0),
    "plan.mining_recovery": (0.0, 1.0),
    "plan.dilution": (0.0, None),
    "processing.upgrade_factor": (1.0, None),
    "processing.beneficiation_recovery": (0.0, 1.0),
    "processing.leach_recovery": (0.0, 1.0),
    "processing.separation_recovery": (0.0, 1.0),
    "demand.growth_rate": (-0.5, 0.5),
    "demand.china_share": (0.0, 1.0),
    "economics.price_multiplier": (0.0, None),
    "economics.capex_multiplier": (0.0, None),
    "economics.opex_multiplier": (0.0, None),
    "economics.discount_rate": (0.0, 0.5),
}
assert set(PARAMETER_RANGES) == set(UNCERTAIN_PARAMETERS)


_REQUIRED = {
    "fixed": ("value",),
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "normal": ("mean", "sd"),
    "lognormal": ("median", "sigma"),
}


class Distribution(StrictModel):
    """A parameter distribution, e.g. ``{dist="triangular", low="0.6", mode="0.75", high="0.85"}``.

    - ``fixed``: ``value``
    - ``uniform``: ``low``, ``high``
    - ``triangular``: ``low``, ``mode``, ``high``
    - ``normal``: ``mean``, ``sd``; optional ``low``/``high`` clip the draws
    - ``lognormal``: ``median`` and ``sigma`` (standard deviation of the natural log,
      dimensionless); optional ``low``/``high`` clip the draws

    Values are strings; dimensional parameters need units (``"1 year"``).
    """

    dist: Literal["fixed", "uniform", "triangular", "normal", "lognormal"]
    value: str | float | None = None
    low: str | float | None = None
    mode: str | float | None = None
    high: str | float | None = None
    mean: str | float | None = None
    sd: str | float | None = None
    median: str | float | None = None
    sigma: str | float | None = None

    @model_validator(mode="after")
    def _check(self) -> Distribution:
        need = _REQUIRED[self.dist]
        missing = [k for k in need if getattr(self, k) is None]
        if missing:
            raise ValueError(f"dist={self.dist!r}: missing {', '.join(missing)}; expected {', '.join(need)}")
        return self

    def magnitudes(self, dimension: str, unit: str, *, field: str) -> dict[str, float]:
        """The given parameters as floats in ``unit`` (sigma stays dimensionless)."""
        out: dict[str, float] = {}
        for key in ("value", "low", "mode", "high", "mean", "sd", "median", "sigma"):
            raw = getattr(self, key)
            if raw is None:
                continue
            dim = "[]" if key == "sigma" else dimension
            q = parse_quantity(raw, dim, field=f"{field}.{key}", allow_bare=dim == "[]")
            out[key] = float(q.to(unit or "").magnitude)
        lo, mo, hi = out.get("low"), out.get("mode"), out.get("high")
        if lo is not None and hi is not None and lo > hi:
            raise UnitsError(f"{field}: low {lo} > high {hi}; expected low <= high")
        if mo is not None and lo is not None and hi is not None and not lo <= mo <= hi:
            raise UnitsError(f"{field}: mode {mo} outside [low, high]; expected low <= mode <= high")
        if self.dist == "lognormal" and out["median"] <= 0:
            raise UnitsError(f"{field}.median: got {out['median']}; expected > 0")
        for key in ("sd", "sigma"):
            if key in out and out[key] < 0:
                raise UnitsError(f"{field}.{key}: got {getattr(self, key)!r}; expected >= 0; fix: give a spread >= 0")
        return out


class UncertaintySettings(StrictModel):
    """Monte Carlo and tornado (``[supply.uncertainty]``)."""

    draws: int = Field(default=1000, ge=0, le=MAX_DRAWS,
                       description="Monte Carlo draws, 0-100,000; 0 = deterministic only (P10/P90 are stable to "
                       "< 1 % by ~1,000; memory grows as draws x years x elements).")
    parameters: dict[str, Distribution] = Field(default_factory=dict)
    tornado: bool = Field(default=True, description="One-at-a-time P10/P90 swings of each parameter.")
    gates: bool = Field(default=True, description="Draw the durations of the project gates ([supply.gates]) in "
                        "the Monte Carlo and the tornado.")
    prices: bool = Field(default=True, description="Draw each element's price level (correlated lognormal, "
                         "[supply.markets] price_sigma) in the Monte Carlo.")

    @model_validator(mode="after")
    def _check(self) -> UncertaintySettings:
        for name, dist in self.parameters.items():
            if name not in UNCERTAIN_PARAMETERS:
                raise ValueError(
                    f"parameters: got unknown parameter {name!r}; expected one of "
                    f"{', '.join(UNCERTAIN_PARAMETERS)}"
                )
            dim, unit, _ = UNCERTAIN_PARAMETERS[name]
            try:
                values = dist.magnitudes(dim, unit, field=f"parameters.{name}")
            except UnitsError as exc:
                raise ValueError(str(exc)) from None
            lo, hi = PARAMETER_RANGES[name]
            for key in ("value", "low", "mode", "high", "mean", "median"):
                v = values.get(key)
                if v is not None and ((lo is not None and v < lo) or (hi is not None and v > hi)):
                    bounds = f"[{lo:g}, {hi:g}]" if hi is not None else f">= {lo:g}"
                    raise ValueError(f"parameters.{name}.{key}: got {getattr(dist, key)!r}; expected {bounds}"
                                     f"{' ' + unit if unit else ''}; fix: keep the distribution within that range")
        return self
