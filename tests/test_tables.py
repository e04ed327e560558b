"""The CSV form of the tables (seabed.outputs.bundle.csv_table): one thing per column, units in
every header as ``name [unit]``, no ``inf`` ("never" is an empty cell), probabilities named as such."""

import io

import numpy as np
import pandas as pd

from seabed.outputs.bundle import csv_table


def _roundtrip(name, df):
    text = csv_table(name, df).to_csv(index=False)
    return text, pd.read_csv(io.StringIO(text))


def test_cross_validation_variables_become_element_and_layer():
    m = pd.DataFrame({"n": [25, 25], "mean_error": [0.1, 0.2], "rmse": [3.0, 4.0], "correlation": [0.5, 0.6]},
                     index=pd.Index(["La|0", "Nd|3"], name="variable"))
    _, t = _roundtrip("cross_validation_metrics", m)
    assert list(t.columns[:2]) == ["element", "layer"]
    assert t["element"].tolist() == ["La", "Nd"]
    assert t["layer"].tolist() == [0, 3]
    assert {"mean_error [ppm]", "rmse [ppm]"} <= set(t.columns)


def test_monte_carlo_never_is_empty_and_mean_probability_is_named():
    mc = pd.DataFrame({"p10": [-3e9, 2040.0, np.inf], "p50": [-2e9, np.inf, np.inf], "p90": [-1e9, np.inf, np.inf],
                       "mean": [-2e9, 0.29, 0.0]},
                      index=pd.Index(["npv", "offset_year_Eu", "offset_year_0.5_Nd"], name="metric"))
    text, t = _roundtrip("supply_monte_carlo", mc)
    assert "inf" not in text
    assert t[["metric", "item", "unit"]].fillna("").values.tolist() == [
        ["npv", "", "USD"], ["first_offset_year", "Eu", "year"], ["first_offset_year_0.5", "Nd", "year"]]
    assert t.loc[1, "p10"] == 2040
    assert np.isnan(t.loc[1, "p50"])
    p = "probability of an offset within the horizon"
    assert t[p].tolist()[1:] == [0.29, 0.0]
    assert np.isnan(t.loc[0, p])
    assert np.isnan(t.loc[1, "mean"])
    assert t.loc[0, "mean"] == -2e9


def test_unit_suffixes_become_bracketed_headers():
    demand = pd.DataFrame({"year": [2030], "item": ["Nd"], "demand_t": [1.0], "share_of_imports": [0.5]})
    _, t = _roundtrip("supply_offset", demand)
    assert list(t.columns) == ["year", "item", "demand [t]", "share_of_imports [fraction]"]
    scen = pd.DataFrame({"base": [1.0, np.inf, -2.0]},
                        index=pd.Index(["mud_mined_Mt", "first_offset_year_Dy", "npv_USD"], name="metric"))
    text, t = _roundtrip("supply_scenarios", scen)
    assert "inf" not in text
    assert t["unit"].tolist() == ["Mt", "year", "USD"]
    assert t["metric"].tolist() == ["mud_mined", "first_offset_year",
                                                                                      "npv"]


def test_inventory_headers_reload_to_engine_names(tmp_path):
    from seabed.outputs.reload import load_saved_resource

    inv = pd.DataFrame({"x": [0.0], "y": [1.0], "dry_tonnes": [5.0], "resource_class": ["Inferred"], "La": [200.0]})
    (tmp_path / "tables").mkdir()
    csv_table("mining_inventory", inv).to_csv(tmp_path / "tables" / "mining_inventory.csv", index=False)
    header = (tmp_path / "tables" / "mining_inventory.csv").read_text().splitlines()[0]
    assert header == "x [m],y [m],dry_tonnes [t],resource_class,La [ppm]"
    back, grades = load_saved_resource(tmp_path)
    pd.testing.assert_frame_equal(back, inv)
    assert grades is None


def test_tables_already_tidy_are_unchanged():
    """The report's tables (re-read by ``seabed report``) keep their columns."""
    t = pd.DataFrame({"dry mud [Mt]": [1.0], "oxide [t]": [2.0]},
                     index=pd.MultiIndex.from_tuples([("total", "TREO")], names=["scope", "item"]))
    assert csv_table("tonnage", t).to_csv(index=False) == t.to_csv()
