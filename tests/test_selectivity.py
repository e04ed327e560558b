"""Cut-offs, grade-tonnage curves and the mining inventory."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from seabed.resource.blockmodel import build_block_model
from seabed.resource.selectivity import (
    apply_cutoff,
    grade_tonnage,
    interval_grade,
    mining_inventory,
)
from seabed.resource.tonnage import contained, tonnage_table
from seabed.working_grid import Layers, WorkingGrid, laea_crs

ELEMENTS = ["Y", "La", "Nd", "Dy"]
SHARE = np.array([0.4, 0.3, 0.2, 0.1])


def grid_n(n: int = 6, cell: float = 1000.0, layers: Layers | None = None) -> WorkingGrid:
    x = cell * (np.arange(n) + 0.5)
    return WorkingGrid(crs=laea_crs(154.0, 22.0), x=x, y=x[::-1].copy(), cell_size=cell,
                       layers=layers or Layers.regular(0, 4, 1))


def block_model(rey: np.ndarray, grid: WorkingGrid, density: str = "0.5 t/m^3") -> xr.Dataset:
    coords = dict(grid.coords()) | grid.layers.coords() | {"element": ELEMENTS}
    grade = SHARE[:, None, None, None] * rey[None]
    est = xr.Dataset({"grade": (("element", "layer", "y", "x"), grade, {"units": "ppm"})}, coords=coords)
    return build_block_model(est, grid, density=density)


@pytest.fixture(scope="module")
def random_bm() -> xr.Dataset:
    grid = grid_n()
    rng = np.random.default_rng(7)
    rey = rng.lognormal(np.log(900), 0.6, size=(grid.layers.n, *grid.shape))
    return block_model(rey, grid)


@pytest.mark.parametrize("mode", ["block", "interval"], ids=["block", "interval"])
def test_grade_tonnage_monotone_and_total_at_zero(random_bm: xr.Dataset, mode: str) -> None:
    gt = grade_tonnage(random_bm, item="REY", cutoffs=np.linspace(0, 4000, 41), mode=mode, report=["TREO", "Dy"])
    assert np.all(np.diff(gt["dry mud [Mt]"]) <= 0)
    assert np.all(np.diff(gt["REY [t]"]) <= 0)
    mean = gt["REY [ppm]"].dropna().to_numpy()
    assert np.all(np.diff(mean) >= -1e-9)
    first = gt.iloc[0]
    assert first["dry mud [Mt]"] * 1e6 == pytest.approx(contained(random_bm, "mud").magnitude, rel=1e-12)
    assert first["TREO [t]"] == pytest.approx(contained(random_bm, "TREO").magnitude, rel=1e-12)
    total = tonnage_table(random_bm, items=["REY"]).loc[("total", "REY")]
    assert first["REY [ppm]"] == pytest.approx(total["grade [ppm]"], rel=1e-12)


def test_block_cutoff_hand_case() -> None:
    grid = grid_n(2, layers=Layers.regular(0, 2, 1))
    rey = np.array([[[300.0, 500.0], [1000.0, 2000.0]], [[100.0, 100.0], [100.0, 5000.0]]])
    bm = block_model(rey, grid)
    sel = apply_cutoff(bm, item="REY", cutoff="400 ppm", mode="block")
    assert sel.values.tolist() == [[[False, True], [True, True]], [[False, False], [False, True]]]
    gt = grade_tonnage(bm, item="REY", cutoffs=["400 ppm"], report=[])
    t_cell = 1e6 * 1.0 * 0.5
    assert gt.loc[0, "dry mud [Mt]"] == pytest.approx(4 * t_cell / 1e6)
    assert gt.loc[0, "REY [ppm]"] == pytest.approx((500 + 1000 + 2000 + 5000) / 4)
    # TREO as the cut-off item compares oxide grades
    sel_treo = apply_cutoff(bm, item="TREO", cutoff="560 ppm", mode="block")
    assert bool(sel_treo.values[0, 0, 1])  # 500 ppm REY is > 560 ppm as oxides (factors ~1.17-1.27)


def test_interval_mode_with_minimum_thickness() -> None:
    grid = grid_n(2, layers=Layers.regular(0, 4, 1))
    rey = np.full((4, 2, 2), 200.0)
    rey[1, 0, 0] = 3000.0  # a rich 1 m layer: mean over 0-2 m = 1600 ppm, over 0-4 m = 900 ppm
    bm = block_model(rey, grid)
    mean, _tonnes, thick = interval_grade(bm, "REY", ("0 m", "2 m"))
    assert float(mean[0, 0]) == pytest.approx(1600.0)
    assert float(thick[0, 0]) == pytest.approx(2.0)
    sel = apply_cutoff(bm, item="REY", cutoff="1000 ppm", mode="interval", interval=("0 m", "2 m"))
    assert sel.values[:, 0, 0].tolist() == [True, True, False, False]
    assert int(sel.sum()) == 2
    none = apply_cutoff(bm, item="REY", cutoff="1000 ppm", mode="interval", interval=("0 m", "2 m"),
                        min_thickness="3 m")
    assert not bool(none.any())
    half = interval_grade(bm, "REY", ("0.5 m", "2 m"))[0]
    assert float(half[0, 0]) == pytest.approx((0.5 * 200 + 3000) / 1.5)


def test_mining_inventory_rows() -> None:
    grid = grid_n(2, layers=Layers.regular(0, 4, 1))
    rey = np.full((4, 2, 2), 200.0)
    rey[:2, 0, 0] = 3000.0
    rey[:2, 1, 1] = 1000.0
    bm = block_model(rey, grid)
    classes = xr.DataArray(np.full((4, 2, 2), 2, dtype=np.int8), dims=("layer", "y", "x"))
    classes[1, 1, 1] = 1
    inv = mining_inventory(bm, item="REY", cutoff="500 ppm", interval=("0 m", "2 m"),
                           min_thickness="1 m", resource_class=classes)
    assert len(inv) == 2
    assert {"x", "y", "dry_tonnes", "resource_class", *ELEMENTS} <= set(inv.columns)
    row = inv.set_index(["x", "y"]).loc[(grid.x[0], grid.y[0])]
    assert row["dry_tonnes"] == pytest.approx(1e6 * 2 * 0.5)
    assert row["Y"] == pytest.approx(0.4 * 3000.0)
    assert row["resource_class"] == "Indicated"
    low = inv.set_index(["x", "y"]).loc[(grid.x[1], grid.y[1])]
    assert low["resource_class"] == "Inferred"  # the lowest class in the interval
    assert inv.attrs["units"]["Nd"] == "ppm"
    assert isinstance(inv["resource_class"].dtype, pd.CategoricalDtype)


def test_grade_tonnage_plot(random_bm: xr.Dataset) -> None:
    from seabed.resource.plot import plot_grade_tonnage

    gt = grade_tonnage(random_bm, item="REY")
    fig = plot_grade_tonnage(gt)
    ax = fig.axes[0]
    assert "ppm" in ax.get_xlabel()
    assert "Mt" in ax.get_ylabel()
