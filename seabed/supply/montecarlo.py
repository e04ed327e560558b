"""Monte Carlo sampling of uncertain parameters and summaries of the draws.

Conventions
-----------
``P10``, ``P50``, ``P90`` are the 10th, 50th and 90th **percentiles** of the draws (P10 is the
low value), not the petroleum "exceeded with 90 % probability" convention. Draws come from one
:class:`numpy.random.Generator` seeded from the config seed; parameters are sampled in
alphabetical order of their names, then the resource realisation of each draw, so a run is
reproducible.

Distributions (see :class:`seabed.config.supply_uncertainty.Distribution`): fixed, uniform(low, high),
triangular(low, mode, high), normal(mean, sd) and lognormal(median, sigma) with
``X = median·exp(sigma·Z)``; normal and lognormal draws are clipped to ``[low, high]`` when
given.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np
from scipy import stats

from seabed.config.supply_uncertainty import UNCERTAIN_PARAMETERS, Distribution

__all__ = ["band", "distribution_quantile", "sample_distribution", "sample_parameters"]


def _params(name: str, dist: Distribution) -> dict[str, float]:
    dim, unit, _ = UNCERTAIN_PARAMETERS[name]
    return dist.magnitudes(dim, unit, field=f"supply.uncertainty.parameters.{name}")


def sample_distribution(dist: Distribution, n: int, rng: np.random.Generator, *, name: str) -> np.ndarray:
    """``n`` draws of parameter ``name`` (magnitudes in the unit of UNCERTAIN_PARAMETERS)."""
    p = _params(name, dist)
    if dist.dist == "fixed":
        return np.full(n, p["value"])
    if dist.dist == "uniform":
        return rng.uniform(p["low"], p["high"], size=n)
    if dist.dist == "triangular":
        if p["high"] == p["low"]:
            return np.full(n, p["low"])
        return rng.triangular(p["low"], p["mode"], p["high"], size=n)
    if dist.dist == "normal":
        x = rng.normal(p["mean"], p["sd"], size=n)
    else:
        x = p["median"] * np.exp(p["sigma"] * rng.standard_normal(n))
    return np.clip(x, p.get("low", -np.inf), p.get("high", np.inf))


def distribution_quantile(dist: Distribution, q: float, *, name: str) -> float:
    """The ``q`` quantile (0–1) of a parameter's distribution (clipping applied)."""
    p = _params(name, dist)
    if dist.dist == "fixed":
        x = p["value"]
    elif dist.dist == "uniform":
        x = p["low"] + q * (p["high"] - p["low"])
    elif dist.dist == "triangular":
        width = p["high"] - p["low"]
        if width == 0:
            return p["low"]
        c = (p["mode"] - p["low"]) / width
        x = float(stats.triang.ppf(q, c, loc=p["low"], scale=width))
    elif dist.dist == "normal":
        x = float(stats.norm.ppf(q, loc=p["mean"], scale=p["sd"]))
    else:
        x = p["median"] * float(np.exp(p["sigma"] * stats.norm.ppf(q)))
    return float(np.clip(x, p.get("low", -np.inf), p.get("high", np.inf)))


def sample_parameters(
    parameters: Mapping[str, Distribution], n: int, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Draw every uncertain parameter, in alphabetical order of names: name → ndarray (n,)."""
    return {name: sample_distribution(parameters[name], n, rng, name=name) for name in sorted(parameters)}


def band(values: np.ndarray, *, skip_nan: bool = False) -> np.ndarray:
    """P10, P50, P90 over the draws (axis 0), stacked on a new first axis.

    With ``skip_nan`` NaN draws are ignored (slow path, meant for 1-D metrics such as IRR);
    otherwise a NaN anywhere in a slice gives NaN (fast, vectorised).
    """
    if not skip_nan:
        return np.percentile(values, [10, 50, 90], axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slice → NaN is intended
        return np.nanpercentile(values, [10, 50, 90], axis=0)
