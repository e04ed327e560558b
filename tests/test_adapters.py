"""seabed.pipeline.adapters: each config section → the explicit arguments of its stage (known answers)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from seabed.config import (
    AreaSpec,
    ComputeSpec,
    CoresInput,
    CutoffSettings,
    DensitySettings,
    EstimationSettings,
    GridSpec,
    LayerSpec,
    SimulationSettings,
    load_config,
)
from seabed.defaults import EEZ_RADIUS_M
from seabed.geostats.simulation import SIMULATION_NEIGHBOURHOOD
from seabed.pipeline.adapters import (
    build_areas,
    build_grid,
    build_layers,
    compute_options,
    cores_loader_arguments,
    cutoff_arguments,
    describe_run,
    estimation_arguments,
    simulation_neighbourhood,
)
from seabed.results import RunDescription

ROOT = Path(__file__).resolve().parents[1]


def test_estimation_arguments_defaults():
    kw = estimation_arguments(EstimationSettings())
    nb = kw["neighbourhood"]
    assert (nb.max_samples, nb.min_samples, nb.radius) == (16, 3, 60_000.0)
    assert kw["variogram"] is None
    assert kw["variogram_fit"] == {"kinds": ("spherical",), "lag_spacing": None, "n_lags": None,
                                   "fit_nugget": True, "fix_sill": True, "max_range": None}
    assert (kw["method"], kw["block"], kw["block_discretisation"], kw["idw_power"]) == (
        "ordinary_kriging", True, 4, 2.0)


def test_estimation_arguments_manual_variogram_in_metres():
    s = EstimationSettings.model_validate({
        "variogram": {"nugget": 0.1, "structures": [{"kind": "spherical", "sill": 0.9, "range": "25 km",
                                                     "range_minor": "15 km", "azimuth": 30}]},
        "neighbourhood": {"max_samples": "all", "radius": "40 km"}})
    kw = estimation_arguments(s)
    v = kw["variogram"]
    assert v.nugget == 0.1
    assert (v.structures[0].range, v.structures[0].range_minor, v.structures[0].azimuth) == (25_000.0, 15_000.0, 30)
    assert kw["variogram_fit"] is None
    assert kw["neighbourhood"].max_samples is None
    assert kw["neighbourhood"].radius == 40_000.0


def test_cutoff_arguments():
    kw = cutoff_arguments(CutoffSettings(grade="1000 ppm", interval_top="2 m", interval_bottom="8 m",
                                         min_mining_thickness="3 m"))
    assert kw["item"] == "REY"
    assert kw["mode"] == "interval"
    assert kw["cutoff"].to("ppm").magnitude == 1000
    assert [q.to("m").magnitude for q in kw["interval"]] == [2, 8]
    assert kw["min_thickness"].to("m").magnitude == 3


def test_compute_options_and_scheduler_override():
    spec = ComputeSpec(scheduler="threads", workers=3, chunk_cells=5000, memory_budget="1 GiB")
    opts = compute_options(spec)
    assert (opts.scheduler, opts.workers, opts.chunk_cells, opts.memory_budget) == ("threads", 3, 5000, 2**30)
    assert compute_options(spec, scheduler="synchronous").scheduler == "synchronous"
    assert compute_options(ComputeSpec()).memory_budget is None


def test_cores_loader_arguments():
    spec = CoresInput(path="c.csv", units="wt%", columns={"Neodymium": "Nd"}, ignore_columns=["lab_*"],
                      plausible_max_REY="2 wt%", plausible_min_REY="off")
    assert cores_loader_arguments(spec) == {
        "units": "wt%", "elements": None, "detection_policy": "half", "duplicate_policy": "keep",
        "columns": {"Neodymium": "Nd"}, "ignore_columns": ("lab_*",),
        "plausible_max_rey_ppm": pytest.approx(20_000.0), "plausible_min_rey_ppm": None}


def test_simulation_neighbourhood_defaults_and_table():
    nb = simulation_neighbourhood(SimulationSettings())
    # exactly the engine's default conditioning neighbourhood (seabed.defaults: 64 and 1, no radius limit)
    assert nb == SIMULATION_NEIGHBOURHOOD
    assert np.isinf(nb.radius)
    nb = simulation_neighbourhood(SimulationSettings(neighbourhood={"max_samples": 32, "min_samples": 2}))
    assert (nb.max_samples, nb.min_samples, nb.radius) == (32, 2, np.inf)


def test_build_layers_grid_and_areas():
    layers = build_layers(LayerSpec(top="0 m", bottom="10 m", thickness="2 m"))
    assert layers.n == 5
    areas = build_areas([
        AreaSpec(name="box", kind="box", bounds=(153.5, 154.0, 21.8, 22.2)),
        AreaSpec(name="eez", kind="eez", center=(153.98, 24.29)),
    ])
    w, s, e, n = areas["box"].bounds
    assert (w, s, e, n) == pytest.approx((153.5, 21.8, 154.0, 22.2))
    # the default radius is 200 nmi: the circle reaches ~3.33 degrees of latitude north of its centre
    assert areas["eez"].bounds[3] - 24.29 == pytest.approx(EEZ_RADIUS_M / 111_200, rel=0.01)
    grid = build_grid(GridSpec(extent="box", cell_size="5 km"), layers, areas["box"])
    assert grid.cell_size == 5000.0
    assert grid.layers.n == 5


def test_describe_run_takaya_box():
    """Every value the writers get from the shipped Takaya-box config, in plain units."""
    cfg = load_config(ROOT / "configs" / "takaya2018_box.toml")
    assert describe_run(cfg) == RunDescription(
        title="Takaya et al. (2018) study box: replication of the published 0-10 mbsf estimate",
        site="minamitorishima",
        seed=20260201,
        cores_file="minamitorishima_demo.csv",
        synthetic_cores=True,
        assumptions=(("Core assays are SYNTHETIC, calibrated to Takaya et al. (2018): mean total REY 964 ppm over "
                      "0-10 mbsf, richest layers 2-6 mbsf, Y + HREE ~ 44 % of REY."),),
        extent="takaya_box",
        estimation_method="ordinary_kriging",
        cross_validation_scheme="leave one core out",
        density_method="constant",
        dry_bulk_density=0.55,
        cutoff_item="REY",
        cutoff_grade=400.0,
        cutoff_mode="interval",
        interval_top=0.0,
        interval_bottom=10.0,
        reference_element="Y",
        mean_uncertainty=True,
        supply_draws=1000,
    )


def test_describe_run_converts_units():
    """Grades come out in ppm, depths in m and density in t/m³, whatever units the config used."""
    cfg = load_config(ROOT / "configs" / "takaya2018_box.toml")
    rs = cfg.resource.model_copy(update={
        "cutoff": CutoffSettings(item="TREO", grade="0.05 wt%", mode="interval", interval_top="50 cm",
                                 interval_bottom="8 m"),
        "density": DensitySettings(dry_bulk_density="550 kg/m^3"),
    })
    d = describe_run(cfg.model_copy(update={"resource": rs}))
    assert d.cutoff_item == "TREO"
    assert d.cutoff_grade == pytest.approx(500.0, rel=1e-12)
    assert (d.interval_top, d.interval_bottom) == pytest.approx((0.5, 8.0), rel=1e-12)
    assert d.dry_bulk_density == pytest.approx(0.55, rel=1e-12)
    assert all(type(v) is float for v in (d.cutoff_grade, d.interval_top, d.interval_bottom, d.dry_bulk_density))


def test_describe_run_names_the_cross_validation_scheme_configured():
    """The summary and report say how cross-validation held data out (it said 'leave one core out' always)."""
    cfg = load_config(ROOT / "configs" / "takaya2018_box.toml")
    est = cfg.estimation.model_copy(update={"cross_validation": cfg.estimation.cross_validation.model_copy(
        update={"n_folds": 5})})
    assert describe_run(cfg).cross_validation_scheme == "leave one core out"
    assert describe_run(cfg.model_copy(update={"estimation": est})).cross_validation_scheme == \
        "spatially blocked 5-fold"
