"""Conditional simulation on synthetic data with a known model (GSTools truth fields)."""

from __future__ import annotations

from dataclasses import replace

import gstools as gs
import numpy as np
import pandas as pd
import pytest
import xarray as xr

from seabed.errors import InputDataError
from seabed.geostats import conditioning, simulation
from seabed.geostats.conditioning import (
    back_transform_scores,
    mean_shift,
    simulate_realisation,
    simulate_scores,
    tile_weights,
)
from seabed.geostats.kernel import ConvolutionKernel
from seabed.geostats.kriging import Kriging, Neighbourhood
from seabed.geostats.normal_score import NormalScoreTransform
from seabed.geostats.random_field import field_window
from seabed.geostats.simulation import SIMULATION_NEIGHBOURHOOD, prepare_simulation
from seabed.geostats.variogram import Structure, VariogramModel
from seabed.resource.blockmodel import build_block_model
from seabed.resource.tonnage import contained
from seabed.resource.uncertainty import (
    InventoryRegrade,
    TonnageTally,
    run_simulation,
    simulate_resource,
    summarise_realisations,
)
from seabed.working_grid import Layers, WorkingGrid, laea_crs

N, D = 80, 100.0  # 80 x 80 cells of 100 m
RANGE = 1500.0
MODEL = VariogramModel(0.0, (Structure("exponential", 1.0, RANGE),))


def make_grid(n_layers: int = 1) -> WorkingGrid:
    x = D * (np.arange(N) + 0.5)
    return WorkingGrid(crs=laea_crs(154.0, 22.0), x=x, y=x[::-1].copy(), cell_size=D,
                       layers=Layers.regular(0, n_layers, 1))


def truth_field(grid: WorkingGrid, seed: int) -> np.ndarray:
    """Standard Gaussian field with the model's covariance (GSTools), (y, x) north-up."""
    srf = gs.SRF(gs.Exponential(dim=2, var=1.0, len_scale=RANGE / 3), seed=seed)
    return srf.structured([grid.x, grid.y[::-1]]).T[::-1]


def composites(grid: WorkingGrid, n_cores: int, seed: int = 1, n_layers: int = 1) -> xr.Dataset:
    rng = np.random.default_rng(seed)
    truth = truth_field(grid, seed=11)
    ix = rng.choice(N, n_cores, replace=True)
    iy = rng.choice(N, n_cores, replace=True)
    y = np.exp(6.5 + 0.5 * truth[iy, ix])[:, None] * np.linspace(1.0, 1.3, n_layers)[None, :]
    la = 0.5 * y * rng.lognormal(0.0, 0.05, size=y.shape)
    return xr.Dataset(
        {"Y": (("core", "layer"), y), "La": (("core", "layer"), la)},
        coords={"x": ("core", grid.x[ix] + rng.uniform(-40, 40, n_cores)),
                "y": ("core", grid.y[iy] + rng.uniform(-40, 40, n_cores))},
    )


def grade_block_model(grid: WorkingGrid, grade: np.ndarray, elements: list[str]) -> xr.Dataset:
    """Block model of ``grade`` (element, layer, y, x) ppm at 0.5 t/m³."""
    coords = dict(grid.coords()) | grid.layers.coords() | {"element": elements}
    ds = xr.Dataset({"grade": (("element", "layer", "y", "x"), grade, {"units": "ppm"})}, coords=coords)
    return build_block_model(ds, grid, density="0.5 t/m^3")


@pytest.fixture(scope="module")
def plan_and_data():
    """The plan of 150 cores, 2 layers, elements Y and La on the 80 × 80 grid, and its composites."""
    grid = make_grid(2)
    comp = composites(grid, 150, n_layers=2)
    return prepare_simulation(comp, grid, model=MODEL), comp


@pytest.fixture(scope="module")
def realisations(plan_and_data):
    """Ten whole-grid realisations of the plan (seed 5): normal scores (r, element, layer, cell)
    and grades (r, element, layer, y, x) ppm, shared by the statistical tests."""
    plan, _ = plan_and_data
    scores = np.stack([simulate_scores(plan, seed=5, index=i) for i in range(10)])
    shape = (len(plan.elements), plan.n_layers, *plan.grid.shape)
    grades = np.stack([back_transform_scores(plan, y).reshape(shape) for y in scores])
    return scores, grades


@pytest.fixture(scope="module")
def flat_block_model(plan_and_data):
    """Block model of the plan's grid: Y and La at 600 ppm in both layers."""
    plan, _ = plan_and_data
    return grade_block_model(plan.grid, np.full((2, 2, N, N), 600.0), ["Y", "La"])


def test_default_neighbourhood_comes_from_the_shared_defaults(plan_and_data) -> None:
    from seabed.defaults import SIMULATION_MAX_SAMPLES, SIMULATION_MIN_SAMPLES

    plan, _ = plan_and_data
    assert plan.neighbourhood == SIMULATION_NEIGHBOURHOOD
    assert (plan.neighbourhood.max_samples, plan.neighbourhood.min_samples) == (
        SIMULATION_MAX_SAMPLES, SIMULATION_MIN_SAMPLES)
    assert plan.neighbourhood.radius == np.inf  # not estimation's search radius: the nearest data, however far
    assert simulation.simulation_bytes_per_cell(1) == simulation.simulation_bytes_per_cell(
        1, max_samples=SIMULATION_MAX_SAMPLES)


def test_conditioning_neighbourhood_is_an_argument(plan_and_data) -> None:
    """A smaller conditioning neighbourhood gives at most that many weights per cell."""
    plan, comp = plan_and_data
    small = prepare_simulation(comp, plan.grid, model=MODEL, neighbourhood=Neighbourhood(max_samples=8, min_samples=1))
    assert small.neighbourhood.max_samples == 8
    weights = tile_weights(small, slice(0, 2))
    assert max(w.getnnz(axis=1).max() for w in weights.values()) == 8
    assert small.bytes_per_cell() < plan.bytes_per_cell()


def test_normal_score_round_trip() -> None:
    data = np.array([5.0, 1.0, 3.0, 3.0, 10.0, np.nan])
    t = NormalScoreTransform.fit(data)
    y = t.transform(data)
    assert np.isnan(y[-1])
    assert y[1] < y[2] == y[3] < y[0] < y[4]
    np.testing.assert_allclose(t.back_transform(y[:-1]), data[:-1], rtol=1e-6)
    assert t.back_transform(np.array([-10.0, 10.0])).tolist() == [t.lower, t.upper]


@pytest.fixture(scope="module")
def three_row_tiles(plan_and_data) -> np.ndarray:
    """Realisation 1 of seed 3 computed in tiles of three grid rows (float64 fields)."""
    plan, _ = plan_and_data
    return simulate_scores(replace(plan, dtype=np.float64), seed=3, index=1, tile_cells=3 * N)


@pytest.mark.parametrize("tile_cells", [N, 7 * N + 3, N * N], ids=["one-row", "seven-rows", "one-tile"])
def test_realisation_does_not_depend_on_tiling(plan_and_data, three_row_tiles, tile_cells) -> None:
    plan, _ = plan_and_data
    got = simulate_scores(replace(plan, dtype=np.float64), seed=3, index=1, tile_cells=tile_cells)
    np.testing.assert_allclose(got, three_row_tiles, rtol=1e-10, atol=1e-10)


def test_float32_fields_are_the_float64_fields_rounded(plan_and_data, three_row_tiles) -> None:
    """The default float32 fields: the same realisation, to float32 rounding (scores ~N(0, 1)),
    whatever the tiling."""
    plan, _ = plan_and_data
    assert plan.dtype is np.float32
    for tile_cells in (N, N * N):
        got = simulate_scores(plan, seed=3, index=1, tile_cells=tile_cells)
        np.testing.assert_allclose(got, three_row_tiles, rtol=0, atol=2e-5)


def test_realisations_honour_data_and_are_reproducible(plan_and_data) -> None:
    plan, comp = plan_and_data
    a = simulate_realisation(plan, seed=3, index=4)
    b = simulate_realisation(plan, seed=3, index=4)
    c = simulate_realisation(plan, seed=3, index=5)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    grid = plan.grid
    col = np.round((comp["x"].values - grid.x[0]) / D).astype(int)
    row = np.round((grid.y[0] - comp["y"].values) / D).astype(int)
    # cells holding exactly one core reproduce its value
    cells = row * N + col
    single = np.bincount(cells, minlength=N * N)[cells] == 1
    got = a[0, 1].ravel()[cells[single]]
    np.testing.assert_allclose(got, comp["Y"].values[single, 1], rtol=1e-4)


def test_histogram_reproduced(plan_and_data, realisations) -> None:
    _, comp = plan_and_data
    _, sims = realisations
    q = [0.1, 0.25, 0.5, 0.75, 0.9]
    for layer in (0, 1):
        data_q = np.quantile(comp["Y"].values[:, layer], q)
        sim_q = np.quantile(sims[:, 0, layer], q)
        np.testing.assert_allclose(sim_q, data_q, rtol=0.12)


def experimental_gamma(fields: np.ndarray, lag: int) -> tuple[float, float]:
    """Mean semivariance along x and along y at a lag of ``lag`` cells."""
    gx = 0.5 * np.mean((fields[..., lag:] - fields[..., :-lag]) ** 2)
    gy = 0.5 * np.mean((fields[..., lag:, :] - fields[..., :-lag, :]) ** 2)
    return float(gx), float(gy)


@pytest.mark.parametrize(
    "model",
    [MODEL, VariogramModel(0.2, (Structure("spherical", 0.8, 2000.0, 1000.0, 90.0),))],
    ids=["exponential", "anisotropic-spherical-nugget"],
)
def test_unconditional_fields_reproduce_variogram(model: VariogramModel) -> None:
    kernel = ConvolutionKernel.from_model(model.scaled(1 / model.sill), D, tolerance=1e-5)
    fields = field_window(kernel, [(0, i) for i in range(30)], (0, N), (0, N))
    assert float(fields.var()) == pytest.approx(1.0, abs=0.05)
    for lag in (1, 5, 10, 20):
        gx, gy = experimental_gamma(fields, lag)
        assert gx == pytest.approx(float(model.gamma(lag * D, 0.0)), abs=0.05)
        assert gy == pytest.approx(float(model.gamma(0.0, lag * D)), abs=0.05)


def test_conditional_scores_reproduce_variogram(realisations) -> None:
    ys = realisations[0].reshape(10, 2, 2, N, N)
    for lag in (1, 5, 10):
        expected = float(MODEL.gamma(lag * D, 0.0))
        for gamma in experimental_gamma(ys, lag):
            assert gamma == pytest.approx(expected, abs=0.1)


def test_element_and_layer_correlation_reproduced(plan_and_data, realisations) -> None:
    plan, _ = plan_and_data
    ys = realisations[0][:6]  # (r, e, l, n)
    r_el = np.corrcoef(ys[:, 0].ravel(), ys[:, 1].ravel())[0, 1]
    assert r_el == pytest.approx(plan.element_correlation[0, 1], abs=0.05)
    r_l = np.corrcoef(ys[:, 0, 0].ravel(), ys[:, 0, 1].ravel())[0, 1]
    assert r_l == pytest.approx(plan.vertical_correlation, abs=0.05)


def kriged_block_model(grid: WorkingGrid, comp: xr.Dataset) -> xr.Dataset:
    xy = np.column_stack([comp["x"].values, comp["y"].values])
    model = MODEL.scaled(float(np.var(comp["Y"].values[:, 0])))
    search = Neighbourhood(max_samples=24, min_samples=4, radius=np.inf)
    ok = Kriging(model, neighbourhood=search).fit(xy, comp["Y"].values[:, 0])
    est = ok.predict(grid.cell_centres()).estimate.reshape(1, 1, *grid.shape)
    coords = dict(grid.coords()) | grid.layers.coords() | {"element": ["Y"]}
    ds = xr.Dataset({"grade": (("element", "layer", "y", "x"), est, {"units": "ppm"})}, coords=coords)
    return build_block_model(ds, grid, density="0.55 t/m^3")


def test_p50_close_to_kriged_and_spread_narrows_with_cores() -> None:
    grid = make_grid(1)
    spreads = {}
    for n_cores in (12, 120):
        comp = composites(grid, n_cores, seed=3).drop_vars("La")
        bm = kriged_block_model(grid, comp)
        plan = prepare_simulation(comp, grid, model=MODEL)
        res = run_simulation(plan, bm, n_realisations=100, seed=1, items=["Y"], cutoffs=[500.0])
        summary = summarise_realisations(res).loc[("total", "Y")]
        kriged = contained(bm, "Y").magnitude
        assert summary["P50 [t]"] == pytest.approx(kriged, rel=0.08)
        spreads[n_cores] = (summary["P90 [t]"] - summary["P10 [t]"]) / summary["P50 [t]"]
    assert spreads[120] < 0.7 * spreads[12]  # measured ~0.5 (100 realisations, 3 seeds)


def test_summary_has_classes_and_cutoffs(plan_and_data, flat_block_model) -> None:
    plan, _comp = plan_and_data
    classes = xr.DataArray(np.ones((2, N, N), dtype=np.int8), dims=("layer", "y", "x"))
    bm = flat_block_model.assign(resource_class=classes)  # class codes in the block model: per-class scopes
    res = run_simulation(plan, bm, n_realisations=4, seed=2, items=["REY"], cutoffs=[400.0, 800.0],
                         density_relative_sd=0.05)
    summary = summarise_realisations(res)
    assert ("Inferred", "REY") in summary.index
    assert ("REY >= 800 ppm", "mud") in summary.index
    tot = summary.loc[("total", "REY"), "P50 [t]"]
    assert summary.loc[("REY >= 800 ppm", "REY"), "P50 [t]"] <= summary.loc[("REY >= 400 ppm", "REY"), "P50 [t]"] <= tot
    assert summary.loc[("Inferred", "REY"), "P50 [t]"] == pytest.approx(tot)
    oxide = summarise_realisations(res).loc[("total", "Y"), "oxide P50 [t]"]
    assert oxide == pytest.approx(summary.loc[("total", "Y"), "P50 [t]"] * 1.2699, rel=1e-4)


def test_tonnage_range_plot(plan_and_data, flat_block_model) -> None:
    from seabed.resource.plot import plot_tonnage_range

    plan, _ = plan_and_data
    assert "resource_class" not in flat_block_model
    res = run_simulation(plan, flat_block_model, n_realisations=3, seed=2, items=["TREO", "HREO"], cutoffs=[])
    fig = plot_tonnage_range(summarise_realisations(res, units="kt"), items=["TREO", "HREO"])
    assert fig.axes[0].get_ylabel() == "contained [kt]"


@pytest.mark.parametrize("values", [20_000, 8_000_000], ids=["many-strips", "one-window"])
def test_data_scores_from_window_strips_equal_point_values(plan_and_data, monkeypatch, values) -> None:
    from seabed.geostats.random_field import field_at

    plan, _ = plan_and_data
    plan = replace(plan, dtype=np.float64)  # the identity to 1e-12: float64 fields
    monkeypatch.setattr(conditioning, "DATA_WINDOW_VALUES", values)
    got = conditioning.unconditional_at_data(plan, seed=3, index=2)
    keys = conditioning.field_keys(plan, 3, 2)
    points = conditioning.mix_fields(plan, field_at(plan.kernel, keys, plan.data_rows, plan.data_cols))
    np.testing.assert_allclose(got, points, rtol=0, atol=1e-12)


@pytest.fixture(scope="module")
def graded_inventory(plan_and_data, realisations):
    """A block model (Y, La, Nd rising 400 → 900 ppm southwards), its mining inventory above
    600 ppm Y over 0-2 m, and the inventory mining_inventory reports on realisations 0 and 1
    (seed 5; Nd, not simulated, keeps its grades)."""
    from seabed.resource.selectivity import inventory_tonnes, mining_inventory

    plan, _ = plan_and_data
    yy = np.linspace(400.0, 900.0, N)[None, None, :, None]
    grade = np.broadcast_to(yy, (3, 2, N, N)).copy()
    bm = grade_block_model(plan.grid, grade, ["Y", "La", "Nd"])
    cut = {"item": "Y", "cutoff": "600 ppm", "interval": ("0 m", "2 m"), "min_thickness": "1 m"}
    inv = mining_inventory(bm, **cut)
    per_realisation = []
    for r in range(2):
        g = realisations[1][r]  # (Y, La) as in the plan
        sim = bm["grade"].copy(data=np.concatenate([g, grade[2:]]).astype(float))
        per_realisation.append(mining_inventory(bm, grade=sim, **cut))
    return bm, inv, inventory_tonnes(bm, **cut), per_realisation


def test_shared_realisations_are_the_whole_grid_realisations(plan_and_data, realisations) -> None:
    plan, _ = plan_and_data
    np.testing.assert_array_equal(realisations[1][1], simulate_realisation(plan, seed=5, index=1))


@pytest.mark.parametrize("tile_cells", [7 * N, 10**6], ids=["tiles", "one-tile"])
def test_regraded_inventory_equals_inventory_of_each_realisation(plan_and_data, graded_inventory, tile_cells) -> None:
    """simulate_resource's re-graded inventory (one array, realisation × block × element) holds,
    for each realisation, the grades mining_inventory reports on that realisation's grid;
    an element the simulation does not carry keeps the inventory's grades."""
    plan, _comp = plan_and_data
    bm, inv, tonnes, want = graded_inventory
    assert 0 < len(inv) < N * N
    tally = TonnageTally(items=[], cutoff_item="Y", cutoffs=[])
    run = simulate_resource(plan, bm, n_realisations=3, seed=5, tally=tally,
                            regrade=InventoryRegrade(inv, tonnes, n_realisations=2), tile_cells=tile_cells)
    assert run.inventory_elements == ["Y", "La", "Nd"]  # the inventory's element columns
    assert plan.elements == ["Y", "La"]
    assert run.inventory_grades.shape == (2, len(inv), 3)
    for r in range(2):
        np.testing.assert_allclose(run.inventory_grades[r][:, :2], want[r][["Y", "La"]].to_numpy(), rtol=1e-5)  # float32 fields: tiles agree to ~1e-6
        np.testing.assert_array_equal(run.inventory_grades[r][:, 2], inv["Nd"].to_numpy())
    assert not np.allclose(run.inventory_grades[0], run.inventory_grades[1])
    tables = run.inventories
    assert len(tables) == 2
    np.testing.assert_array_equal(tables[1][["Y", "La", "Nd"]].to_numpy(), run.inventory_grades[1])
    np.testing.assert_array_equal(tables[1]["dry_tonnes"].to_numpy(), inv["dry_tonnes"].to_numpy())


def test_run_simulation_is_simulate_resource_with_a_tally(plan_and_data, flat_block_model) -> None:
    plan, _ = plan_and_data
    tally = TonnageTally(items=("REY",), cutoff_item="Y", cutoffs=(300.0,), thickness_relative_sd=0.1)
    full = simulate_resource(plan, flat_block_model, n_realisations=2, seed=4, tally=tally, tile_cells=20 * N)
    short = run_simulation(plan, flat_block_model, n_realisations=2, seed=4, items=["REY"], cutoff_item="Y",
                           cutoffs=[300.0], thickness_relative_sd=0.1, tile_cells=20 * N)
    pd.testing.assert_frame_equal(short, full.tonnage)
    assert full.inventory_grades is None
    assert set(full.tonnage["scope"]) == {"total", "Y >= 300 ppm"}


# ------------------------------------------------------------ uncertain mean
def test_mean_score_variance_known_answers(monkeypatch) -> None:
    rng = np.random.default_rng(4)
    xy = rng.uniform(0, 50_000, (40, 2))
    # independent data: the variance of a mean of n values
    assert simulation.mean_score_variance(VariogramModel(1.0, ()), xy) == pytest.approx(1 / 40, rel=1e-12)
    # two data with correlation rho: 1 / (1' C^-1 1) = (1 + rho) / 2
    model = VariogramModel(0.1, (Structure("spherical", 0.9, 10_000.0),))
    pair = np.array([[0.0, 0.0], [3_000.0, 4_000.0]])
    rho = float(model.covariance(np.array(3_000.0), np.array(4_000.0)))
    assert 0.2 < rho < 0.8
    assert simulation.mean_score_variance(model, pair) == pytest.approx((1 + rho) / 2, rel=1e-12)
    # correlated data carry less information than independent ones; more data never add variance
    full = simulation.mean_score_variance(model, xy)
    assert full > 1 / 40
    assert simulation.mean_score_variance(model, xy[:20]) >= full
    monkeypatch.setattr(simulation, "MEAN_VARIANCE_MAX_DATA", 15)  # a subset: conservative
    assert simulation.mean_score_variance(model, xy) >= full
    assert simulation.mean_score_variance(model, np.empty((0, 2))) == 0.0


def test_mean_shift_draws_the_plan_mean_sd_correlated_like_the_fields(plan_and_data) -> None:
    from dataclasses import replace

    plan, _ = plan_and_data
    assert plan.mean_sd.shape == (2, 2)
    assert np.all((plan.mean_sd > 0.01) & (plan.mean_sd < 0.5))
    draws = np.stack([mean_shift(plan, seed=1, index=i) for i in range(4000)])  # (draw, element, layer)
    np.testing.assert_allclose(draws.std(axis=0), plan.mean_sd, rtol=0.06)
    np.testing.assert_allclose(draws.mean(axis=0), 0.0, atol=4 * plan.mean_sd.max() / np.sqrt(4000))
    r_el = np.corrcoef(draws[:, 0, 0], draws[:, 1, 0])[0, 1]
    assert r_el == pytest.approx(plan.element_correlation[0, 1], abs=0.05)
    np.testing.assert_array_equal(mean_shift(plan, seed=1, index=3), mean_shift(plan, seed=1, index=3))
    known = replace(plan, mean_sd=np.zeros_like(plan.mean_sd))
    assert not mean_shift(known, seed=1, index=3).any()
    _, comp = plan_and_data
    assert not prepare_simulation(comp, plan.grid, model=MODEL, mean_uncertainty=False).mean_sd.any()


def test_uncertain_mean_shifts_scores_by_m_times_one_minus_weight_sum(plan_and_data) -> None:
    """Y_cs(uncertain mean) − Y_cs(known mean) = m (1 − Σ w): 0 at the data (no nugget),
    the whole draw m far from them."""
    from dataclasses import replace

    plan, _ = plan_and_data
    plan = replace(plan, dtype=np.float64)  # the identity to 1e-10: float64 fields
    known = replace(plan, mean_sd=np.zeros_like(plan.mean_sd))
    on = simulate_scores(plan, seed=2, index=6)
    off = simulate_scores(known, seed=2, index=6)
    m = mean_shift(plan, seed=2, index=6)
    assert np.all(np.abs(m) > 1e-3)
    for pattern, pairs in plan.patterns.items():
        keep = 1.0 - np.asarray(tile_weights(plan, slice(0, N))[pattern].sum(axis=1)).ravel()
        for e, lyr in pairs:
            np.testing.assert_allclose(on[e, lyr] - off[e, lyr], m[e, lyr] * keep, atol=1e-10)
        assert keep.min() < 1e-6  # at the data cells
        assert keep.max() > 0.1


def test_realisation_tasks_report_their_total_to_the_progress_bar(plan_and_data, flat_block_model, monkeypatch):
    """The stage bar's sub-progress counts simulation tasks out of a known total (so it can show an ETA)."""
    from seabed import progress
    from seabed.compute import ComputeOptions, open_mapper

    plan, _ = plan_and_data
    seen = []
    monkeypatch.setattr(progress, "report_tasks", lambda label, done, total=None: seen.append((label, done, total)))
    tally = TonnageTally(items=("REY",), cutoff_item="Y", cutoffs=())
    with open_mapper(ComputeOptions(scheduler="threads", workers=2)) as mapper:
        simulate_resource(plan, flat_block_model, n_realisations=3, seed=4, tally=tally, tile_cells=7 * N,
                          mapper=mapper)
    tiles = [s for s in seen if s[0].startswith("simulation tiles")]
    assert tiles
    assert tiles[-1][1] == tiles[-1][2]  # the last task: n of n
    assert all(t[2] == tiles[0][2] > 1 for t in tiles)  # the total known from the first task on


def test_declustering_weights_shape_the_normal_score_transforms(plan_and_data) -> None:
    """Core weights reach every element × layer transform; equal weights change nothing; a wrong length is refused."""
    plan, comp = plan_and_data
    n = comp.sizes["core"]
    same = prepare_simulation(comp, plan.grid, model=MODEL, core_weights=np.full(n, 2.0))
    np.testing.assert_array_equal(same.transforms[0][0].scores, plan.transforms[0][0].scores)
    # weigh the cores of the western half 5x: the transform follows that (declustered) distribution
    w = np.where(comp["x"].values < np.median(comp["x"].values), 5.0, 1.0)
    weighted = prepare_simulation(comp, plan.grid, model=MODEL, core_weights=w)
    for i, e in enumerate(weighted.elements):
        values = comp[e].isel(layer=1).values
        want = NormalScoreTransform.fit(values, weights=w)
        np.testing.assert_allclose(weighted.transforms[i][1].scores, want.scores)
        assert not np.allclose(weighted.transforms[i][1].scores, plan.transforms[i][1].scores)
    with pytest.raises(InputDataError, match="core_weights"):
        prepare_simulation(comp, plan.grid, model=MODEL, core_weights=np.ones(n - 1))
