"""Figures of the supply model render headless and label their axes with units."""

import matplotlib
import pytest
from supply_helpers import small_projection

from seabed.supply.plot import (
    plot_cash_flow,
    plot_offset_probability,
    plot_supply_vs_imports,
    plot_tornado,
)

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def result():
    return small_projection()


@pytest.mark.parametrize(
    ("plot", "ylabel"),
    [(plot_supply_vs_imports, "t/year"), (plot_offset_probability, "%"), (plot_cash_flow, "USD bn")],
    ids=["supply", "probability", "cash-flow"],
)
def test_figures_have_units(result, plot, ylabel, tmp_path):
    fig = plot(result)
    assert ylabel in fig.axes[0].get_ylabel()
    fig.savefig(tmp_path / "f.png")
    assert (tmp_path / "f.png").stat().st_size > 1000


def test_tornado_figure(result, tmp_path):
    fig = plot_tornado(result)
    assert "USD bn" in fig.axes[0].get_xlabel()
    assert len(fig.axes[0].get_yticklabels()) == 2
    fig.savefig(tmp_path / "t.png")


@pytest.mark.parametrize("offset", [True, False], ids=["some-offset", "nothing-offset"])
def test_offset_timeline_draws_with_or_without_anything_offset(offset):
    """The answer's picture; with nothing offset it says so instead of an empty legend (a warning)."""
    from types import SimpleNamespace

    from seabed.plotting import has_watermark
    from seabed.supply.plot import plot_offset_timeline

    years = {"p10": 2038, "p50": 2041, "p90": None} if offset else {"p10": None, "p50": None, "p90": None}
    result = SimpleNamespace(
        settings=SimpleNamespace(start_year=2026, end_year=2065),
        summary={"offset_by_element": {
            "Tb": {"first_sustained_offset_year": years, "first_sustained_offset_year_deterministic": None},
            "Sc": {"first_sustained_offset_year": {}, "reason": "no imports from China"}}})
    fig = plot_offset_timeline(result, synthetic=True)
    assert has_watermark(fig)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert ("no element is offset within the horizon in any draw" in texts) is not offset
    assert (fig.axes[0].get_legend() is not None) is offset
