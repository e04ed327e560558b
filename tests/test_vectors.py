import numpy as np
import pandas as pd
import pyogrio
import pytest
import xarray as xr

from seabed.elements import ELEMENTS
from seabed.outputs.vectors import cores_frame, write_geopackage


def _intervals():
    return pd.DataFrame({"core_id": ["A", "A", "B"], "longitude": [153.6, 153.6, 153.7],
                         "latitude": [21.9, 21.9, 22.0], "top_mbsf": [0.0, 1.0, 0.0], "bottom_mbsf": [1.0, 2.0, 1.0]})


def _composites():
    la = np.array([[100.0, 300.0], [50.0, np.nan]])
    y = np.array([[200.0, 100.0], [50.0, np.nan]])
    return xr.Dataset({"La": (("core_id", "layer"), la), "Y": (("core_id", "layer"), y)},
                      coords={"core_id": ["A", "B"], "layer": [0, 1], "layer_top": ("layer", [0.0, 1.0]),
                              "layer_bottom": ("layer", [1.0, 3.0])})


def test_cores_carry_thickness_weighted_grades():
    df = cores_frame(_intervals(), _composites(), ["La", "Y"]).set_index("core_id")
    assert df.loc["A", "REY_ppm"] == pytest.approx((300 * 1 + 400 * 2) / 3)
    treo_a = ((100 * ELEMENTS["La"].oxide_factor + 200 * ELEMENTS["Y"].oxide_factor) * 1
              + (300 * ELEMENTS["La"].oxide_factor + 100 * ELEMENTS["Y"].oxide_factor) * 2) / 3
    assert df.loc["A", "TREO_ppm"] == pytest.approx(treo_a)
    assert df.loc["B", "REY_ppm"] == pytest.approx(100.0)  # the uncomposited layer is left out
    assert df.loc["B", "composited_m"] == 1.0
    assert "REY_ppm" not in cores_frame(_intervals()).columns


def test_layer_metadata_written(tmp_path):
    path = write_geopackage(tmp_path / "x.gpkg", {"cores": cores_frame(_intervals(), _composites(), ["La", "Y"])},
                            {"cores": {"units": "REY_ppm: ppm", "synthetic_cores": "yes"}})
    meta = pyogrio.read_info(path, layer="cores")["layer_metadata"]
    assert meta["synthetic_cores"] == "yes"
    assert meta["units"] == "REY_ppm: ppm"
