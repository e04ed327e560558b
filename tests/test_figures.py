"""Figures a reader can trust when copied alone (issue 15): the SYNTHETIC watermark on every figure
of a synthetic run, maps with a lon/lat graticule and a scale bar, discrete class colours with a
legend, a standardised cross-validation, monotone offset curves, a titled cash-flow chart.

Tested through the figure objects (text artists, legends, ticks), not pixels."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest
import xarray as xr
from matplotlib.figure import Figure
from shapely.geometry import box

from seabed.plotting import (
    CLASS_NAMES,
    WATERMARK_GID,
    add_scale_bar,
    has_watermark,
    mass_unit,
    nice_length,
    watermark,
)
from seabed.working_grid import WorkingGrid

matplotlib.use("Agg")


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text)]


def test_watermark_is_a_text_artist_and_idempotent():
    fig = Figure()
    fig.add_subplot()
    assert not has_watermark(watermark(fig, False))
    watermark(fig, True)
    watermark(fig, True)
    marks = [t for t in fig.texts if t.get_gid() == WATERMARK_GID]
    assert len(marks) == 1
    assert marks[0].get_text() == "SYNTHETIC"
    assert not marks[0].get_in_layout()
    assert any("SYNTHETIC" in t and "not real" in t for t in _texts(fig))


def test_mass_unit_and_nice_length():
    assert mass_unit([2.5e7, 1.0]) == (1e6, "Mt")
    assert mass_unit([4.2e4]) == (1e3, "kt")
    assert mass_unit([12.0, np.nan]) == (1.0, "t")
    assert nice_length(40.0) == 10.0
    assert nice_length(9.0) == 2.0


@pytest.fixture(scope="module")
def grid() -> WorkingGrid:
    return WorkingGrid.covering(box(153.5, 21.8, 154.1, 22.3), cell_size=4000.0)


def _field(grid: WorkingGrid, values) -> xr.DataArray:
    return xr.DataArray(np.asarray(values, dtype=float).reshape(grid.shape), dims=("y", "x"))


@pytest.mark.parametrize("synthetic", [True, False])
def test_grid_map_has_graticule_scale_bar_and_watermark(grid, synthetic):
    from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

    from seabed.outputs.maps import plot_grid_field

    rng = np.random.default_rng(0)
    fig = plot_grid_field(_field(grid, rng.random(grid.shape)), grid, title="t", label="REY (ppm)",
                          cores_xy=np.array([[0.0, 0.0]]), synthetic=synthetic)
    ax = fig.axes[0]
    xt = [t.get_text() for t in ax.get_xticklabels()]
    yt = [t.get_text() for t in ax.get_yticklabels()]
    assert xt
    assert all(t.endswith("°E") for t in xt)
    assert yt
    assert all(t.endswith("°N") for t in yt)
    bars = [a for a in ax.artists if isinstance(a, AnchoredSizeBar)]
    assert len(bars) == 1
    assert bars[0].txt_label.get_text().endswith(" km")
    assert has_watermark(fig) is synthetic


def test_class_map_uses_a_legend_of_class_names_not_a_colour_bar(grid):
    from seabed.outputs.maps import plot_class_map

    values = np.resize(np.array([0, 1, 2, 3, np.nan]), grid.shape[0] * grid.shape[1])
    fig = plot_class_map(_field(grid, values), grid, title="classes", synthetic=True)
    assert len(fig.axes) == 1  # no colour bar axes
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == [CLASS_NAMES[c] for c in (3, 2, 1, 0)]
    assert "not mineable" in fig.axes[0].get_legend().get_title().get_text()
    assert has_watermark(fig)


def test_site_map_has_scale_bar_and_watermark():
    from seabed.outputs.maps import plot_site_map

    x = np.linspace(153.0, 155.0, 21)
    y = np.linspace(21.0, 23.0, 21)
    bathy = xr.DataArray(-5000.0 - np.zeros((21, 21)), coords={"y": y, "x": x}, dims=("y", "x"))
    cores = pd.DataFrame({"core_id": ["a", "b"], "longitude": [153.8, 154.0], "latitude": [22.0, 22.1]})
    fig = plot_site_map(bathy, cores, {"box": box(153.5, 21.8, 154.1, 22.3)}, zoom=box(153.5, 21.8, 154.1, 22.3),
                        synthetic=True)
    assert has_watermark(fig)
    assert all(any(a.__class__.__name__ == "AnchoredSizeBar" for a in ax.artists) for ax in fig.axes[:2])


def _predictions(rng) -> pd.DataFrame:
    """Two variables of very different grades whose estimates carry no information within each."""
    rows = []
    for var, mean in (("La|0", 100.0), ("Lu|0", 5.0)):
        obs = mean * (1 + 0.3 * rng.standard_normal(60))
        est = mean * (1 + 0.3 * rng.standard_normal(60))  # independent of obs
        rows.append(pd.DataFrame({"variable": var, "observed": obs, "estimate": est}))
    return pd.concat(rows, ignore_index=True)


def _slope(ax) -> float:
    label = next(t for t in ax.get_legend_handles_labels()[1] if "slope" in t)
    return float(label.rsplit(" ", 1)[1])


def test_cross_validation_is_standardised_per_variable():
    from seabed.geostats.plot import plot_cross_validation

    rng = np.random.default_rng(3)
    pred = _predictions(rng)
    pooled = plot_cross_validation(pred, standardise=False)
    assert _slope(pooled) > 0.6  # pooling ppm of both elements flatters the slope
    ax = plot_cross_validation(pred, standardise=True, synthetic=True)
    assert abs(_slope(ax)) < 0.4
    assert "z-score" in ax.get_xlabel()
    assert has_watermark(ax.figure)


@pytest.fixture(scope="module")
def supply():
    from supply_helpers import small_projection

    return small_projection()


@pytest.mark.parametrize("name", ["plot_supply_vs_imports", "plot_offset_probability", "plot_tornado",
                                  "plot_cash_flow"])
def test_supply_figures_carry_the_watermark_only_when_synthetic(supply, name):
    import seabed.supply.plot as sp

    plot = getattr(sp, name)
    assert has_watermark(plot(supply, synthetic=True))
    assert not has_watermark(plot(supply))


def test_offset_probability_curves_are_monotone_and_zero_elements_named(supply):
    from seabed.supply.plot import plot_offset_probability

    fig = plot_offset_probability(supply)
    ax = fig.axes[0]
    for line in ax.get_lines():
        y = np.asarray(line.get_ydata(), dtype=float)
        assert np.all(np.diff(y[np.isfinite(y)]) >= 0)
    by = supply.offset_probability_by_year
    zero = [c for c in by.columns if by[c].notna().any() and by[c].max() == 0]
    shown = [t.get_text().split(" ")[0] for t in ax.get_legend().get_texts()] if ax.get_legend() else []
    assert not set(zero) & set(shown)
    if zero:
        assert any(all(z in t for z in zero) for t in _texts(fig))
    assert ax.get_title()


def test_cash_flow_is_titled_and_cumulative_lines_say_discounted_or_not(supply):
    from seabed.supply.plot import plot_cash_flow

    ax = plot_cash_flow(supply).axes[0]
    assert "cash flow" in ax.get_title().lower()
    labels = ax.get_legend_handles_labels()[1]
    assert any("cumulative, undiscounted" in t for t in labels)
    assert any("cumulative, discounted" in t for t in labels)


def test_supply_panels_use_natural_mass_units(supply):
    from seabed.supply.plot import plot_supply_vs_imports

    fig = plot_supply_vs_imports(supply)
    for ax in fig.axes:
        assert ax.get_ylabel().split("(")[1].split("/")[0] in {"t", "kt", "Mt"}


def test_supply_line_is_the_oxide_separated_outside_china(supply):
    """The line drawn as domestic supply is what counts toward offset (its band is the same quantity)."""
    from seabed.supply.plot import plot_supply_vs_imports

    fig = plot_supply_vs_imports(supply, items=("TREO",))
    ax = fig.axes[0]
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    line = lines["domestic supply (separated outside China)"]
    expected = supply.offset.set_index(["item", "year"])["supply_t"].loc["TREO"].to_numpy()
    unit = ax.get_ylabel().split("(")[1].split("/")[0]
    div = {"t": 1.0, "kt": 1e3, "Mt": 1e6}[unit]
    np.testing.assert_allclose(line.get_ydata(), expected / div)
    mine_gate = lines["mine-gate oxide"].get_ydata() * div
    np.testing.assert_allclose(mine_gate, supply.production["TREO"].to_numpy())
    assert (mine_gate >= line.get_ydata() * div - 1e-9).all()  # separation loses, never gains


def test_scale_bar_on_degree_axes():
    fig = Figure()
    ax = fig.add_subplot()
    ax.set_xlim(153.0, 155.0)
    add_scale_bar(ax, units_per_km=1 / (111.32 * np.cos(np.deg2rad(22.0))))
    assert ax.artists[0].txt_label.get_text() == "50 km"


def test_pixels_rendered_then_written_are_the_png_savefig_writes(tmp_path):
    """render_pixels + write_png (the encoding on the writer thread) give savefig's bytes (two
    fresh figures: a second save of one figure starts its constrained layout from the first's)."""
    from seabed.plotting import render_pixels, write_png

    def figure() -> Figure:
        fig = Figure(figsize=(4, 3), layout="constrained")
        ax = fig.subplots()
        ax.plot([0, 1, 2], [1, 3, 2], label="a line")
        ax.set_title("title")
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0))
        return watermark(fig, True)

    figure().savefig(tmp_path / "saved.png", dpi=120, bbox_inches="tight", pad_inches=0.08)
    fig = figure()
    canvas = fig.canvas
    pixels = render_pixels(fig, dpi=120, bbox_inches="tight", pad_inches=0.08)
    assert fig.canvas is canvas
    assert pixels.dtype == np.uint8
    assert pixels.shape[2] == 4
    write_png(tmp_path / "written.png", pixels, dpi=120)
    assert (tmp_path / "written.png").read_bytes() == (tmp_path / "saved.png").read_bytes()


def test_tight_pixels_drawn_once_match_savefig_in_size_and_content():
    """render_tight_pixels cuts the one drawing to savefig's tight box: same size, same picture
    within a sub-pixel shift; a map (fixed aspect) goes through savefig itself, byte for byte."""
    from seabed.plotting import render_pixels, render_tight_pixels

    def figure(aspect: str = "auto") -> Figure:
        fig = Figure(figsize=(4, 3), layout="constrained")
        ax = fig.subplots()
        ax.plot([0, 1, 2], [1, 3, 2], label="a line")
        ax.set_aspect(aspect)
        ax.set_title("title")
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0))
        return watermark(fig, True)

    want = render_pixels(figure(), dpi=100, bbox_inches="tight", pad_inches=0.08)
    got = render_tight_pixels(figure(), dpi=100, pad_inches=0.08)
    assert got.shape == want.shape
    ink_want, ink_got = (np.asarray(p[..., :3].min(axis=2) < 128) for p in (want, got))
    assert abs(int(ink_got.sum()) - int(ink_want.sum())) < 0.05 * ink_want.sum()  # the same dark pixels, shifted
    want_map = render_pixels(figure("equal"), dpi=100, bbox_inches="tight", pad_inches=0.08)
    assert np.array_equal(render_tight_pixels(figure("equal"), dpi=100, pad_inches=0.08), want_map)
