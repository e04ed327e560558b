"""The ``[grid]`` and ``[layers]`` sections: the equal-area working grid and its depth layers.

Examples
--------
>>> LayerSpec(top="0 m", bottom="10 m", thickness="2 m").n_layers
5
"""

from __future__ import annotations

from pydantic import Field, model_validator

from seabed.config.areas import check_lonlat
from seabed.config.base import Length, StrictModel, bounded

__all__ = ["MAX_LAYERS", "GridSpec", "LayerSpec"]


class GridSpec(StrictModel):
    """The equal-area working grid."""

    extent: str = Field(description="Name of the area whose bounds the grid covers")
    cell_size: bounded(Length, "m", ge=10, le=100_000, fix="use a cell edge such as '1 km'") = Field(
        description="Cell edge, e.g. '1 km'; 10 m to 100 km: cores lie ~10 km apart and the site grids are "
        "~1.8 km (1 arc-minute), so finer than 10 m resolves nothing and only costs memory, and a cell over "
        "100 km is wider than a study area")
    center: tuple[float, float] | None = Field(None, description="LAEA centre (lon, lat); default: extent centroid")

    @model_validator(mode="after")
    def _check_center(self) -> GridSpec:
        if self.center is not None:
            check_lonlat(self.center, "center")
        return self


#: Most depth layers: each adds a full (y, x) grid per element to the block model and the simulation.
MAX_LAYERS = 200


class LayerSpec(StrictModel):
    """Depth layers below the seafloor (mbsf, positive down).

    ``top`` >= 0 < ``bottom``; ``thickness`` > 0 divides ``bottom - top`` into a whole number of
    layers, at most 200 (each layer adds a full grid per element to the block model).
    """

    top: bounded(Length, "m", ge=0, fix="depths are metres below the seafloor, positive down, e.g. '0 m'") = "0 m"
    bottom: Length = "10 m"
    thickness: bounded(Length, "m", gt=0, fix="give the layer thickness, e.g. '1 m'") = "1 m"

    @model_validator(mode="after")
    def _check_layers(self) -> LayerSpec:
        top, bottom, dz = (float(q.to("m").magnitude) for q in (self.top, self.bottom, self.thickness))
        if not bottom > top:
            raise ValueError(f"bottom: got {bottom:g} m <= top {top:g} m; expected top < bottom (mbsf, positive "
                             "down); fix: e.g. top = \"0 m\", bottom = \"10 m\"")
        n = (bottom - top) / dz
        if abs(n - round(n)) > 1e-6 * max(1.0, n):
            raise ValueError(f"thickness: got {dz:g} m, which does not divide {top:g}-{bottom:g} m into a whole "
                             f"number of layers ({n:.3g}); expected a divisor of {bottom - top:g} m; "
                             "fix: change thickness or bottom")
        if round(n) > MAX_LAYERS:
            raise ValueError(f"thickness: got {dz:g} m, giving {round(n)} layers over {top:g}-{bottom:g} m; expected "
                             f"at most {MAX_LAYERS} layers; fix: use thicker layers, e.g. '1 m'")
        return self

    @property
    def n_layers(self) -> int:
        """Number of layers."""
        return round(float(((self.bottom - self.top) / self.thickness).to("").magnitude))
