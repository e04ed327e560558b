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

``drift`` is the trend of the mean (ordinary kriging only)::

    [estimation]
    drift = "linear"                      # or "none" (default), "quadratic"
    drift = {external = "crustal_age"}    # kriging with an external drift: an input grid

With a drift the variogram is fitted to the residuals from an ordinary-least-squares trend.

The neighbourhood defaults are those of :mod:`seabed.defaults` (``ESTIMATION_*``), the same as
the engine's when it is called from Python. The methods are listed here as literals (no engine
is imported): a test checks them against :data:`seabed.geostats.estimation.METHODS`.

Examples
--------
>>> s = EstimationSettings()
>>> float(s.neighbourhood.radius.to("km").magnitude)
60.0
>>> s.neighbourhood.max_samples, s.neighbourhood.min_samples
(16, 3)
>>> EstimationSettings.model_validate({"neighbourhood": {"max_samples": "all"}}).neighbourhood.max_samples is None
True
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, field_validator, model_validator

from seabed.config.base import Length, Seed, StrictModel, bounded
from seabed.defaults import (
    CROSS_VALIDATION_SEED,
    ESTIMATION_MAX_SAMPLES,
    ESTIMATION_MIN_SAMPLES,
    ESTIMATION_RADIUS_M,
)

__all__ = [
    "METHODS",
    "AnisotropySettings",
    "CrossValidationSettings",
    "EstimationSettings",
    "ExternalDriftSettings",
    "ManualVariogramSettings",
    "NeighbourhoodSettings",
    "StructureSettings",
    "VariogramFitSettings",
]

#: Variogram structures of a fitted or manual model.
Kind = Literal["spherical", "exponential", "gaussian"]
#: Estimation methods (the engine's :data:`seabed.geostats.estimation.METHODS`).
Method = Literal["ordinary_kriging", "simple_kriging", "idw", "nearest"]
METHODS: tuple[str, ...] = Method.__args__

#: A positive distance (ranges, radii, lag spacing).
Distance = bounded(Length, "m", gt=0, fix="give a positive distance, e.g. '25 km'")


def _check_minor(major: Any, minor: Any, name: str, major_name: str) -> None:
    if minor is not None and minor > major:
        raise ValueError(f"{name}: got {minor:~} > {major_name} {major:~}; expected the minor axis <= the major "
                         f"axis; fix: swap them and turn the azimuth by 90 degrees")


class AnisotropySettings(StrictModel):
    """A declared geometric anisotropy of the fitted variogram."""

    azimuth: float = Field(ge=-360, le=360, description="Major axis, degrees clockwise from north")
    ratio: float = Field(ge=1, le=100, description="Major / minor practical range (>= 1)")


class VariogramFitSettings(StrictModel):
    """Fit the standardised variogram to the pooled experimental variogram."""

    kinds: tuple[Kind, ...] = Field(("spherical",), min_length=1, description="Nested structures")
    lag_spacing: Distance | None = Field(None, description="Lag class width; default from core spacing")
    n_lags: int | None = Field(None, ge=3, le=100, description="Number of lag classes")
    fit_nugget: bool = True
    fix_sill: bool = Field(True, description="Fix the total sill at 1 (standardised data); with a drift, false lets "
                           "the sill follow the residual variogram (the residual variance is not its sill)")
    max_range: Distance | None = Field(
        None, description="Upper bound on fitted practical ranges; default twice the largest lag. Cap it when a "
        "regional trend would otherwise be fitted as a very long range (it also bounds the simulation halo)")
    anisotropy: Literal["none", "fit"] | AnisotropySettings = Field(
        "none", description='Geometric anisotropy: "none", "fit" (azimuth and ratio fitted to 12 directional '
        "variograms) or {azimuth = DEG, ratio = R} (declared); also orients the search ellipse when "
        "[estimation.neighbourhood] has no radius_minor")

    @field_validator("anisotropy", mode="before")
    @classmethod
    def _parse_anisotropy(cls, value: Any) -> Any:
        """One clear line for a bad anisotropy (instead of one error per member of the union)."""
        expected = ('expected "none", "fit" or {azimuth = DEGREES, ratio = MAJOR/MINOR >= 1}; '
                    'fix: e.g. anisotropy = "fit" or anisotropy = {azimuth = 30, ratio = 2}')
        if isinstance(value, AnisotropySettings) or value in ("none", "fit"):
            return value
        if isinstance(value, dict) and set(value) == {"azimuth", "ratio"}:
            try:
                return AnisotropySettings(**value)
            except ValueError as exc:
                detail = "; ".join(e["msg"] for e in getattr(exc, "errors", list)())
                raise ValueError(f"got {value!r} ({detail}); {expected}") from None
        raise ValueError(f"got {value!r}; {expected}")


class StructureSettings(StrictModel):
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


class ManualVariogramSettings(StrictModel):
    """A manual standardised variogram model."""

    nugget: float = Field(0.0, ge=0, description="Nugget, fraction of the variance")
    structures: tuple[StructureSettings, ...] = Field(min_length=1)


class NeighbourhoodSettings(StrictModel):
    """Search neighbourhood."""

    max_samples: int | None = Field(ESTIMATION_MAX_SAMPLES, ge=1,
                                    description='Most composites per cell; "all": every one inside the radius')
    min_samples: int = Field(ESTIMATION_MIN_SAMPLES, ge=1, description="Fewest composites to estimate a cell")
    radius: Distance = Field(f"{ESTIMATION_RADIUS_M / 1000:g} km", description="Search radius along the major axis")
    radius_minor: Distance | None = Field(None, description="Search radius along the minor axis (<= radius)")
    azimuth: float = Field(0.0, ge=-360, le=360, description="Degrees clockwise from north")
    max_per_octant: int | None = Field(None, ge=1, description="Most composites per octant; omit: no limit")

    @field_validator("max_samples", mode="before")
    @classmethod
    def _all_is_none(cls, value: Any) -> Any:
        """``"all"`` (TOML has no null): every composite inside the radius."""
        return None if isinstance(value, str) and value.strip().lower() == "all" else value

    @model_validator(mode="after")
    def _check(self) -> NeighbourhoodSettings:
        if self.max_samples is not None and self.min_samples > self.max_samples:
            raise ValueError(f"min_samples: got {self.min_samples} > max_samples {self.max_samples}; expected "
                             "min_samples <= max_samples; fix: lower min_samples or raise max_samples")
        _check_minor(self.radius, self.radius_minor, "radius_minor", "radius")
        return self


#: Input grids usable as an external drift (``[inputs.<name>]``).
DriftGrid = Literal["crustal_age", "bathymetry", "sediment_thickness"]


class ExternalDriftSettings(StrictModel):
    """Kriging with an external drift: the mean is linear in an input grid."""

    external: DriftGrid = Field(description="The input grid, e.g. crustal_age (its [inputs] table must be set)")


class CrossValidationSettings(StrictModel):
    """Cross-validation run alongside the estimate."""

    enabled: bool = True
    n_folds: int | None = Field(
        None, ge=2, description="Spatially blocked k-fold; omit: leave one core out"
    )
    seed: Seed = Field(CROSS_VALIDATION_SEED, description="Seed of the fold assignment (0 <= seed < 2**63)")


def _variogram_kind(value: Any) -> str:
    """A manual model has ``nugget`` or ``structures``; anything else is fitting options."""
    if isinstance(value, dict):
        return "manual" if {"nugget", "structures"} & set(value) else "fit"
    return "manual" if isinstance(value, ManualVariogramSettings) else "fit"


class EstimationSettings(StrictModel):
    """The ``[estimation]`` section: method, variogram, neighbourhood, support."""

    method: Method = "ordinary_kriging"
    drift: Literal["none", "linear", "quadratic"] | ExternalDriftSettings = Field(
        "none", description='Trend of the mean: "none", "linear", "quadratic" or {external = GRID} (ordinary '
        "kriging; the variogram is then fitted to OLS residuals)")
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

    @field_validator("drift", mode="before")
    @classmethod
    def _parse_drift(cls, value: Any) -> Any:
        """One clear line for a bad drift (instead of one error per member of the union)."""
        grids = DriftGrid.__args__
        expected = (f"expected \"none\", \"linear\", \"quadratic\" or {{external = GRID}} with GRID one of "
                    f"{', '.join(grids)}; fix: e.g. drift = \"linear\"")
        if isinstance(value, str | ExternalDriftSettings):
            if isinstance(value, str) and value not in ("none", "linear", "quadratic"):
                raise ValueError(f"got {value!r}; {expected}")
            return value
        if isinstance(value, dict):
            if set(value) != {"external"} or value["external"] not in grids:
                raise ValueError(f"got {value!r}; {expected}")
            return ExternalDriftSettings(external=value["external"])
        raise ValueError(f"got {value!r} ({type(value).__name__}); {expected}")

    @model_validator(mode="after")
    def _drift_needs_ordinary_kriging(self) -> EstimationSettings:
        if self.drift != "none" and self.method != "ordinary_kriging":
            raise ValueError(f"drift: got {self.drift_label()!r} with method {self.method!r}; expected a drift only "
                             'with method "ordinary_kriging"; fix: drift = "none" or method = "ordinary_kriging"')
        return self

    def drift_label(self) -> str:
        """The drift in words: ``none``, ``linear``, ``quadratic`` or ``external (GRID)``."""
        return f"external ({self.drift.external})" if isinstance(self.drift, ExternalDriftSettings) else self.drift
