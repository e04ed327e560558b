"""Exact area accounting in a full run of the Takaya box (issue 17 item 4): the summary, the mask
table, the block model and the rasters all count the box's cut cells by their area fraction."""

import json

import numpy as np
import pandas as pd
import pytest
import rasterio
import xarray as xr


def test_takaya_box_counts_its_geodesic_area(takaya_run):
    summary = json.loads((takaya_run / "summary.json").read_text())
    geodesic = summary["inputs"]["areas_km2"]["takaya_box"]
    mineable = summary["resource"]["mineable_area"]["value"]
    assert mineable == pytest.approx(3172.0, abs=3.0)  # 3,200 km2 when whole cells counted by their centre
    assert mineable == pytest.approx(geodesic, rel=1e-6)
    assert summary["inputs"]["grid"]["extent_area_km2_from_cells"] == pytest.approx(geodesic, rel=1e-6)
    assert summary["inputs"]["grid"]["cells_in_extent"] == 3200
    masks = pd.read_csv(takaya_run / "tables" / "mask_areas.csv", index_col="mask")
    assert masks.loc["total", "remaining [km^2]"] == pytest.approx(mineable, rel=1e-9)


def test_block_model_and_rasters_use_the_same_fractions(takaya_run):
    summary = json.loads((takaya_run / "summary.json").read_text())["resource"]
    with xr.open_dataset(takaya_run / "block_model.nc") as bm:
        fraction = bm["mineable_fraction"].values
        assert bm["mineable_fraction"].attrs["units"] == "1"
        np.testing.assert_allclose(bm["cell_area"].values, fraction * 1e6)
        assert float(bm["cell_area"].where(bm["mineable"].any("layer"), 0).sum()) / 1e6 == pytest.approx(
            summary["mineable_area"]["value"], rel=1e-9)
    with rasterio.open(takaya_run / "rasters" / "mineable_fraction.tif") as src:
        assert src.dtypes[0] == "float32"
        assert src.units[0] == "1"
        written = src.read(1)
    np.testing.assert_allclose(written, fraction, atol=1e-7)
    assert 0.7 < written.min() < 1.0  # the box's edge cuts the outer ring of cells
    with rasterio.open(takaya_run / "rasters" / "TREO_t_per_km2.tif") as src:  # per km2 of the whole 1 km2 cell
        treo_t = float(src.read(1, masked=True).astype(float).sum())
    assert treo_t / 1e6 == pytest.approx(summary["oxides"]["TREO"]["value"], rel=1e-5)
