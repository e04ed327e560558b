"""Dry bulk density: formulas, units, settings."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from seabed.config.resource import DensitySettings, ResourceSettings
from seabed.errors import ConfigError, InputDataError, UnitsError
from seabed.resource.density import (
    density_field,
    dry_density_from_water_content,
    dry_density_from_wet,
)
from seabed.units import Quantity
from seabed.working_grid import Layers, WorkingGrid, laea_crs


def small_grid(n_layers: int = 3) -> WorkingGrid:
    x = np.array([500.0, 1500.0])
    return WorkingGrid(crs=laea_crs(154.0, 22.0), x=x, y=x[::-1].copy(), cell_size=1000.0,
                       layers=Layers.regular(0, n_layers, 1))


@pytest.mark.parametrize(
    ("wet", "expected"),
    [("1.32 g/cm^3", 2.5 * 0.295 / 1.475), ("1025 kg/m^3", 0.0), ("2.5 t/m^3", 2.5)],
    ids=["red-clay", "pure-water", "pure-grain"],
)
def test_dry_from_wet_known_answers(wet: str, expected: float) -> None:
    got = dry_density_from_wet(wet)
    assert got.to("t/m^3").magnitude == pytest.approx(expected, abs=1e-12)


def test_dry_from_wet_red_clay_range_matches_domain() -> None:
    # Pacific red clay: wet 1.30-1.34 g/cm3 -> dry 0.47-0.53 t/m3 (DOMAIN.md)
    lo, hi = dry_density_from_wet(Quantity(np.array([1.30, 1.34]), "g/cm^3")).magnitude
    assert lo == pytest.approx(0.466, abs=0.005)
    assert hi == pytest.approx(0.534, abs=0.005)


def test_dry_from_wet_rejects_impossible_density() -> None:
    with pytest.raises(InputDataError, match="wet_bulk_density"):
        dry_density_from_wet("0.9 g/cm^3")
    with pytest.raises(UnitsError):
        dry_density_from_wet(1.32)


@pytest.mark.parametrize(
    ("w", "basis"), [("2.4", "dry"), ("70.588235294117647 percent", "wet")], ids=["dry", "wet"],
)
def test_water_content_bases_agree(w: str, basis: str) -> None:
    # W = 0.70588 on a wet basis is w = W / (1 - W) = 2.4 on a dry basis
    got = dry_density_from_water_content(w, basis=basis, grain_density="2.5 g/cm^3",
                                         pore_water_density="1.025 g/cm^3")
    assert got.magnitude == pytest.approx(1 / (1 / 2.5 + 2.4 / 1.025), rel=1e-9)


def test_water_content_consistent_with_wet_density() -> None:
    # porosity 0.8: wet = 0.8*1.025 + 0.2*2.5 = 1.32; dry = 0.5; w = 0.8*1.025/0.5
    w = 0.8 * 1.025 / 0.5
    assert dry_density_from_water_content(w).magnitude == pytest.approx(0.5, rel=1e-12)
    assert dry_density_from_wet("1.32 g/cm^3").magnitude == pytest.approx(0.5, rel=1e-12)


def test_empty_settings_give_default_constant() -> None:
    da = density_field(small_grid(), settings=ResourceSettings().density)
    assert da.dims == ("layer", "y", "x")
    assert da.attrs["units"] == "t/m^3"
    np.testing.assert_allclose(da.values, 0.55)


def test_per_layer_and_wet_methods() -> None:
    s = DensitySettings(method="per_layer", per_layer=["0.5 t/m^3", "550 kg/m^3", "0.6 g/cm^3"])
    np.testing.assert_allclose(density_field(small_grid(), settings=s).values[:, 0, 0], [0.5, 0.55, 0.6])
    with pytest.raises(ConfigError, match="per_layer"):
        density_field(small_grid(4), settings=s)
    wet = density_field(small_grid(), settings=DensitySettings(method="wet"))
    np.testing.assert_allclose(wet.values, 0.5)


def test_grid_method_converts_units() -> None:
    grid = small_grid()
    values = xr.DataArray(np.full(grid.shape, 520.0), dims=("y", "x"), attrs={"units": "kg/m^3"})
    da = density_field(grid, settings=DensitySettings(method="grid"), values=values)
    np.testing.assert_allclose(da.values, 0.52)
    with pytest.raises(ConfigError, match="no density grid"):
        density_field(grid, settings=DensitySettings(method="grid"))


def test_bare_number_refused_in_settings() -> None:
    with pytest.raises(ValueError, match="bare number"):
        DensitySettings(dry_bulk_density=0.55)
