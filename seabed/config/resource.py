"""The ``[resource]`` configuration section.

Every field has a default, so an empty ``[resource]`` section (or none) works.
Dimensional values are strings with units (``"0.55 t/m^3"``, ``"2 km"``,
``"400 ppm"``); bare numbers are refused for them.

Examples
--------
>>> s = ResourceSettings()
>>> s.density.dry_bulk_density.to("t/m^3").magnitude
0.55
>>> float(ResourceSettings.model_validate({"cutoff": {"grade": "1000 ppm"}}).cutoff.grade.to("ppm").magnitude)
1000.0
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from seabed.config.base import Density, Dimensionless, Grade, Length, Seed, StrictModel, bounded
from seabed.defaults import SIMULATION_MAX_SAMPLES, SIMULATION_MIN_SAMPLES, SIMULATION_SEED
from seabed.elements import ELEMENTS, GROUPS

__all__ = [
    "DEFAULT_DRY_BULK_DENSITY",
    "OXIDE_GROUPS",
    "ClassRule",
    "ClassificationSettings",
    "CutoffSettings",
    "DensitySettings",
    "MaskSettings",
    "ResourceSettings",
    "SimulationNeighbourhoodSettings",
    "SimulationSettings",
    "known_items",
]

#: Default dry bulk density, t/m³. It is the value implied by Takaya et al. (2018):
#: 16 Mt REO ≈ 2,500 km² × 10 m × ρ × 964 ppm REY × ~1.2 (oxide factor) gives
#: ρ ≈ 0.55 t/m³ (DOMAIN.md: 0.53–0.57 t/m³ [C]); Pacific red clay measurements give
#: 0.47–0.53 t/m³ (Bruevich & Kulik 1967), so this default is at the high end.
DEFAULT_DRY_BULK_DENSITY = "0.55 t/m^3"

#: Oxide sums reported by seabed: name -> member elements (oxides of these are summed).
#: ``HREO`` includes Y₂O₃ (Y + heavy REE, "HREY", as in Takaya et al. 2018).
OXIDE_GROUPS: dict[str, tuple[str, ...]] = {
    "TREO": GROUPS["REY"],
    "HREO": GROUPS["HREY"],
    "LREO": GROUPS["LREE"],
    "MREO": GROUPS["magnet"],
}


def known_items() -> list[str]:
    """Names accepted wherever an element, metal group or oxide group is asked for."""
    metal_groups = [g for g in GROUPS if g not in OXIDE_GROUPS]
    return [*ELEMENTS, *metal_groups, *OXIDE_GROUPS]


#: Dry bulk density of porous marine sediment, t/m³. Pacific red clay is 0.47–0.53 t/m³ (Bruevich &
#: Kulik 1967, DOMAIN.md) and the Takaya et al. (2018) figure implies 0.53–0.57; below 0.2 the mud
#: would be > 92 % pore space, above 2.0 it would be rock rather than mud.
DRY_DENSITY_RANGE = (0.2, 2.0)

DryDensity = bounded(Density, "t/m^3", ge=DRY_DENSITY_RANGE[0], le=DRY_DENSITY_RANGE[1],
                     fix="give the dry bulk density of the mud, e.g. '0.55 t/m^3' (Pacific red clay 0.47-0.57)")
#: Wet bulk density of marine mud (red clay 1.30–1.34 g/cm³, DOMAIN.md), grain density of its minerals
#: (~2.5 g/cm³ for clay; quartz 2.65, apatite 3.2) and seawater (1.02–1.05 g/cm³).
WetDensity = bounded(Density, "g/cm^3", ge=1.0, le=2.5, fix="give the wet bulk density, e.g. '1.32 g/cm^3'")
GrainDensity = bounded(Density, "g/cm^3", ge=2.0, le=3.5, fix="give the grain density, e.g. '2.5 g/cm^3'")
SeawaterDensity = bounded(Density, "g/cm^3", ge=1.0, le=1.1, fix="give the pore-water density, e.g. '1.025 g/cm^3'")


class DensitySettings(StrictModel):
    """How dry bulk density is obtained.

    ``method``:

    - ``"constant"``: ``dry_bulk_density`` everywhere (default 0.55 t/m³, see
      :data:`DEFAULT_DRY_BULK_DENSITY`);
    - ``"per_layer"``: one value per depth layer in ``per_layer`` (top down);
    - ``"wet"``: from ``wet_bulk_density``, ``grain_density`` and ``seawater_density``;
    - ``"water_content"``: from ``water_content`` (``water_content_basis`` "dry":
      mass of water / mass of solids; "wet": mass of water / wet mass), grain density
      and pore-water (seawater) density;
    - ``"grid"``: a gridded density supplied by the caller (e.g. kriged from cores).

    Dry densities must lie in 0.2–2.0 t/m³ (porous mud, not rock); seawater < wet < grain density.
    """

    method: Literal["constant", "per_layer", "wet", "water_content", "grid"] = "constant"
    dry_bulk_density: DryDensity = Field(
        DEFAULT_DRY_BULK_DENSITY, description="0.2-2.0 t/m^3: Pacific red clay is 0.47-0.53 (Bruevich & Kulik "
        "1967), Takaya et al. (2018) imply 0.53-0.57; below 0.2 the mud would be > 92 % pore space, above 2.0 rock")
    per_layer: list[DryDensity] | None = Field(None, description="One dry density per layer, top down")
    wet_bulk_density: WetDensity = Field("1.32 g/cm^3", description="1.0-2.5 g/cm^3 (red clay 1.30-1.34)")
    grain_density: GrainDensity = Field("2.5 g/cm^3", description="2.0-3.5 g/cm^3 (clay ~2.5, apatite 3.2)")
    seawater_density: SeawaterDensity = Field("1.025 g/cm^3", description="1.0-1.1 g/cm^3")
    water_content: Dimensionless | None = Field(
        None, description="> 0; basis 'wet': < 1; basis 'dry': <= 10 (1,000 %; red clay is ~100-300 %)")
    water_content_basis: Literal["dry", "wet"] = "dry"

    @model_validator(mode="after")
    def _check_method(self) -> DensitySettings:
        if self.method == "per_layer" and not self.per_layer:
            raise ValueError(
                "method 'per_layer' needs per_layer = [\"0.5 t/m^3\", ...] (one per layer)"
            )
        if self.method == "water_content" and self.water_content is None:
            raise ValueError("method 'water_content' needs water_content, e.g. \"250 percent\"")
        sw, wet, grain = (float(q.to("g/cm^3").magnitude)
                          for q in (self.seawater_density, self.wet_bulk_density, self.grain_density))
        if self.method == "wet" and not sw < wet < grain:
            raise ValueError(f"wet_bulk_density: got {wet:g} g/cm^3 with seawater {sw:g} and grain {grain:g} g/cm^3; "
                             "expected seawater_density < wet_bulk_density < grain_density (else the dry density "
                             "is <= 0 or above the grain density); fix: check the three densities")
        if self.water_content is not None:
            w = float(self.water_content.to("").magnitude)
            upper = 1.0 if self.water_content_basis == "wet" else 10.0
            if not 0 < w < upper if self.water_content_basis == "wet" else not 0 < w <= upper:
                raise ValueError(f"water_content: got {self.water_content:~} on a {self.water_content_basis} basis; "
                                 f"expected > 0 and {'< 100 %' if upper == 1 else '<= 1000 %'}; fix: write it with a "
                                 "unit, e.g. \"250 percent\" (dry basis) or \"70 percent\" (wet basis)")
        return self


def _off_is_none(value: Any) -> Any:
    """``"none"`` or ``"off"`` (TOML has no null) switches a mask off."""
    return None if isinstance(value, str) and value.strip().lower() in ("none", "off") else value


_DEPTH_FIX = 'water depth in metres, positive down, e.g. "5000 m", or "none" for no limit'


class MaskSettings(StrictModel):
    """Where mining is possible (``"none"`` switches a mask off: TOML has no null).

    Defaults: water depth 4,000–6,500 m (the deposit lies at 5,500–5,800 m), slopes up to
    7° (deep-sea practice excludes slopes > 7–10°), no minimum sediment thickness, and the
    layers are clipped to the sediment thickness when that raster is given. Depths and
    thicknesses are >= 0; ``min_water_depth`` < ``max_water_depth``.
    """

    min_water_depth: bounded(Length, "m", ge=0, le=11_000, fix=_DEPTH_FIX) | None = Field(
        "4000 m", description='Shallowest water depth mined (0-11,000 m); "none": no limit')
    max_water_depth: bounded(Length, "m", gt=0, le=11_000, fix=_DEPTH_FIX) | None = Field(
        "6500 m", description='Deepest water depth mined (0-11,000 m, the Challenger Deep); "none": no limit')
    max_slope: float | None = Field(default=7.0, ge=0, lt=90, description='degrees, 0 <= slope < 90; "none": no limit')
    min_sediment_thickness: bounded(Length, "m", ge=0, fix='a thickness such as "10 m", or "none"') | None = Field(
        None, description='Thinnest sediment mined; "none" (default): no limit')
    clip_layers_to_sediment: bool = True
    include: list[str] | None = Field(
        default=None,
        description="Names of [[areas]] the resource must lie inside (default: the grid extent)",
    )
    exclude: list[str] = Field(
        default_factory=list, description="Names of [[areas]] excluded (e.g. protected zones)"
    )

    @field_validator("min_water_depth", "max_water_depth", "max_slope", "min_sediment_thickness", mode="before")
    @classmethod
    def _none_switches_off(cls, value: Any) -> Any:
        return _off_is_none(value)

    @model_validator(mode="after")
    def _check(self) -> MaskSettings:
        lo, hi = self.min_water_depth, self.max_water_depth
        if lo is not None and hi is not None and not lo < hi:
            raise ValueError(f"min_water_depth, max_water_depth: got min_water_depth {lo:~} >= max_water_depth "
                             f"{hi:~}; expected min < max (no cell could be mined); fix: swap them")
        return self


#: A cut-off grade: with units, 0 <= grade < 1,000,000 ppm (100 %).
CutoffGrade = bounded(Grade, "ppm", ge=0, lt=1e6, fix="write a grade with units, e.g. '400 ppm'")


class CutoffSettings(StrictModel):
    """Cut-off grade and mined interval.

    ``mode = "interval"`` (the only mode of a run) applies the cut-off to the tonnage-weighted mean
    grade over the mined interval ``interval_top``–``interval_bottom`` of each cell, which is kept
    only if at least ``min_mining_thickness`` of it is mineable. A per cell-layer cut-off
    (``"block"``, available in :func:`seabed.resource.selectivity.apply_cutoff`) is refused in a
    config: the supply model mines whole intervals, so its inventory cannot be built from it.
    """

    item: str = "REY"
    grade: CutoffGrade = Field("400 ppm", description="Cut-off grade with units, 0 <= grade < 1,000,000 ppm")
    mode: Literal["interval"] = Field(
        "interval", description="'interval' (a per-layer 'block' cut-off cannot feed the supply model's inventory)")
    interval_top: bounded(Length, "m", ge=0, fix="depths are metres below the seafloor, e.g. '0 m'") = "0 m"
    interval_bottom: Length = "10 m"
    min_mining_thickness: bounded(Length, "m", ge=0, fix="give a thickness such as '2 m'") = Field(
        "2 m", description="Mineable thickness a cell needs in the interval (0 <= it <= the interval)")
    curve: list[CutoffGrade] = Field(
        default_factory=lambda: [f"{c} ppm" for c in (0, 200, 400, 600, 800, 1000, 1500, 2000, 3000, 5000)],
        description="Cut-offs of the grade-tonnage curve, with units",
    )

    @field_validator("mode", mode="before")
    @classmethod
    def _check_mode(cls, value: Any) -> Any:
        if value == "block":
            raise ValueError("got 'block': a per-layer cut-off cannot build the mining inventory of the supply "
                             "model (it mines whole intervals); expected 'interval'; fix: set mode = \"interval\" "
                             "and choose interval_top, interval_bottom and min_mining_thickness")
        return value

    @model_validator(mode="after")
    def _check_interval(self) -> CutoffSettings:
        a, b = self.interval_top, self.interval_bottom
        if not b > a:
            raise ValueError(f"interval_top, interval_bottom: got {a:~} >= {b:~}; expected interval_top < "
                             "interval_bottom (mbsf, positive down); fix: e.g. \"0 m\" and \"10 m\"")
        if self.min_mining_thickness > b - a:
            raise ValueError(f"min_mining_thickness: got {self.min_mining_thickness:~}, thicker than the mined "
                             f"interval {a:~}-{b:~}; expected <= {(b - a).to('m'):~} (nothing could be mined); "
                             "fix: lower it or widen the interval")
        return self

    @field_validator("item")
    @classmethod
    def _check_item(cls, value: str) -> str:
        if value not in known_items():
            raise ValueError(f"got {value!r}; expected one of {', '.join(known_items())}")
        return value


class ClassRule(StrictModel):
    """Criteria that a cell-layer must all meet for one resource class (``None``: not used)."""

    min_slope_of_regression: float | None = Field(None, ge=0, le=2, description="0-2 (1 = conditionally unbiased)")
    min_kriging_efficiency: float | None = Field(None, le=1, description="<= 1 (1 = perfect)")
    min_n_samples: int | None = Field(None, ge=1)
    max_nearest_distance: bounded(Length, "m", gt=0, fix="give a distance, e.g. '3 km'") | None = None
    max_relative_std: float | None = Field(
        default=None, gt=0, description="max sqrt(kriging variance) / grade of the reference element"
    )


class ClassificationSettings(StrictModel):
    """Measured / Indicated / Inferred rules (JORC 2012 / CRIRSCO terms).

    Defaults are chosen so that a ~10 km core spacing (Takaya et al. 2018: 25 cores over
    ~2,500 km²) classifies mostly as Inferred: Measured needs a core within 1 km (≈ 3 % of
    the area at 10 km spacing), Indicated one within 3 km (≈ 28 %), both with a high slope of
    regression and enough samples; Inferred needs a core within 12 km (about the practical
    range of REY grade continuity) and 3 samples. DOMAIN.md: "at ~10 km core spacing expect
    Inferred at best".
    """

    reference_element: str = "Y"
    measured: ClassRule = ClassRule(
        min_slope_of_regression=0.9, min_kriging_efficiency=0.7, min_n_samples=12,
        max_nearest_distance="1 km",
    )
    indicated: ClassRule = ClassRule(
        min_slope_of_regression=0.7, min_kriging_efficiency=0.3, min_n_samples=8,
        max_nearest_distance="3 km",
    )
    inferred: ClassRule = ClassRule(min_n_samples=3, max_nearest_distance="12 km")

    @field_validator("reference_element")
    @classmethod
    def _check_element(cls, value: str) -> str:
        if value not in ELEMENTS:
            raise ValueError(f"got {value!r}; expected an element symbol ({', '.join(ELEMENTS)})")
        return value


class SimulationNeighbourhoodSettings(StrictModel):
    """Conditioning neighbourhood of the simulation (``[resource.simulation.neighbourhood]``).

    More composites than estimation (the conditioning kriging must reproduce the data's
    covariance); the search radius is unlimited. Defaults from :mod:`seabed.defaults`.
    """

    max_samples: int = Field(SIMULATION_MAX_SAMPLES, ge=1, le=1000,
                             description="Most composites conditioning a cell (1-1,000)")
    min_samples: int = Field(SIMULATION_MIN_SAMPLES, ge=1, description="Fewest composites conditioning a cell")

    @model_validator(mode="after")
    def _check(self) -> SimulationNeighbourhoodSettings:
        if self.min_samples > self.max_samples:
            raise ValueError(f"min_samples: got {self.min_samples} > max_samples {self.max_samples}; expected "
                             "min_samples <= max_samples; fix: lower min_samples or raise max_samples")
        return self


class SimulationSettings(StrictModel):
    """Conditional simulation (uncertainty) options."""

    n_realisations: int = Field(
        default=100, ge=1, le=10_000,
        description="1-10,000: P10-P90 settle within ~1 % by a few hundred; each realisation costs a full "
        "simulation of the grid",
    )
    seed: Seed = Field(default=SIMULATION_SEED, description="0 <= seed < 2**63")
    vertical_correlation: float | None = Field(
        default=None, ge=0, lt=1, description="layer-to-layer correlation; omit: fitted from the cores"
    )
    mean_uncertainty: bool = Field(
        default=True,
        description="draw each realisation's mean grade (normal scores) from its uncertainty given the cores, "
        "so the spread includes the uncertainty of the global mean; false: the mean is known (simple kriging)",
    )
    variogram_uncertainty: bool = Field(
        default=False,
        description="draw the variogram per group of realisations around the fitted one (range log-normal, "
        "nugget share normal; docs/conventions.md 'Variogram uncertainty'), so the spread includes model "
        "uncertainty; false: every realisation uses the fitted variogram",
    )
    variogram_models: int = Field(
        default=10, ge=1, le=1000,
        description="1-1,000 variograms drawn when variogram_uncertainty is on (realisations assigned round-robin; "
        "each costs a kernel and its own conditioning weights)",
    )
    variogram_range_relative_sd: float = Field(
        default=0.2, gt=0, le=1, description="0 < s.d. of the log of the practical range <= 1 (0.2: ~ +/-20 %)")
    variogram_nugget_sd: float = Field(
        default=0.1, ge=0, le=0.5, description="0-0.5 s.d. of the nugget's share of the sill (clipped to 0-0.95)")
    density_relative_sd: float = Field(default=0.0, ge=0, lt=0.5)
    thickness_relative_sd: float = Field(default=0.0, ge=0, lt=0.5)
    cutoffs: list[CutoffGrade] = Field(default_factory=lambda: ["400 ppm", "1000 ppm", "2000 ppm"],
                                       description="Cut-offs of the simulated tonnages, with units")
    supply_realisations: int = Field(
        default=20, ge=0, description="Realisations passed to the supply Monte Carlo as grade inventories"
    )
    neighbourhood: SimulationNeighbourhoodSettings = Field(default_factory=SimulationNeighbourhoodSettings)


class ResourceSettings(StrictModel):
    """The ``[resource]`` section: density, masks, cut-off, classification, simulation."""

    density: DensitySettings = DensitySettings()
    masks: MaskSettings = MaskSettings()
    cutoff: CutoffSettings = CutoffSettings()
    classification: ClassificationSettings = ClassificationSettings()
    simulation: SimulationSettings = SimulationSettings()

