"""Classification rules on hand cases and the ~10 km spacing default."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from seabed.config.resource import ClassificationSettings, ClassRule
from seabed.errors import ConfigError
from seabed.resource.blockmodel import build_block_model
from seabed.resource.classification import CRITERIA, class_tonnage, classify, describe_rules
from seabed.working_grid import Layers, WorkingGrid, laea_crs


def grid_n(n: int, cell: float) -> WorkingGrid:
    x = cell * (np.arange(n) + 0.5)
    return WorkingGrid(crs=laea_crs(154.0, 22.0), x=x, y=x[::-1].copy(), cell_size=cell,
                       layers=Layers.regular(0, 1, 1))


def block_model(grid: WorkingGrid, *, slope, n, dist, ke=None, kv=None) -> xr.Dataset:
    coords = dict(grid.coords()) | grid.layers.coords() | {"element": ["Y"]}
    shape = (1, *grid.shape)
    d3 = ("layer", "y", "x")
    ds = xr.Dataset(
        {
            "grade": (("element", *d3), np.full((1, *shape), 1000.0), {"units": "ppm"}),
            "slope_of_regression": (d3, np.broadcast_to(slope, shape).astype(float)),
            "n_samples": (d3, np.broadcast_to(n, shape).astype(float)),
            "nearest_distance": (d3, np.broadcast_to(dist, shape).astype(float), {"units": "m"}),
            "kriging_efficiency": (d3, np.broadcast_to(0.8 if ke is None else ke, shape).astype(float)),
        },
        coords=coords,
    )
    if kv is not None:
        ds["kriging_variance"] = (("element", *d3), np.broadcast_to(kv, (1, *shape)).astype(float), {"units": "ppm^2"})
    return build_block_model(ds, grid, density="0.5 t/m^3")


# cells: (slope, n, distance m) -> expected class with the default rules
CASES = [
    ((0.95, 20, 500.0), 3),  # Measured
    ((0.95, 20, 1500.0), 2),  # too far for Measured
    ((0.85, 20, 500.0), 2),  # slope too low for Measured
    ((0.6, 20, 2000.0), 1),  # slope too low for Indicated
    ((0.95, 5, 500.0), 1),  # too few samples for Indicated
    ((0.95, 20, 13000.0), 0),  # too far for Inferred
    ((np.nan, 20, 500.0), 1),  # NaN slope fails the slope criteria only
]


@pytest.mark.parametrize(("cell", "expected"), CASES, ids=[
    "measured", "far", "low-slope", "indicated-slope", "few-samples", "unclassified", "nan-slope"])
def test_default_rules_hand_cases(cell: tuple, expected: int) -> None:
    slope, n, dist = cell
    bm = block_model(grid_n(1, 1000.0), slope=slope, n=n, dist=dist)
    out = classify(bm, ClassificationSettings())
    assert int(out["resource_class"].item()) == expected


def test_limiting_criterion_names_the_failed_rule() -> None:
    bm = block_model(grid_n(1, 1000.0), slope=0.95, n=20, dist=1500.0)
    out = classify(bm)
    k = int(out["limiting_criterion"].item())
    assert CRITERIA[k - 1][0] == "max_nearest_distance"


def test_custom_rules_with_relative_std() -> None:
    rules = ClassificationSettings(
        measured=ClassRule(max_relative_std=0.05),
        indicated=ClassRule(max_relative_std=0.2),
        inferred=ClassRule(max_nearest_distance="50 km"),
    )
    grid = grid_n(3, 1000.0)
    kv = np.array([[10.0**2 * 16, 100.0**2 * 3, 300.0**2]] * 3)  # std 40, 173, 300 ppm at 1000 ppm
    bm = block_model(grid, slope=0.5, n=1, dist=100.0, kv=kv)
    out = classify(bm, rules)
    assert out["resource_class"].values[0, 0].tolist() == [3, 2, 1]
    with pytest.raises(ConfigError, match="kriging_variance"):
        classify(block_model(grid, slope=0.5, n=1, dist=100.0), rules)


def test_ten_km_spacing_is_mostly_inferred() -> None:
    # cores on a 10 km lattice; diagnostics as a function of the distance to the nearest core
    grid = grid_n(80, 250.0)
    xx, yy = np.meshgrid(grid.x, grid.y)
    cores = np.arange(5000.0, 20000.0, 10000.0)
    dist = np.min([np.hypot(xx - cx, yy - cy) for cx in cores for cy in cores], axis=0)
    slope = np.clip(1.0 - dist / 15000.0, 0, 1)  # generous: high slope near cores
    bm = block_model(grid, slope=slope, n=25, dist=dist)
    out = classify(bm)
    tab = class_tonnage(bm, out["resource_class"], items=["REY"])
    share = tab["dry mud [Mt]"] / tab.loc["total", "dry mud [Mt]"]
    assert share["Inferred"] > 0.5
    assert share["Measured"] < 0.05
    assert tab.loc["total", "dry mud [Mt]"] == pytest.approx(tab["dry mud [Mt]"].iloc[:4].sum())
    assert "nearest sample <= 1 km" in tab.loc["Measured", "reason"]


def test_describe_rules_lists_each_class() -> None:
    text = describe_rules(ClassificationSettings())
    assert text.splitlines()[2].startswith("Inferred: samples >= 3, nearest sample <= 12 km")
