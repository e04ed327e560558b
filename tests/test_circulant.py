"""Spectral (circulant-embedding) fields and the simulation plans that use them."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import scipy.fft as sfft

from seabed.geostats.circulant import CirculantEmbedding
from seabed.geostats.conditioning import (
    fields_with_data,
    simulate_scores,
    unconditional_at_data,
    window_fields,
)
from seabed.geostats.plan_variants import perturbed_plans, simulation_window, with_spectral_fields
from seabed.geostats.variogram import Structure, VariogramModel
from seabed.resource.uncertainty import run_simulation
from tests.test_simulation import (
    MODEL,
    D,
    N,
    composites,
    experimental_gamma,
    make_grid,
    prepare_simulation,
)

MODELS = [
    MODEL,
    VariogramModel(0.2, (Structure("spherical", 0.8, 2000.0, 1000.0, 90.0),)),
    VariogramModel(0.0, (Structure("gaussian", 0.6, 1200.0), Structure("spherical", 0.4, 3000.0, 1500.0, 30.0))),
]
IDS = ["exponential", "anisotropic-spherical-nugget", "nested-gaussian-anisotropic"]


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_embedding_holds_the_model_covariance_exactly_on_the_window(model) -> None:
    """On the window, the torus covariance IFFT(λ) is the model's at every lag: exactly for
    compactly supported (spherical) structures, to what the others keep beyond their reach
    (< 2e-4 of the sill) otherwise; nothing clipped."""
    emb = CirculantEmbedding.from_model(model, D, rows=(0, 40), cols=(-5, 55))
    assert emb.clipped == 0.0
    p, q = emb.torus
    assert p >= 40
    assert q >= 60
    c = sfft.ifft2(emb.amplitude**2 * p * q).real  # the covariance on the torus, unit sill
    nr, nc = emb.shape
    di, dj = np.meshgrid(np.arange(-nr + 1, nr), np.arange(-nc + 1, nc), indexing="ij")
    want = model.scaled(1 / model.sill).covariance(dj * D, -di * D)
    compact = all(st.kind == "spherical" for st in model.structures)
    np.testing.assert_allclose(c[di % p, dj % q], want, rtol=0, atol=1e-12 if compact else 2e-4)


@pytest.mark.parametrize("model", MODELS[:2], ids=IDS[:2])
def test_spectral_fields_reproduce_the_variogram(model) -> None:
    emb = CirculantEmbedding.from_model(model, D, rows=(0, N), cols=(0, N))
    fields = emb.fields([(0, i) for i in range(100)])
    assert float(fields.var()) == pytest.approx(1.0, abs=0.05)
    for lag in (1, 5, 10, 20):
        gx, gy = experimental_gamma(fields, lag)
        assert gx == pytest.approx(float(model.gamma(lag * D, 0.0)), abs=0.05)
        assert gy == pytest.approx(float(model.gamma(0.0, lag * D)), abs=0.05)


def test_real_and_imaginary_fields_are_independent_and_reproducible() -> None:
    emb = CirculantEmbedding.from_model(MODEL, D, rows=(0, N), cols=(0, N))
    keys = [(3, i) for i in range(60)]
    z = emb.fields(keys)
    r = np.corrcoef(z[0::2].ravel(), z[1::2].ravel())[0, 1]  # the two parts of each transform
    assert abs(r) < 0.03
    np.testing.assert_array_equal(emb.fields(keys[:4]), z[:4])  # a field depends on its keys only
    z32 = emb.fields(keys[:4], dtype=np.float32)
    assert z32.dtype == np.float32
    np.testing.assert_allclose(z32, z[:4], rtol=0, atol=1e-5)


def test_clipped_negative_eigenvalues_are_reported_and_variance_kept() -> None:
    """A Gaussian covariance with a range far beyond the window needs a large torus; whatever is
    clipped is reported, and the fields keep unit variance."""
    model = VariogramModel(0.0, (Structure("gaussian", 1.0, 40 * D),))
    emb = CirculantEmbedding.from_model(model, D, rows=(0, 10), cols=(0, 10))
    assert 0.0 <= emb.clipped < 1e-3
    assert float(np.sum(emb.amplitude**2)) == pytest.approx(1.0, rel=1e-12)


@pytest.fixture(scope="module")
def spectral_plan():
    grid = make_grid(2)
    plan = prepare_simulation(composites(grid, 150, n_layers=2), grid, model=MODEL)
    return with_spectral_fields(plan)


def test_spectral_plan_covers_grid_and_data(spectral_plan) -> None:
    assert spectral_plan.spectrum is not None
    assert (spectral_plan.spectrum.rows, spectral_plan.spectrum.cols) == simulation_window(spectral_plan)


def test_spectral_realisations_honour_data_whatever_the_tiling(spectral_plan) -> None:
    plan = spectral_plan
    a = simulate_scores(plan, seed=3, index=4)
    np.testing.assert_array_equal(a, simulate_scores(plan, seed=3, index=4, tile_cells=N))  # one window
    cells = plan.data_rows * N + plan.data_cols
    inside = (plan.data_rows >= 0) & (plan.data_rows < N) & (plan.data_cols >= 0) & (plan.data_cols < N)
    got = a[:, :, cells[inside]]
    np.testing.assert_allclose(got, plan.scores[:, :, inside], atol=2e-4)  # no nugget: the data's scores
    at_data = unconditional_at_data(plan, seed=3, index=4)
    assert at_data.shape == plan.scores.shape
    # the fields gathered at the grid's cells and the data equal the whole window's there
    cells = np.arange(0, N * N, 7)
    grid_fields, data_scores = fields_with_data(plan, cells, seed=3, index=4)
    (r0, _), (c0, _) = simulation_window(plan)
    win = window_fields(plan, seed=3, index=4)
    np.testing.assert_array_equal(grid_fields, win[:, cells // N - r0, cells % N - c0])
    np.testing.assert_allclose(data_scores, at_data, rtol=0, atol=1e-6)


def test_spectral_scores_reproduce_the_variogram(spectral_plan) -> None:
    ys = np.stack([simulate_scores(spectral_plan, seed=5, index=i) for i in range(8)]).reshape(8, 2, 2, N, N)
    for lag in (1, 5, 10):
        expected = float(MODEL.gamma(lag * D, 0.0))
        for gamma in experimental_gamma(ys, lag):
            assert gamma == pytest.approx(expected, abs=0.1)


def test_spectral_tables_do_not_depend_on_tiles_or_batches(spectral_plan) -> None:
    from seabed.compute import ComputeOptions, open_mapper
    from tests.test_simulation import grade_block_model

    bm = grade_block_model(spectral_plan.grid, np.full((2, 2, N, N), 600.0), ["Y", "La"])
    kw = {"n_realisations": 4, "seed": 2, "items": ["Y"], "cutoffs": [500.0]}
    a = run_simulation(spectral_plan, bm, **kw)
    b = run_simulation(spectral_plan, bm, tile_cells=N, **kw)
    with open_mapper(ComputeOptions(scheduler="threads", workers=2)) as mapper:  # realisations in batches
        c = run_simulation(spectral_plan, bm, mapper=mapper, **kw)
    for other in (b, c):
        np.testing.assert_allclose(other["tonnes"].to_numpy(), a["tonnes"].to_numpy(), rtol=1e-12)


def test_far_data_keep_convolution_fields_and_perturbed_plans_keep_spectral(spectral_plan) -> None:
    far = replace(spectral_plan, spectrum=None, data_rows=spectral_plan.data_rows + 10 * N)
    assert with_spectral_fields(far).spectrum is None
    models = perturbed_plans(spectral_plan, n_models=2, range_relative_sd=0.3, nugget_sd=0.1, seed=1)
    assert all(p.spectrum is not None and p.spectrum.rows == spectral_plan.spectrum.rows for p in models)
