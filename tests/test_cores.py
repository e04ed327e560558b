"""Tests of seabed.inputs.cores: schema, validation messages, units and policies."""

from __future__ import annotations

from pathlib import Path

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
        "core_id,longitude,latitude,top_mbsf,bottom_mbsf,comment",
        ["A,153.6,21.9,0,1,no assays"],
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
    rows = ["A,153.6,21.9,0,1,< 0.2,<0.2", "A,153.6,21.9,1,2,100,200"]
    df = load_cores(write(tmp_path, rows), detection_policy=policy)
    np.testing.assert_equal(df[["La", "Y"]].to_numpy()[0], [expected, expected])
    assert df.attrs["detection"] == {"n_substituted": 2, "policy": policy, "by_element": {"La": 1, "Y": 1}}


def test_detection_limit_in_file_units(tmp_path):
    df = load_cores(write(tmp_path, ["A,153.6,21.9,0,1,<0.01,1"]), units="wt%")
    assert df["La"].iloc[0] == pytest.approx(50.0)  # half of 0.01 wt% = 100 ppm


def test_negative_sentinel_as_detection_limit(tmp_path):
    path = write(tmp_path, ["A,153.6,21.9,0,1,-0.4,1"])
    df = load_cores(path, negative_is_below_detection=True, detection_policy="limit")
    assert df["La"].iloc[0] == pytest.approx(0.4)


def test_blank_assay_is_not_analysed(tmp_path):
    df = load_cores(write(tmp_path, ["A,153.6,21.9,0,1,,NA", "A,153.6,21.9,1,2,100,200"]))
    assert df[["La", "Y"]].iloc[0].isna().all()
    assert df.attrs["detection"]["n_substituted"] == 0


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


# ------------------------------------------------- physical limits and plausibility (issue 12)

DEMO = Path(__file__).resolve().parents[1] / "data" / "cores" / "minamitorishima_demo.csv"


@pytest.mark.parametrize(
    ("la", "y", "ok"),
    [("1000000", "", True), ("1000000.5", "", False), ("500000", "500000", True), ("500000", "500001", False),
     ("0.5e6", "0.25e6", True)],
    ids=["element-at-1e6", "element-above", "sum-at-1e6", "sum-above", "sum-below"],
)
def test_physical_limit_known_answer(tmp_path, la, y, ok):
    path = write(tmp_path, ["A,153.6,21.9,0,1,100,200", f"A,153.6,21.9,1,2,{la},{y}"])
    if ok:
        df = load_cores(path, plausible_max_rey_ppm=None)
        assert df["La"].iloc[1] == float(la)
        return
    with pytest.raises(InputDataError) as info:
        load_cores(path)
    message = str(info.value)
    assert "\n" not in message
    assert "data row 2 (line 5), core A" in message
    assert "1,000,000 ppm" in message
    assert ("column 'La'" in message) if y == "" else ("sum of 1,000,001 ppm" in message)


def test_absurd_assay_refused_naming_row_and_column(tmp_path):
    with pytest.raises(InputDataError, match=r"data row 1 \(line 4\), core A, column 'La': got 1e30 ppm"):
        load_cores(write(tmp_path, ["A,153.6,21.9,0,1,1e30,200"]))


def test_ppm_table_labelled_wt_percent(tmp_path):
    with pytest.raises(InputDataError) as info:
        load_cores(write(tmp_path, ["A,153.6,21.9,0,1,80.6,111.2"]), units="wt%")
    message = str(info.value)
    assert "column 'Y': got 111.2 wt% (= 1,112,000 ppm)" in message
    assert "look like ppm, not wt%" in message
    assert "[inputs.cores] units" in message


def test_ppm_table_labelled_wt_percent_sum(tmp_path):
    """No single value reaches 100 %, but the sample sums to 160 %."""
    with pytest.raises(InputDataError, match=r"sum of 1,600,000 ppm \(160 % .*look like ppm, not wt%"):
        load_cores(write(tmp_path, ["A,153.6,21.9,0,1,80,80"]), units="wt%")


def test_implausible_grade_warns_with_row_and_column(tmp_path, caplog):
    rows = ["A,153.6,21.9,0,1,100,200", "A,153.6,21.9,1,2,5000,25000"]
    df = load_cores(write(tmp_path, rows))
    (message,) = df.attrs["warnings"]
    assert "data row 2 (line 5), core A, column 'Y' (25,000 ppm): total REY 30,000 ppm" in message
    assert "plausible_max_REY 20,000 ppm" in message
    assert message in caplog.text
    assert load_cores(write(tmp_path, rows), plausible_max_rey_ppm=None).attrs["warnings"] == []
    assert load_cores(write(tmp_path, rows), plausible_max_rey_ppm=40_000).attrs["warnings"] == []


def test_implausible_grade_warnings_are_capped(tmp_path):
    rows = [f"A,153.6,21.9,{k},{k + 1},100,30000" for k in range(8)]
    warnings = load_cores(write(tmp_path, rows)).attrs["warnings"]
    assert len(warnings) == 6
    assert "3 more sample(s) with total REY above plausible_max_REY" in warnings[-1]


def test_wt_percent_table_labelled_ppm_warns(tmp_path):
    df = load_cores(write(tmp_path, ["A,153.6,21.9,0,1,0.008,0.011", "A,153.6,21.9,1,2,0.009,0.012"]))
    (message,) = df.attrs["warnings"]
    assert "median total REY" in message
    assert "look like wt%" in message
    assert load_cores(write(tmp_path, ["A,153.6,21.9,0,1,0.008,0.011"]), units="wt%").attrs["warnings"] == []


def test_detection_substitutions_recorded_and_logged(tmp_path, caplog):
    rows = ["A,153.6,21.9,0,1,<0.5,200", "A,153.6,21.9,1,2,<0.5,<1", "A,153.6,21.9,2,3,100,200"]
    df = load_cores(write(tmp_path, rows), detection_policy="limit")
    assert df.attrs["detection"] == {"n_substituted": 3, "policy": "limit", "by_element": {"La": 2, "Y": 1}}
    assert "3 below-detection assay(s) ('<DL') replaced by the detection limit (detection_policy='limit')" in caplog.text


def test_shipped_tables_load_unchanged_without_warnings():
    for path in sorted(DEMO.parent.glob("*.csv")):
        df = load_cores(path)
        assert df.attrs["warnings"] == [], path
        assert df.attrs["ignored_columns"] == ()
        assert df.attrs["detection"]["n_substituted"] == 0


# ------------------------------------------------------------------ columns (issue 12)


@pytest.mark.parametrize(
    ("column", "fragments"),
    [
        ("Neodymium", ["column 'Neodymium'", "did you mean 'Nd' (neodymium)?", "columns = {Neodymium = \"Nd\"}"]),
        ("nd", ["did you mean 'Nd'"]),
        ("ND", ["did you mean 'Nd'"]),
        ("Nd_ppm", ["did you mean 'Nd'"]),
        ("Nd (ppm)", ["did you mean 'Nd'", "columns = {\"Nd (ppm)\" = \"Nd\"}"]),
        ("Nd_ppb", ["did you mean 'Nd'", "its name says 'ppb'"]),
        ("Neodymum", ["did you mean 'Nd'"]),
        ("Nd2O3", ["oxide", "Nd2O3 / 1.1664"]),
        ("TREO", ["group total"]),
        ("Ba", ["element seabed does not use"]),
        ("CaO", ["element seabed does not use"]),
        ("depth_mid", ["holds numbers", "ignore_columns = [\"depth_mid\"]"]),
        ("dry_density", ["did you mean 'dry_bulk_density'?"]),
    ],
)
def test_unknown_assay_like_column_refused(tmp_path, column, fragments):
    path = write(tmp_path, ["A,153.6,21.9,0,1,100,200,90"], header=f"{HEADER},{column}")
    with pytest.raises(InputDataError) as info:
        load_cores(path)
    message = str(info.value)
    assert "\n" not in message
    assert "fix:" in message
    assert "ignore_columns" in message
    for part in fragments:
        assert part in message, f"{part!r} not in {message!r}"


def test_second_column_of_an_element_refused(tmp_path):
    path = write(tmp_path, ["A,153.6,21.9,0,1,100,200,90"], header=f"{HEADER},La_ppm")
    with pytest.raises(InputDataError, match="already has a 'La' column"):
        load_cores(path)


def test_text_column_left_out(tmp_path):
    df = load_cores(write(tmp_path, ["A,153.6,21.9,0,1,100,200,ok"], header=f"{HEADER},remark"))
    assert df.attrs["ignored_columns"] == ("remark",)


def test_ignore_columns(tmp_path):
    path = write(tmp_path, ["A,153.6,21.9,0,1,100,200,7,3"], header=f"{HEADER},lab_batch,lab_run")
    with pytest.raises(InputDataError, match="column 'lab_batch' holds numbers.*1 more such column"):
        load_cores(path)
    assert load_cores(path, ignore_columns=["lab_batch", "lab_run"]).attrs["ignored_columns"] == ("lab_batch", "lab_run")
    assert load_cores(path, ignore_columns=["lab_*"]).attrs["ignored_columns"] == ("lab_batch", "lab_run")
    with pytest.raises(InputDataError, match="ignore_columns lists 'La', a column of the core-table schema"):
        load_cores(path, ignore_columns=["La", "lab_*"])


def test_column_map_renames_and_resource_is_unchanged(tmp_path):
    from seabed.compositing import composite
    from seabed.working_grid import Layers

    text = DEMO.read_text(encoding="utf-8")
    header = next(ln for ln in text.splitlines() if not ln.startswith("#"))
    renamed = tmp_path / "renamed.csv"
    renamed.write_text(text.replace(header, header.replace(",Nd,", ",Neodymium,").replace(",Dy,", ",Dy (ppm),")),
                       encoding="utf-8")
    with pytest.raises(InputDataError, match="did you mean 'Nd'"):
        load_cores(renamed)
    mapped = load_cores(renamed, columns={"Neodymium": "Nd", "Dy (ppm)": "Dy"})
    original = load_cores(DEMO)
    pd.testing.assert_frame_equal(mapped, original)
    assert mapped.attrs["renamed"] == {"Neodymium": "Nd", "Dy (ppm)": "Dy"}
    layers = Layers.regular(0, 10, 1)
    grid = WorkingGrid.covering(box(153.5, 21.8, 154.1167, 22.25), cell_size=4000.0)
    a, b = composite(mapped, layers, grid=grid), composite(original, layers, grid=grid)
    np.testing.assert_array_equal(a["Nd"].values, b["Nd"].values)
    assert float(a["Nd"].mean()) > 0


@pytest.mark.parametrize(
    ("columns", "match"),
    [
        ({"Neodymium": "Neo"}, "not a column of the core-table schema"),
        ({"Neodymium": "La"}, "already has a column 'La'"),
        ({"Praseodymium": "Pr"}, "the file has no column 'Praseodymium'"),
        ({"Neodymium": "Nd", "extra": "Nd"}, "all to 'Nd'"),
    ],
    ids=["non-schema-target", "target-present", "missing-source", "two-sources"],
)
def test_column_map_errors(tmp_path, columns, match):
    path = write(tmp_path, ["A,153.6,21.9,0,1,100,200,90,1"], header=f"{HEADER},Neodymium,extra")
    with pytest.raises(InputDataError, match=match):
        load_cores(path, columns=columns)


def test_column_map_for_a_required_column(tmp_path):
    path = write(tmp_path, ["A,153.6,21.9,0,1,100,200"], header=HEADER.replace("latitude", "lat"))
    with pytest.raises(InputDataError, match=r"missing required column 'latitude' \(is 'lat' meant .*columns = \{lat"):
        load_cores(path)
    assert load_cores(path, columns={"lat": "latitude"})["latitude"].iloc[0] == 21.9


def test_duplicate_column_refused(tmp_path):
    path = write(tmp_path, ["A,153.6,21.9,0,1,100,200,300"], header=f"{HEADER},La")
    with pytest.raises(InputDataError, match=r"line 3: column 'La' appears 2 times in the header \(columns \[6, 8\]\)"):
        load_cores(path)


# ------------------------------------------------------------ malformed tables (issue 12)


def test_semicolon_delimiter(tmp_path):
    path = write(tmp_path, [r.replace(",", ";") for r in GOOD_ROWS], header=HEADER.replace(",", ";"))
    with pytest.raises(InputDataError, match=r"cores\.csv: line 3: .*semicolon.*delimiter.*comma-separated"):
        load_cores(path)


def test_tab_delimiter(tmp_path):
    path = write(tmp_path, [r.replace(",", "\t") for r in GOOD_ROWS], header=HEADER.replace(",", "\t"))
    with pytest.raises(InputDataError, match=r"separated by tab.*delimiter"):
        load_cores(path)


@pytest.mark.parametrize(
    ("row", "match"),
    [("A,153.6,21.9,1,2,100,200,7", r"line 5 \(data row 2\): got 8 fields; expected 7 fields like the header"),
     ("A,153.6,21.9,1,2,100", r"line 5 \(data row 2\): got 6 fields; expected 7 .*add the missing field")],
    ids=["long", "short"],
)
def test_ragged_row(tmp_path, row, match):
    with pytest.raises(InputDataError, match=match) as info:
        load_cores(write(tmp_path, [GOOD_ROWS[0], row]))
    assert "\n" not in str(info.value)


def test_trailing_comma_on_every_line_accepted(tmp_path):
    df = load_cores(write(tmp_path, [r + "," for r in GOOD_ROWS], header=HEADER + ","))
    assert list(df.columns)[-2:] == ["La", "Y"]


@pytest.mark.parametrize(
    ("content", "match"),
    [(b"", "empty file"), (b"# only a comment\n\n", "empty file"),
     (HEADER.encode() + b"\n", r"no data rows \(a header only\)"),
     (b"\xff\xfe" + HEADER.encode("utf-16-le"), "UTF-16"),
     (b"PK\x03\x04rest", "spreadsheet"),
     ((HEADER + "\nA,153.6,21.9,0,1,100,200\nB\xe9,153.7,21.9,0,1,1,1\n").encode("latin-1"),
      r"cores\.csv: line 3: byte 0xe9 is not valid UTF-8.*expected encoding UTF-8")],
    ids=["empty", "comments-only", "header-only", "utf16", "xlsx", "latin1"],
)
def test_unreadable_files(tmp_path, content, match):
    path = tmp_path / "cores.csv"
    path.write_bytes(content)
    with pytest.raises(InputDataError, match=match):
        load_cores(path)


def test_no_assay_values(tmp_path):
    with pytest.raises(InputDataError, match=r"no assay values: all 4 cells"):
        load_cores(write(tmp_path, ["A,153.6,21.9,0,1,,", "A,153.6,21.9,1,2,NA,"]))
    with pytest.raises(InputDataError, match=r"column 'Y': no assay values \(all 2 cells empty"):
        load_cores(write(tmp_path, ["A,153.6,21.9,0,1,100,", "A,153.6,21.9,1,2,200,"]))


@pytest.mark.parametrize(
    ("cell", "fix"),
    [('"1,234"', "remove the thousands separator (write 1234)"), ('"0,5"', "use a decimal point"),
     ("n.d.", "write a below-detection value as '<DL'"), ("bdl", "'<DL'"), ("12 ppm", "remove the unit"),
     (">5000", "over-range"), ("abc", "correct the assay")],
    ids=["thousands", "decimal-comma", "n.d.", "bdl", "unit", "over-range", "text"],
)
def test_non_numeric_assay_fix(tmp_path, cell, fix):
    with pytest.raises(InputDataError) as info:
        load_cores(write(tmp_path, ["A,153.6,21.9,0,1,100,200", f"A,153.6,21.9,1,2,{cell},200"]))
    message = str(info.value)
    assert "data row 2 (line 5), core A, column 'La': got '" in message
    assert fix in message
