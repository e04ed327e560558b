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

from typing import Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from seabed.elements import ELEMENTS, GROUPS
from seabed.schema import Density, Dimensionless, Length, StrictModel

__all__ = [
    "DEFAULT_DRY_BULK_DENSITY",
    "OXIDE_GROUPS",
    "ClassRule",
    "ClassificationSettings",
    "CutoffSettings",
    "DensitySettings",
    "MaskSettings",
    "ResourceSettings",
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


class _Section(StrictModel):
    """A strict section whose string defaults are parsed like user values."""

    model_config = ConfigDict(**{**StrictModel.model_config, "validate_default": True})


def known_items() -> list[str]:
    """Names accepted wherever an element, metal group or oxide group is asked for."""
    metal_groups = [g for g in GROUPS if g not in OXIDE_GROUPS]
    return [*ELEMENTS, *metal_groups, *OXIDE_GROUPS]


class DensitySettings(_Section):
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
    """

    method: Literal["constant", "per_layer", "wet", "water_content", "grid"] = "constant"
    dry_bulk_density: Density = DEFAULT_DRY_BULK_DENSITY
    per_layer: list[Density] | None = None
    wet_bulk_density: Density = "1.32 g/cm^3"
    grain_density: Density = "2.5 g/cm^3"
    seawater_density: Density = "1.025 g/cm^3"
    water_content: Dimensionless | None = None
    water_content_basis: Literal["dry", "wet"] = "dry"

    @model_validator(mode="after")
    def _check_method(self) -> DensitySettings:
        if self.method == "per_layer" and not self.per_layer:
            raise ValueError(
                "method 'per_layer' needs per_layer = [\"0.5 t/m^3\", ...] (one per layer)"
            )
        if self.method == "water_content" and self.water_content is None:
            raise ValueError("method 'water_content' needs water_content, e.g. \"250 percent\"")
        return self


class MaskSettings(_Section):
    """Where mining is possible (each ``None`` switches that mask off).

    Defaults: water depth 4,000–6,500 m (the deposit lies at 5,500–5,800 m), slopes up to
    7° (deep-sea practice excludes slopes > 7–10°), no minimum sediment thickness, and the
    layers are clipped to the sediment thickness when that raster is given.
    """

    min_water_depth: Length | None = "4000 m"
    max_water_depth: Length | None = "6500 m"
    max_slope: float | None = Field(default=7.0, ge=0, lt=90, description="degrees")
    min_sediment_thickness: Length | None = None
    clip_layers_to_sediment: bool = True
    include: list[str] | None = Field(
        default=None,
        description="Names of [[areas]] the resource must lie inside (default: the grid extent)",
    )
    exclude: list[str] = Field(
        default_factory=list, description="Names of [[areas]] excluded (e.g. protected zones)"
    )


class CutoffSettings(_Section):
    """Cut-off grade and mined interval.

    ``mode = "block"`` applies the cut-off to each cell-layer; ``"interval"`` to the
    tonnage-weighted mean grade over the mined interval ``interval_top``–``interval_bottom``
    of each cell, which is kept only if at least ``min_mining_thickness`` of it is mineable.
    """

    item: str = "REY"
    grade: Dimensionless = "400 ppm"
    mode: Literal["block", "interval"] = "interval"
    interval_top: Length = "0 m"
    interval_bottom: Length = "10 m"
    min_mining_thickness: Length = "2 m"
    curve: list[Dimensionless] = Field(
        default_factory=lambda: [f"{c} ppm" for c in (0, 200, 400, 600, 800, 1000, 1500, 2000, 3000, 5000)]
    )

    @field_validator("item")
    @classmethod
    def _check_item(cls, value: str) -> str:
        if value not in known_items():
            raise ValueError(f"got {value!r}; expected one of {', '.join(known_items())}")
        return value


class ClassRule(_Section):
    """Criteria that a cell-layer must all meet for one resource class (``None``: not used)."""

    min_slope_of_regression: float | None = None
    min_kriging_efficiency: float | None = None
    min_n_samples: int | None = None
    max_nearest_distance: Length | None = None
    max_relative_std: float | None = Field(
        default=None, gt=0, description="max sqrt(kriging variance) / grade of the reference element"
    )


class ClassificationSettings(_Section):
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


class SimulationSettings(_Section):
    """Conditional simulation (uncertainty) options."""

    n_realisations: int = Field(default=100, ge=1)
    seed: int = Field(default=20180410, ge=0)
    vertical_correlation: float | None = Field(
        default=None, ge=0, lt=1, description="layer-to-layer correlation; None: fitted from the cores"
    )
    mean_uncertainty: bool = Field(
        default=True,
        description="draw each realisation's mean grade (normal scores) from its uncertainty given the cores, "
        "so the spread includes the uncertainty of the global mean; false: the mean is known (simple kriging)",
    )
    density_relative_sd: float = Field(default=0.0, ge=0, lt=0.5)
    thickness_relative_sd: float = Field(default=0.0, ge=0, lt=0.5)
    cutoffs: list[Dimensionless] = Field(default_factory=lambda: ["400 ppm", "1000 ppm", "2000 ppm"])
    supply_realisations: int = Field(
        default=20, ge=0, description="Realisations passed to the supply Monte Carlo as grade inventories"
    )


class ResourceSettings(_Section):
    """The ``[resource]`` section: density, masks, cut-off, classification, simulation."""

    density: DensitySettings = DensitySettings()
    masks: MaskSettings = MaskSettings()
    cutoff: CutoffSettings = CutoffSettings()
    classification: ClassificationSettings = ClassificationSettings()
    simulation: SimulationSettings = SimulationSettings()

