"""The whole run configuration, :class:`Config`: every section and the checks that span sections.

Only :mod:`seabed.pipeline` sees the whole :class:`Config`; every stage takes explicit
arguments made from one section by :mod:`seabed.pipeline.adapters`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from seabed.config.areas import AreaSpec
from seabed.config.base import Seed, StrictModel
from seabed.config.compute import ComputeSpec
from seabed.config.estimation import EstimationSettings
from seabed.config.grid import GridSpec, LayerSpec
from seabed.config.inputs import Inputs
from seabed.config.resource import ResourceSettings
from seabed.config.supply import SupplySettings

__all__ = ["Config"]


class Config(StrictModel):
    """A whole run configuration."""

    title: str = Field(description="Title of the run (reports, plots)")
    site: Literal["minamitorishima", "okinotorishima", "other"] = Field(description="Site (island marker on maps)")
    seed: Seed = Field(description="Seed of every random draw in the run (0 <= seed < 2**63)")
    description: str = Field("", description="Free text for the report")
    assumptions: list[str] = Field(default_factory=list, description="Statements reported verbatim")
    inputs: Inputs
    areas: list[AreaSpec]
    grid: GridSpec
    layers: LayerSpec = LayerSpec()
    estimation: EstimationSettings = EstimationSettings()
    resource: ResourceSettings = ResourceSettings()
    supply: SupplySettings = SupplySettings()
    compute: ComputeSpec = ComputeSpec()
    source_path: Path | None = Field(None, exclude=True)

    @model_validator(mode="after")
    def _extent_is_an_area(self) -> Config:
        names = [a.name for a in self.areas]
        if len(set(names)) != len(names):
            raise ValueError(f"area names must be unique; got {names}")
        if self.grid.extent not in names:
            raise ValueError(f"grid.extent {self.grid.extent!r} is not an area; expected one of {names}")
        masks = self.resource.masks
        for key, listed in (("include", masks.include or []), ("exclude", masks.exclude)):
            unknown = [n for n in listed if n not in names]
            if unknown:
                raise ValueError(f"resource.masks.{key}: {unknown} not among the areas {names}")
        self._check_depths()
        return self

    def _check_depths(self) -> None:
        """Settings that depend on the layers: the mined interval and per-layer densities."""
        top, bottom = (float(q.to("m").magnitude) for q in (self.layers.top, self.layers.bottom))
        cut = self.resource.cutoff
        a, b = (float(q.to("m").magnitude) for q in (cut.interval_top, cut.interval_bottom))
        if a < top or b > bottom:
            raise ValueError(
                f"resource.cutoff.interval_top, interval_bottom: got {a:g}-{b:g} m; expected inside the layers "
                f"{top:g}-{bottom:g} m; fix: narrow the mined interval or extend [layers]")
        density = self.resource.density
        if density.method == "per_layer" and len(density.per_layer) != self.layers.n_layers:
            raise ValueError(
                f"resource.density.per_layer: got {len(density.per_layer)} value(s); expected one per layer, "
                f"{self.layers.n_layers} (top down); fix: list {self.layers.n_layers} densities")

    def area(self, name: str) -> AreaSpec:
        """The area called ``name``."""
        return next(a for a in self.areas if a.name == name)

    def input_paths(self) -> dict[str, Path]:
        """Every input file the config names, by a label."""
        paths = {"cores": self.inputs.cores.path, "bathymetry": self.inputs.bathymetry.path}
        for key in ("sediment_thickness", "crustal_age"):
            g = getattr(self.inputs, key)
            if g is not None:
                paths[key] = g.path
        for a in self.areas:
            if a.path is not None:
                paths[f"area:{a.name}"] = a.path
        return paths
