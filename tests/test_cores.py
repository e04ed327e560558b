"""Tests of seabed.inputs.cores: schema, validation messages, units and policies."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from seabed.errors import InputDataError, UnitsError
from seabed.inputs.cores import DuplicateCoreWarning, load_cores, ppm_per_unit
from seabed.working_grid import WorkingGrid

HEADER = "core_id,longitude,latitude,top_mbsf,bottom_mbsf,La,Y"
GOOD_ROWS = [
    "A,153.60,21.90,0.0,0.5,100,200",
    "A,153.60,21.90,0.5,1.0,300,400",
    "B,153.70,21.95,0.0,1.0,50,60",
]


def write(tmp_path, rows, *, header=HEADER, comments=("# SYNTHETIC test table", "# units: ppm"), name="cores.csv"):
    path = tmp_path / name
    path.write_text("\n".join([*comments, header, *rows]) + "\n", encoding="utf-8")
    return path


def test_load_valid_table(tmp_path):
    df = load_cores(write(tmp_path, [GOOD_ROWS[2], GOOD_ROWS[1], GOOD_ROWS[0]]))
    assert list(df.columns) == ["core_id", "longitude", "latitude", "top_mbsf", "bottom_mbsf", "La", "Y"]
    # sorted by core (first appearance in the file) then depth
    assert df["core_id"].tolist() == ["B", "A", "A"]
    assert df["top_mbsf"].tolist() == [0.0, 0.0, 0.5]
    assert df["La"].tolist() == [50.0, 100.0, 300.0]
    assert df.attrs["elements"] == ("La", "Y")
    assert df.attrs["units"]["La"] == "ppm"


def test_does_not_keep_unknown_columns_and_orders_elements(tmp_path):
    header = "core_id,longitude,latitude,top_mbsf,bottom_mbsf,Sc,Y,Nd,La,comment"
    df = load_cores(write(tmp_path, ["A,153.6,21.9,0,1,25,200,90,100,hello"], header=header))
    assert list(df.columns)[5:] == ["La", "Nd", "Y", "Sc"]


def test_elements_argument_selects_columns(tmp_path):
    df = load_cores(write(tmp_path, GOOD_ROWS), elements=["Y"])
    assert "La" not in df.columns
    assert df.attrs["elements"] == ("Y",)


def test_elements_argument_missing_column(tmp_path):
    with pytest.raises(InputDataError, match=r"cores\.csv: element column\(s\) \['Nd'\]"):
        load_cores(write(tmp_path, GOOD_ROWS), elements=["La", "Nd"])


# ------------------------------------------------------------------ bad input messages

BAD_CASES = {
    # id: (header, rows, area, substrings expected in the one-line message)
    "missing-column": (
        "core_id,longitude,lat,top_mbsf,bottom_mbsf,La",
        ["A,153.6,21.9,0,1,100"],
        None,
        ["cores.csv", "missing required column 'latitude'", "is 'lat' meant", "fix"],
    ),
    "top-ge-bottom": (
        HEADER,
        ["A,153.6,21.9,0.0,0.5,100,1", "A,153.6,21.9,1.5,1.5,100,1"],
        None,
        ["cores.csv", "data row 2 (line 5)", "core A", "'top_mbsf'", "1.5", "top < bottom", "fix"],
    ),
    "overlap": (
        HEADER,
        ["A,153.6,21.9,0.0,1.0,100,1", "A,153.6,21.9,0.8,1.5,100,1"],
        None,
        ["cores.csv", "data row 2", "core A", "'top_mbsf'", "0.8", "0.0-1.0", "data row 1", "non-overlapping"],
    ),
    "negative-assay": (
        HEADER,
        ["A,153.6,21.9,0,1,100,1", "B,153.7,21.9,0,1,-3,1"],
        None,
        ["cores.csv", "data row 2", "core B", "column 'La'", "'-3'", ">= 0", "'<DL'"],
    ),
    "non-numeric-assay": (
        HEADER,
        ["A,153.6,21.9,0,1,abc,1"],
        None,
        ["cores.csv", "data row 1", "core A", "column 'La'", "'abc'", "a number"],
    ),
    "non-numeric-depth": (
        HEADER,
        ["A,153.6,21.9,zero,1,100,1"],
        None,
        ["cores.csv", "data row 1", "core A", "'top_mbsf'", "'zero'"],
    ),
    "nan-position": (
        HEADER,
        ["A,153.6,21.9,0,1,100,1", "B,153.7,NaN,0,1,100,1"],
        None,
        ["cores.csv", "data row 2", "core B", "'latitude'", "NaN"],
    ),
    "latitude-out-of-range": (
        HEADER,
        ["A,153.6,95.0,0,1,100,1"],
        None,
        ["cores.csv", "data row 1", "core A", "'latitude'", "95.0", "[-90, 90]", "swapped"],
    ),
    "longitude-out-of-range": (
        HEADER,
        ["A,400.0,21.9,0,1,100,1"],
        None,
        ["cores.csv", "data row 1", "core A", "'longitude'", "400.0"],
    ),
    "outside-area": (
        HEADER,
        ["A,153.6,21.9,0,1,100,1", "B,154.5,21.9,0,1,100,1"],
        box(153.5, 21.8, 154.1167, 22.25),
        ["cores.csv", "data row 2", "core B", "'longitude'/'latitude'", "154.500000", "outside the working area"],
    ),
    "inconsistent-position": (
        HEADER,
        ["A,153.6,21.9,0,1,100,1", "A,153.6,21.95,1,2,100,1"],
        None,
        ["cores.csv", "data row 2", "core A", "'longitude'/'latitude'", "21.950000", "one position per core"],
    ),
    "empty-core-id": (
        HEADER,
        ["A,153.6,21.9,0,1,100,1", ",153.6,21.9,1,2,100,1"],
        None,
        ["cores.csv", "data row 2", "'core_id'", "empty"],
    ),
    "negative-top": (
        HEADER,
        ["A,153.6,21.9,-0.5,1,100,1"],
        None,
        ["cores.csv", "data row 1", "core A", "'top_mbsf'", "-0.5", "positive down"],
    ),
    "water-content-percent": (
        HEADER + ",water_content",
        ["A,153.6,21.9,0,1,100,1,65"],
        None,
        ["cores.csv", "data row 1", "core A", "'water_content'", "65.0", "divide wt% by 100"],
    ),
    "negative-water-depth": (
        HEADER + ",water_depth_m",
        ["A,153.6,21.9,0,1,100,1,-5600"],
        None,
        ["cores.csv", "data row 1", "core A", "'water_depth_m'", "-5600.0", "positive down"],
    ),
    "no-element-columns": (
        "core_id,longitude,latitude,top_mbsf,bottom_mbsf,CaO",
        ["A,153.6,21.9,0,1,30"],
        None,
        ["cores.csv", "no element columns", "La", "fix"],
    ),
}


@pytest.mark.parametrize(("header", "rows", "area", "expected"), list(BAD_CASES.values()), ids=list(BAD_CASES))
def test_bad_input_raises_one_line_message(tmp_path, header, rows, area, expected):
    path = write(tmp_path, rows, header=header)
    with pytest.raises(InputDataError) as info:
        load_cores(path, area=area)
    message = str(info.value)
    assert "\n" not in message
    for part in expected:
        assert part in message, f"{part!r} not in {message!r}"


def test_missing_file(tmp_path):
    with pytest.raises(InputDataError, match=r"nope\.csv: file not found"):
        load_cores(tmp_path / "nope.csv")


def test_counts_further_bad_rows(tmp_path):
    path = write(tmp_path, ["A,153.6,21.9,0,1,x,1", "A,153.6,21.9,1,2,y,1"])
    with pytest.raises(InputDataError, match=r"\(1 more row\(s\) like this\)"):
        load_cores(path)


# ------------------------------------------------------------------------------ units


@pytest.mark.parametrize(
    ("units", "factor"),
    [("ppm", 1.0), ("ppb", 1e-3), ("wt%", 1e4), ("g/t", 1.0), ("mg/kg", 1.0), ("percent", 1e4)],
    ids=["ppm", "ppb", "wt-percent", "g-per-t", "mg-per-kg", "percent"],
)
def test_units_converted_to_ppm(tmp_path, units, factor):
    df = load_cores(write(tmp_path, ["A,153.6,21.9,0,1,0.25,2"]), units=units)
    assert df["La"].iloc[0] == pytest.approx(0.25 * factor, rel=1e-12)
    assert df["Y"].iloc[0] == pytest.approx(2 * factor, rel=1e-12)


def test_units_per_element(tmp_path):
    df = load_cores(write(tmp_path, ["A,153.6,21.9,0,1,0.1,250"]), units={"La": "wt%"})
    assert df["La"].iloc[0] == pytest.approx(1000.0)
    assert df["Y"].iloc[0] == pytest.approx(250.0)  # default ppm


@pytest.mark.parametrize("units", ["furlong", "kg", ""], ids=["unknown", "not-a-fraction", "empty"])
def test_bad_units(tmp_path, units):
    with pytest.raises(UnitsError, match="cores.units"):
        load_cores(write(tmp_path, GOOD_ROWS), units=units)


def test_ppm_per_unit():
    assert ppm_per_unit("wt%") == pytest.approx(1e4)
    assert ppm_per_unit("ppb") == pytest.approx(1e-3)


# ------------------------------------------------------------------ detection limits


@pytest.mark.parametrize(
    ("policy", "expected"),
    [("half", 0.1), ("zero", 0.0), ("limit", 0.2), ("drop", np.nan)],
    ids=["half", "zero", "limit", "drop"],
)
def test_detection_policy(tmp_path, policy, expected):
    df = load_cores(write(tmp_path, ["A,153.6,21.9,0,1,< 0.2,<0.2"]), detection_policy=policy)
    np.testing.assert_equal(df[["La", "Y"]].to_numpy()[0], [expected, expected])


def test_detection_limit_in_file_units(tmp_path):
    df = load_cores(write(tmp_path, ["A,153.6,21.9,0,1,<0.01,1"]), units="wt%")
    assert df["La"].iloc[0] == pytest.approx(50.0)  # half of 0.01 wt% = 100 ppm


def test_negative_sentinel_as_detection_limit(tmp_path):
    path = write(tmp_path, ["A,153.6,21.9,0,1,-0.4,1"])
    df = load_cores(path, negative_is_below_detection=True, detection_policy="limit")
    assert df["La"].iloc[0] == pytest.approx(0.4)


def test_blank_assay_is_not_analysed(tmp_path):
    df = load_cores(write(tmp_path, ["A,153.6,21.9,0,1,,NA"]))
    assert df[["La", "Y"]].isna().all(axis=None)


def test_unknown_detection_policy(tmp_path):
    with pytest.raises(InputDataError, match="detection_policy"):
        load_cores(write(tmp_path, GOOD_ROWS), detection_policy="quarter")


# ------------------------------------------------------------------------ duplicates

DUPLICATE_ROWS = [
    "A,153.60000,21.90000,0.0,1.0,100,1",
    "B,153.60003,21.90003,0.5,1.5,300,1",  # ~4.5 m from A
    "C,153.70000,21.95000,0.0,1.0,50,1",
]


def test_duplicates_kept_with_warning(tmp_path):
    with pytest.warns(DuplicateCoreWarning, match=r"cores \['A', 'B'\] are within 10 m"):
        df = load_cores(write(tmp_path, DUPLICATE_ROWS))
    assert df["core_id"].unique().tolist() == ["A", "B", "C"]


def test_duplicates_merged(tmp_path):
    df = load_cores(write(tmp_path, DUPLICATE_ROWS), duplicate_policy="merge")
    assert df["core_id"].unique().tolist() == ["A+B", "C"]
    merged = df[df["core_id"] == "A+B"]
    assert merged["longitude"].unique() == pytest.approx([153.600015])
    assert merged["latitude"].unique() == pytest.approx([21.900015])
    assert merged["top_mbsf"].tolist() == [0.0, 0.5]


def test_duplicates_error(tmp_path):
    with pytest.raises(InputDataError, match=r"cores\.csv: cores \['A', 'B'\].*duplicate_policy='error'"):
        load_cores(write(tmp_path, DUPLICATE_ROWS), duplicate_policy="error")


def test_cores_beyond_tolerance_are_not_duplicates(tmp_path):
    rows = ["A,153.6000,21.9,0,1,100,1", "B,153.6005,21.9,0,1,100,1"]  # ~52 m apart
    df = load_cores(write(tmp_path, rows), duplicate_policy="error")
    assert df["core_id"].nunique() == 2
    with pytest.raises(InputDataError, match="within 100 m"):
        load_cores(write(tmp_path, rows), duplicate_policy="error", position_tolerance_m=100.0)


# ---------------------------------------------------------------- positions, extras


def test_working_grid_coordinates(tmp_path):
    grid = WorkingGrid.covering(box(153.5, 21.8, 154.1167, 22.25), cell_size=1000.0)
    df = load_cores(write(tmp_path, GOOD_ROWS), grid=grid)
    x, y = grid.from_lonlat(np.array([153.6, 153.7]), np.array([21.9, 21.95]))
    np.testing.assert_allclose(df.drop_duplicates("core_id")[["x", "y"]].to_numpy(), np.column_stack([x, y]))
    assert df.attrs["crs"] == grid.crs.to_wkt()


def test_longitude_0_360_normalised(tmp_path):
    df = load_cores(write(tmp_path, ["A,200.0,21.9,0,1,100,1"]))
    assert df["longitude"].iloc[0] == pytest.approx(-160.0)


def test_dry_density_derived_from_wet_and_water_content(tmp_path):
    header = HEADER + ",wet_bulk_density,water_content"
    df = load_cores(write(tmp_path, ["A,153.6,21.9,0,1,100,1,1.32,0.6"], header=header))
    assert df["dry_bulk_density"].iloc[0] == pytest.approx(1.32 * 0.4)
    assert df.attrs["derived"]


def test_geopackage_points(tmp_path):
    import geopandas as gpd

    frame = pd.DataFrame({"core_id": ["A", "A"], "top_mbsf": [0.0, 0.5], "bottom_mbsf": [0.5, 1.0],
                          "La": [100.0, 300.0]})
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy([153.6, 153.6], [21.9, 21.9]), crs="EPSG:4326")
    path = tmp_path / "cores.gpkg"
    gdf.to_file(path, driver="GPKG")
    df = load_cores(path)
    assert df["longitude"].tolist() == pytest.approx([153.6, 153.6])
    assert df["La"].tolist() == [100.0, 300.0]
