"""Figures of the supply model render headless and label their axes with units."""

import matplotlib
import numpy as np
import pandas as pd
import pytest

from seabed.config.supply import SupplySettings
from seabed.supply.model import project_supply
from seabed.supply.plot import (
    plot_cash_flow,
    plot_offset_probability,
    plot_supply_vs_imports,
    plot_tornado,
)

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def result():
    inv = pd.DataFrame({"dry_tonnes": np.full(20, 5e6), "Nd": np.linspace(500, 1500, 20),
                        "Dy": np.linspace(50, 150, 20), "Y": np.linspace(400, 1200, 20)})
    params = {"plan.start_delay": {"dist": "uniform", "low": "0 year", "high": "3 year"},
              "economics.price_multiplier": {"dist": "triangular", "low": "0.7", "mode": "1", "high": "1.5"}}
    return project_supply(inv, SupplySettings(uncertainty={"draws": 50, "parameters": params}), seed=2)


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
