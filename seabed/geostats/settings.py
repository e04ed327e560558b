"""The ``[estimation]`` configuration section.

Every field has a default, so an empty ``[estimation]`` section works (ordinary block
kriging with a variogram fitted to the pooled standardised composites). Lengths are
strings with units (``"60 km"``); bare numbers are refused for them.

``variogram`` is either fitting options::

    [estimation.variogram]
    kinds = ["spherical"]
    lag_spacing = "5 km"      # optional; default: median core-to-nearest-core distance
    n_lags = 8                # optional

or a manual standardised model (sills are fractions of the variance, summing to ~1)::

    [estimation.variogram]
    nugget = 0.2
    structures = [{kind = "spherical", sill = 0.8, range = "25 km", range_minor = "15 km", azimuth = 30}]

Examples
--------
>>> s = EstimationSettings()
>>> float(s.neighbourhood.radius.to("km").magnitude)
60.0
>>> kwargs = estimation_kwargs(EstimationSettings.model_validate(
...     {"variogram": {"nugget": 0.1, "structures": [{"kind": "spherical", "sill": 0.9, "range": "25 km"}]}}))
>>> kwargs["variogram"].structures[0].range
25000.0
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import numpy as np
from pydantic import ConfigDict, Discriminator, Field, Tag, model_validator

from seabed.geostats.estimation import METHODS
from seabed.geostats.neighbourhood import Neighbourhood
from seabed.geostats.variogram import Structure, VariogramModel
from seabed.schema import Length, Seed, StrictModel, bounded

__all__ = [
    "CrossValidationSettings",
    "EstimationSettings",
    "ManualVariogramSettings",
    "NeighbourhoodSettings",
    "StructureSettings",
    "VariogramFitSettings",
    "estimation_kwargs",
]

Kind = Literal["spherical", "exponential", "gaussian"]

#: A positive distance (ranges, radii, lag spacing).
Distance = bounded(Length, "m", gt=0, fix="give a positive distance, e.g. '25 km'")


def _check_minor(major: Any, minor: Any, name: str, major_name: str) -> None:
    if minor is not None and minor > major:
        raise ValueError(f"{name}: got {minor:~} > {major_name} {major:~}; expected the minor axis <= the major "
                         f"axis; fix: swap them and turn the azimuth by 90 degrees")


class _Section(StrictModel):
    """A strict section whose string defaults are parsed like user values."""

    model_config = ConfigDict(**{**StrictModel.model_config, "validate_default": True})


class VariogramFitSettings(_Section):
    """Fit the standardised variogram to the pooled experimental variogram."""

    kinds: tuple[Kind, ...] = Field(("spherical",), min_length=1, description="Nested structures")
    lag_spacing: Distance | None = Field(None, description="Lag class width; default from core spacing")
    n_lags: int | None = Field(None, ge=3, le=100, description="Number of lag classes")
    fit_nugget: bool = True
    fix_sill: bool = Field(True, description="Fix the total sill at 1 (standardised data)")
    max_range: Distance | None = Field(
        None, description="Upper bound on fitted practical ranges; default twice the largest lag. Cap it when a "
        "regional trend would otherwise be fitted as a very long range (it also bounds the simulation halo)")


class StructureSettings(_Section):
    """One nested structure of a manual model."""

    kind: Kind
    sill: float = Field(gt=0, description="Partial sill, fraction of the variance")
    range: Distance = Field(description="Practical range along the major axis")
    range_minor: Distance | None = Field(None, description="Practical range along the minor axis (<= range)")
    azimuth: float = Field(0.0, ge=-360, le=360, description="Major axis, degrees clockwise from north")

    @model_validator(mode="after")
    def _check(self) -> StructureSettings:
        _check_minor(self.range, self.range_minor, "range_minor", "range")
        return self


class ManualVariogramSettings(_Section):
    """A manual standardised variogram model."""

    nugget: float = Field(0.0, ge=0, description="Nugget, fraction of the variance")
    structures: tuple[StructureSettings, ...] = Field(min_length=1)


class NeighbourhoodSettings(_Section):
    """Search neighbourhood."""

    max_samples: int | None = Field(16, ge=1, description="Most composites per cell; null = all")
    min_samples: int = Field(3, ge=1, description="Fewest composites to estimate a cell")
    radius: Distance = Field("60 km", description="Search radius along the major axis")
    radius_minor: Distance | None = Field(None, description="Search radius along the minor axis (<= radius)")
    azimuth: float = Field(0.0, ge=-360, le=360, description="Degrees clockwise from north")
    max_per_octant: int | None = Field(None, ge=1)

    @model_validator(mode="after")
    def _check(self) -> NeighbourhoodSettings:
        if self.max_samples is not None and self.min_samples > self.max_samples:
            raise ValueError(f"min_samples: got {self.min_samples} > max_samples {self.max_samples}; expected "
                             "min_samples <= max_samples; fix: lower min_samples or raise max_samples")
        _check_minor(self.radius, self.radius_minor, "radius_minor", "radius")
        return self


class CrossValidationSettings(_Section):
    """Cross-validation run alongside the estimate."""

    enabled: bool = True
    n_folds: int | None = Field(
        None, ge=2, description="Spatially blocked k-fold; null = leave one core out"
    )
    seed: Seed = Field(0, description="Seed of the fold assignment (0 <= seed < 2**63)")


def _variogram_kind(value: Any) -> str:
    """A manual model has ``nugget`` or ``structures``; anything else is fitting options."""
    if isinstance(value, dict):
        return "manual" if {"nugget", "structures"} & set(value) else "fit"
    return "manual" if isinstance(value, ManualVariogramSettings) else "fit"


class EstimationSettings(_Section):
    """The ``[estimation]`` section: method, variogram, neighbourhood, support."""

    method: Literal["ordinary_kriging", "simple_kriging", "idw", "nearest"] = "ordinary_kriging"
    variogram: Annotated[
        Annotated[VariogramFitSettings, Tag("fit")] | Annotated[ManualVariogramSettings, Tag("manual")],
        Discriminator(_variogram_kind),
    ] = Field(default_factory=VariogramFitSettings,
              description="Fitting options, or a manual model (with nugget or structures)")
    neighbourhood: NeighbourhoodSettings = Field(default_factory=NeighbourhoodSettings)
    block: bool = Field(True, description="Block kriging of whole cells")
    block_discretisation: int = Field(4, ge=1, le=10, description="Points per block side")
    idw_power: float = Field(2.0, gt=0)
    cross_validation: CrossValidationSettings = Field(default_factory=CrossValidationSettings)


assert set(METHODS) == set(EstimationSettings.model_fields["method"].annotation.__args__)


def _metres(q: Any) -> float | None:
    return None if q is None else float(q.to("m").magnitude)


def variogram_model(settings: ManualVariogramSettings) -> VariogramModel:
    """The :class:`VariogramModel` of a manual variogram section (ranges in m)."""
    return VariogramModel(
        settings.nugget,
        tuple(
            Structure(s.kind, s.sill, _metres(s.range), _metres(s.range_minor), s.azimuth)
            for s in settings.structures
        ),
    )


def estimation_kwargs(settings: EstimationSettings) -> dict[str, Any]:
    """Keyword arguments of :func:`~seabed.geostats.estimation.estimate_grades`.

    Returns ``method``, ``variogram`` (a model, or None with ``variogram_fit`` options),
    ``variogram_fit``, ``neighbourhood``, ``block``, ``block_discretisation`` and
    ``idw_power``. Cross-validation settings are read by the pipeline itself.
    """
    nb = settings.neighbourhood
    neighbourhood = Neighbourhood(
        max_samples=nb.max_samples,
        min_samples=nb.min_samples,
        radius=_metres(nb.radius) or np.inf,
        radius_minor=_metres(nb.radius_minor),
        azimuth=nb.azimuth,
        max_per_octant=nb.max_per_octant,
    )
    v = settings.variogram
    if isinstance(v, ManualVariogramSettings):
        variogram, fit = variogram_model(v), None
    else:
        variogram = None
        fit = {
            "kinds": tuple(v.kinds),
            "lag_spacing": _metres(v.lag_spacing),
            "n_lags": v.n_lags,
            "fit_nugget": v.fit_nugget,
            "fix_sill": v.fix_sill,
            "max_range": _metres(v.max_range),
        }
    return {
        "method": settings.method,
        "variogram": variogram,
        "variogram_fit": fit,
        "neighbourhood": neighbourhood,
        "block": settings.block,
        "block_discretisation": settings.block_discretisation,
        "idw_power": settings.idw_power,
    }
