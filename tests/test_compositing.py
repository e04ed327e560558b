"""Tests of seabed.compositing: length-weighted composites with known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from seabed.compositing import composite, layer_overlaps
from seabed.errors import InputDataError
from seabed.working_grid import Layers, WorkingGrid

ONE_METRE = Layers.regular(0, 2, 1)


def table(samples, *, core="A", lon=153.6, lat=21.9, extra=None):
    """Interval table from (top, bottom, La) triples; x, y = 0 unless overridden."""
    df = pd.DataFrame(samples, columns=["top_mbsf", "bottom_mbsf", "La"])
    df.insert(0, "core_id", core)
    df.insert(1, "longitude", lon)
    df.insert(2, "latitude", lat)
    df["x"] = 0.0
    df["y"] = 0.0
    for k, v in (extra or {}).items():
        df[k] = v
    return df


CASES = {
    # id: (samples, layers, min_coverage, expected La per layer, expected coverage per layer)
    "two-halves": ([(0.0, 0.5, 100.0), (0.5, 1.0, 300.0)], ONE_METRE, 0.5, [200.0, np.nan], [1.0, 0.0]),
    "unequal-lengths": ([(0.0, 0.25, 100.0), (0.25, 1.0, 300.0)], ONE_METRE, 0.5, [250.0, np.nan], [1.0, 0.0]),
    "straddling": (
        [(0.0, 0.5, 100.0), (0.5, 1.5, 400.0), (1.5, 2.0, 200.0)], ONE_METRE, 0.5, [250.0, 300.0], [1.0, 1.0],
    ),
    "partial-kept": ([(0.0, 0.6, 500.0)], ONE_METRE, 0.5, [500.0, np.nan], [0.6, 0.0]),
    "partial-dropped": ([(0.0, 0.6, 500.0)], ONE_METRE, 0.7, [np.nan, np.nan], [0.6, 0.0]),
    "coverage-exactly-min": ([(0.2, 0.5, 100.0), (0.5, 0.7, 600.0)], ONE_METRE, 0.5, [300.0, np.nan], [0.5, 0.0]),
    "gap-kept": ([(0.0, 0.3, 100.0), (0.7, 1.0, 300.0)], ONE_METRE, 0.5, [200.0, np.nan], [0.6, 0.0]),
    "gap-too-large": ([(0.0, 0.2, 100.0), (0.8, 1.0, 300.0)], ONE_METRE, 0.5, [np.nan, np.nan], [0.4, 0.0]),
    "min-coverage-zero": ([(0.0, 0.1, 100.0)], ONE_METRE, 0.0, [100.0, np.nan], [0.1, 0.0]),
    "sample-spans-layers": ([(0.0, 2.0, 700.0)], ONE_METRE, 0.5, [700.0, 700.0], [1.0, 1.0]),
    "below-layers-ignored": ([(1.5, 3.0, 900.0)], ONE_METRE, 0.5, [np.nan, 900.0], [0.0, 0.5]),
    "non-contiguous-layers": (
        [(0.0, 6.0, 100.0)], Layers([0.0, 5.0], [1.0, 6.0]), 0.5, [100.0, 100.0], [1.0, 1.0],
    ),
    "thick-layer": (
        [(0.0, 1.0, 100.0), (1.0, 3.0, 400.0)], Layers([0.0], [4.0]), 0.5, [300.0], [0.75],
    ),
}


@pytest.mark.parametrize(("samples", "layers", "min_coverage", "grade", "coverage"), list(CASES.values()), ids=list(CASES))
def test_known_answers(samples, layers, min_coverage, grade, coverage):
    ds = composite(table(samples), layers, elements=["La"], min_coverage=min_coverage)
    np.testing.assert_allclose(ds["La"].values[0], grade, rtol=1e-12)
    np.testing.assert_allclose(ds["coverage"].values[0], coverage, rtol=1e-12, atol=1e-12)


def test_contract_dims_coords_and_units():
    df = table([(0.0, 1.0, 100.0)], extra={"dry_bulk_density": 0.52, "water_depth_m": 5600.0})
    df["Y"] = 200.0
    ds = composite(df, Layers.regular(0, 10, 1), elements=["La", "Y"])
    assert ds["La"].dims == ("core", "layer")
    assert {"La", "Y", "coverage", "dry_bulk_density", "water_depth"} <= set(ds.data_vars)
    assert {"core_id", "x", "y", "longitude", "latitude", "layer_top", "layer_bottom"} <= set(ds.coords)
    assert ds["core_id"].dims == ("core",)
    assert ds["layer_top"].dims == ("layer",)
    assert ds["La"].attrs["units"] == "ppm"
    assert ds["coverage"].attrs["units"] == "1"
    assert ds["dry_bulk_density"].attrs["units"] == "t/m^3"
    assert ds["water_depth"].dims == ("core",)
    assert ds["water_depth"].values.tolist() == [5600.0]
    assert ds["layer_bottom"].values.tolist() == list(range(1, 11))


def test_density_composited_like_grades():
    df = table([(0.0, 0.25, 100.0), (0.25, 1.0, 100.0)], extra={"dry_bulk_density": [0.50, 0.54]})
    ds = composite(df, ONE_METRE, elements=["La"])
    assert ds["dry_bulk_density"].values[0, 0] == pytest.approx(0.25 * 0.50 + 0.75 * 0.54)
    assert np.isnan(ds["dry_bulk_density"].values[0, 1])


def test_missing_element_value_uses_its_own_coverage():
    df = table([(0.0, 0.6, 100.0), (0.6, 1.0, np.nan)])
    df["Y"] = [10.0, 30.0]
    ds = composite(df, ONE_METRE, elements=["La", "Y"], min_coverage=0.5)
    assert ds["La"].values[0, 0] == pytest.approx(100.0)  # 0.6 m analysed >= 0.5
    assert ds["Y"].values[0, 0] == pytest.approx(0.6 * 10 + 0.4 * 30)
    assert ds["coverage"].values[0, 0] == pytest.approx(1.0)
    ds = composite(df, ONE_METRE, elements=["La", "Y"], min_coverage=0.7)
    assert np.isnan(ds["La"].values[0, 0])
    assert ds["Y"].values[0, 0] == pytest.approx(18.0)


def test_overlapping_samples_counted_once_in_coverage():
    # merged duplicate cores: replicate samples are averaged by length, coverage is the union
    df = table([(0.0, 1.0, 100.0), (0.5, 1.0, 300.0)])
    ds = composite(df, ONE_METRE, elements=["La"])
    assert ds["coverage"].values[0, 0] == pytest.approx(1.0)
    assert ds["La"].values[0, 0] == pytest.approx((100 * 1.0 + 300 * 0.5) / 1.5)


def test_cores_keep_first_appearance_order_and_positions():
    df = pd.concat([
        table([(0.0, 1.0, 10.0)], core="Z", lon=154.0, lat=22.0),
        table([(0.0, 1.0, 20.0)], core="A", lon=153.6, lat=21.9),
    ], ignore_index=True)
    df.loc[df["core_id"] == "Z", ["x", "y"]] = [1000.0, -500.0]
    ds = composite(df, ONE_METRE, elements=["La"])
    assert ds["core_id"].values.tolist() == ["Z", "A"]
    assert ds["La"].values[:, 0].tolist() == [10.0, 20.0]
    assert ds["x"].values.tolist() == [1000.0, 0.0]
    assert ds["longitude"].values.tolist() == [154.0, 153.6]


def test_xy_from_grid():
    grid = WorkingGrid.covering(box(153.5, 21.8, 154.1167, 22.25), cell_size=1000.0)
    df = table([(0.0, 1.0, 10.0)]).drop(columns=["x", "y"])
    ds = composite(df, ONE_METRE, elements=["La"], grid=grid)
    x, y = grid.from_lonlat(np.array([153.6]), np.array([21.9]))
    np.testing.assert_allclose([ds["x"].item(), ds["y"].item()], [x[0], y[0]])
    assert ds.attrs["crs_wkt"] == grid.crs.to_wkt()


def test_no_xy_and_no_grid_is_an_error():
    df = table([(0.0, 1.0, 10.0)]).drop(columns=["x", "y"])
    with pytest.raises(InputDataError, match="no x/y columns"):
        composite(df, ONE_METRE, elements=["La"])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"elements": ["Nd"]}, "not columns"), ({"elements": ["Xx"]}, "unknown"), ({"min_coverage": 1.5}, "min_coverage")],
    ids=["absent-element", "unknown-element", "bad-min-coverage"],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(InputDataError, match=match):
        composite(table([(0.0, 1.0, 10.0)]), ONE_METRE, **{"elements": ["La"], **kwargs})


def test_input_not_mutated():
    df = table([(0.0, 0.5, 100.0), (0.5, 1.0, 300.0)])
    before = df.copy()
    composite(df, ONE_METRE, elements=["La"])
    pd.testing.assert_frame_equal(df, before)


def test_layer_overlaps_pairs():
    i, j, length = layer_overlaps(np.array([0.5, 2.0]), np.array([1.7, 2.5]), Layers.regular(0, 3, 1))
    assert i.tolist() == [0, 0, 1]
    assert j.tolist() == [0, 1, 2]
    np.testing.assert_allclose(length, [0.5, 0.7, 0.5])


def test_matches_brute_force_on_random_cores():
    rng = np.random.default_rng(7)
    frames = []
    for c in range(6):
        edges = np.cumsum(rng.uniform(0.1, 0.9, 20))
        keep = rng.random(19) > 0.2  # gaps
        frames.append(table([(edges[k], edges[k + 1], rng.uniform(50, 5000)) for k in range(19) if keep[k]],
                            core=f"C{c}"))
    df = pd.concat(frames, ignore_index=True)
    layers = Layers.regular(0, 8, 0.5)
    ds = composite(df, layers, elements=["La"], min_coverage=0.3)
    for c, core in enumerate(ds["core_id"].values):
        rows = df[df["core_id"] == core]
        for j in range(layers.n):
            t, b = layers.top[j], layers.bottom[j]
            ov = np.clip(np.minimum(rows["bottom_mbsf"], b) - np.maximum(rows["top_mbsf"], t), 0, None).to_numpy()
            cov = ov.sum() / (b - t)
            assert ds["coverage"].values[c, j] == pytest.approx(cov, abs=1e-12)
            expected = (rows["La"].to_numpy() * ov).sum() / ov.sum() if cov >= 0.3 else np.nan
            np.testing.assert_allclose(ds["La"].values[c, j], expected, rtol=1e-12)
