"""Block model assembly: variables, units, CRS, mineable mask, input checks."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from seabed.errors import InputDataError
from seabed.resource.blockmodel import build_block_model
from seabed.resource.density import density_field
from seabed.working_grid import Layers, WorkingGrid, laea_crs


def grid_n(n: int = 4, cell: float = 500.0) -> WorkingGrid:
    x = cell * (np.arange(n) + 0.5)
    return WorkingGrid(crs=laea_crs(154.0, 22.0), x=x, y=x[::-1].copy(), cell_size=cell,
                       layers=Layers.regular(0, 3, 1))


def estimates(grid: WorkingGrid, units: str = "ppm") -> xr.Dataset:
    coords = dict(grid.coords()) | grid.layers.coords() | {"element": ["Y", "Nd"]}
    shape = (2, grid.layers.n, *grid.shape)
    grade = np.full(shape, 400.0)
    grade[:, 2, 0, 0] = np.nan
    d3 = ("layer", "y", "x")
    reason = np.zeros(shape[1:], dtype=np.int8)
    reason[1, 1, 1] = 1
    ds = xr.Dataset(
        {
            "grade": (("element", *d3), grade, {"units": units}),
            "kriging_variance": (("element", *d3), np.full(shape, 100.0), {"units": "ppm^2"}),
            "slope_of_regression": (d3, np.full(shape[1:], 0.8), {"units": "1"}),
            "n_samples": (d3, np.full(shape[1:], 10), {"units": "1"}),
            "nearest_distance": (d3, np.full(shape[1:], 2500.0), {"units": "m"}),
            "reason": (d3, reason, {}),
        },
        coords=coords,
    )
    return ds


def test_block_model_contents() -> None:
    grid = grid_n()
    mask = xr.DataArray(np.ones(grid.shape, bool), dims=("y", "x"))
    mask[3, 3] = False
    bm = build_block_model(estimates(grid), grid, density=density_field(grid), masks={"study_box": mask})
    assert bm["grade"].dims == ("element", "layer", "y", "x")
    assert bm["grade"].attrs["units"] == "ppm"
    assert bm["cell_area"].attrs["units"] == "m^2"
    np.testing.assert_allclose(bm["cell_area"].values, 250_000.0 * mask.values)  # 0 where masked
    np.testing.assert_allclose(bm["mineable_fraction"].values, 1.0 * mask.values)
    np.testing.assert_allclose(bm["layer_thickness"].values, 1.0)
    assert bm["dry_bulk_density"].attrs["units"] == "t/m^3"
    assert "spatial_ref" in bm.coords
    assert bm.rio.crs is not None
    assert list(bm["element"].values) == ["Y", "Nd"]
    # removed: masked column (3 layers), NaN grade (1), reason 1 (1)
    assert int((~bm["mineable"]).sum()) == 3 + 1 + 1
    assert bool(bm["mask_study_box"].values[0, 0])
    assert not bool(bm["mineable"].values[2, 0, 0])


def test_grade_units_converted_to_ppm() -> None:
    grid = grid_n()
    est = estimates(grid, units="wt%")
    est["grade"] = est["grade"] / 1e4  # 0.04 wt% = 400 ppm
    bm = build_block_model(est, grid, density="0.55 t/m^3")
    assert float(bm["grade"].isel(element=0, layer=0, y=1, x=1)) == pytest.approx(400.0)


def test_density_forms_are_equivalent() -> None:
    grid = grid_n()
    per_layer = xr.DataArray([0.5, 0.55, 0.6], dims="layer", attrs={"units": "g/cm^3"})
    bm = build_block_model(estimates(grid), grid, density=per_layer)
    np.testing.assert_allclose(bm["dry_bulk_density"].values[:, 2, 3], [0.5, 0.55, 0.6])
    with pytest.raises(InputDataError, match="units"):
        build_block_model(estimates(grid), grid, density=xr.DataArray([0.5, 0.5, 0.5], dims="layer"))


def test_misaligned_estimates_refused() -> None:
    grid = grid_n()
    other = grid_n(5)
    with pytest.raises(InputDataError, match="coordinate"):
        build_block_model(estimates(other), grid, density="0.55 t/m^3")


def test_cut_cells_count_by_their_area_fraction() -> None:
    """A polygon mask keeps part of a cell: the cell is mineable and counts that part of its
    area (cell_area, hence every tonnage); an exclusion subtracts what it covers."""
    from seabed.resource.tonnage import block_tonnes

    grid = grid_n()
    box = xr.DataArray(np.ones(grid.shape), dims=("y", "x"), attrs={"area_role": "include"})
    box[0, :] = 0.25  # the study box's edge crosses the top row
    reserve = xr.DataArray(np.ones(grid.shape), dims=("y", "x"), attrs={"area_role": "exclude"})
    reserve[1, 1] = 0.4  # an exclusion zone covers 60 % of one cell
    depth = xr.DataArray(np.ones(grid.shape, bool), dims=("y", "x"))
    depth[0, 3] = False
    bm = build_block_model(estimates(grid), grid, density="0.5 t/m^3",
                           masks={"box": box, "reserve": reserve, "water_depth": depth})
    expected = np.ones(grid.shape)
    expected[0, :] = 0.25
    expected[1, 1] = 0.4
    expected[0, 3] = 0.0
    np.testing.assert_allclose(bm["mineable_fraction"].values, expected)
    np.testing.assert_allclose(bm["cell_area"].values, 250_000.0 * expected)
    assert bm["mask_box"].dtype == float
    assert bm["mask_water_depth"].dtype == bool
    assert bool(bm["mineable"].values[0, 0, 1])  # a cut cell is mineable
    assert not bool(bm["mineable"].values[0, 0, 3])
    t = block_tonnes(bm).values
    assert t[0, 0, 1] == pytest.approx(0.25 * 250_000.0 * 1.0 * 0.5)
    assert t[0, 1, 1] == pytest.approx(0.4 * 250_000.0 * 1.0 * 0.5)
