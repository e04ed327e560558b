"""Tests of seabed.geostats.estimation and the [estimation] settings."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from seabed.config import EstimationSettings
from seabed.errors import ConfigError, InputDataError, UnitsError
from seabed.geostats.estimation import estimate_grades, fit_pooled_variogram
from seabed.geostats.kriging import Neighbourhood
from seabed.geostats.variogram import Structure, VariogramModel
from seabed.pipeline.adapters import estimation_arguments
from seabed.working_grid import Layers, WorkingGrid, laea_crs

MODEL = VariogramModel(0.2, (Structure("spherical", 0.8, 30_000.0),))


def _grid(n=12, cell=5_000.0, layers=3):
    x = (np.arange(n) + 0.5) * cell
    return WorkingGrid(crs=laea_crs(154.0, 22.0), x=x, y=x[::-1].copy(), cell_size=cell,
                       layers=Layers.regular(0, layers, 1))


def _composites(n_cores=25, layers=3, seed=0, constant=None):
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 60_000.0, (n_cores, 2))
    data = {}
    for j, el in enumerate(["La", "Nd", "Y"]):
        base = 100.0 * (j + 1) * (1 + np.arange(layers))[None, :]
        field = np.sin(xy[:, 0] / 20_000.0)[:, None] * 20 * (j + 1)
        v = base + field + rng.normal(0, 5, (n_cores, layers)) if constant is None else np.full(
            (n_cores, layers), constant[j])
        data[el] = (("core", "layer"), v, {"units": "ppm"})
    ds = xr.Dataset(
        data,
        coords={
            "core_id": ("core", [f"C{i:02d}" for i in range(n_cores)]),
            "x": ("core", xy[:, 0]),
            "y": ("core", xy[:, 1]),
            "layer_top": ("layer", np.arange(layers, dtype=float)),
            "layer_bottom": ("layer", np.arange(layers, dtype=float) + 1),
        },
    )
    return ds


def test_constant_grades_are_reproduced_with_all_fields():
    grid = _grid()
    comp = _composites(constant=[500.0, 300.0, 200.0])
    ds = estimate_grades(comp, grid, elements=["La", "Nd", "Y"], variogram=MODEL)
    assert ds["grade"].dims == ("element", "layer", "y", "x")
    assert ds["grade"].shape == (3, 3, 12, 12)
    np.testing.assert_allclose(ds["grade"].sel(element="Nd"), 300.0, rtol=1e-10)
    np.testing.assert_allclose(ds["kriging_variance"], 0.0, atol=1e-8)  # zero variance data
    for name in ("slope_of_regression", "kriging_efficiency", "n_samples", "nearest_distance",
                 "negative_weight_sum", "reason"):
        assert ds[name].dims == ("layer", "y", "x"), name
        assert "units" in ds[name].attrs, name
    assert ds["grade"].attrs["units"] == "ppm"
    assert ds["nearest_distance"].attrs["units"] == "m"
    assert ds.rio.crs is not None
    assert (ds["reason"] == 0).all()


def test_mask_missing_layers_and_diagnostics():
    grid = _grid()
    comp = _composites()
    # the deepest layer is missing in 10 cores for every element; Y misses layer 0 in one core
    comp["La"][:10, 2] = np.nan
    comp["Nd"][:10, 2] = np.nan
    comp["Y"][:10, 2] = np.nan
    comp["Y"][0, 0] = np.nan
    mask = np.zeros(grid.shape, dtype=bool)
    mask[2:10, 2:10] = True
    ds = estimate_grades(comp, grid, variogram=MODEL, mask=mask,
                         neighbourhood=Neighbourhood(max_samples=None, min_samples=3, radius=np.inf))
    assert np.isnan(ds["grade"].values[:, :, ~mask]).all()
    assert (ds["reason"].values[:, ~mask] == 2).all()
    assert (ds["reason"].values[:, mask] == 0).all()
    n = ds["n_samples"].values[:, mask]
    assert (n[0] == 25).all()
    assert (n[2] == 15).all()
    assert np.isfinite(ds["grade"].values[:, :, mask]).all()
    assert (ds["grade"].values[:, :, mask] >= 0).all()
    v = ds["kriging_variance"].values[:, :, mask]
    assert (v > 0).all()


def test_kriged_grades_follow_the_variable_variances():
    grid = _grid()
    comp = _composites()
    ds = estimate_grades(comp, grid, variogram=MODEL, block=False)
    var_la = np.nanvar(comp["La"].values[:, 1])
    var_y = np.nanvar(comp["Y"].values[:, 1])
    ratio = ds["kriging_variance"].sel(element="Y", layer=1) / ds["kriging_variance"].sel(element="La", layer=1)
    np.testing.assert_allclose(ratio, var_y / var_la, rtol=1e-10)  # shared standardised weights


@pytest.mark.parametrize("method", ["simple_kriging", "idw", "nearest"])
def test_other_methods_run_and_stay_in_range(method):
    grid = _grid(n=6, cell=10_000.0)
    comp = _composites()
    ds = estimate_grades(comp, grid, method=method, variogram=MODEL)
    g = ds["grade"].sel(element="La", layer=0).values
    vals = comp["La"].values[:, 0]
    assert np.isfinite(g).all()
    if method != "simple_kriging":
        assert g.min() >= vals.min() - 1e-9
        assert g.max() <= vals.max() + 1e-9


def test_fit_pooled_variogram_is_standardised():
    comp = _composites(n_cores=40)
    model, ev = fit_pooled_variogram(comp, ["La", "Nd", "Y"])
    assert model.sill == pytest.approx(1.0)
    assert ev.n_pairs.sum() > 0
    ds = estimate_grades(comp, _grid(n=4, cell=15_000.0), variogram_fit={"kinds": ("exponential",)})
    assert "exponential" in ds.attrs["variogram"]


def test_layer_mismatch_is_refused():
    with pytest.raises(InputDataError, match="layers"):
        estimate_grades(_composites(layers=2), _grid(layers=3), variogram=MODEL)


def test_unknown_element_is_refused():
    with pytest.raises(InputDataError, match="Pm"):
        estimate_grades(_composites(), _grid(), elements=["Pm"], variogram=MODEL)


def test_empty_settings_give_working_defaults():
    kwargs = estimation_arguments(EstimationSettings())
    assert kwargs["method"] == "ordinary_kriging"
    assert kwargs["variogram"] is None
    assert kwargs["neighbourhood"].radius == pytest.approx(60_000.0)
    ds = estimate_grades(_composites(n_cores=30), _grid(n=4, cell=15_000.0), **kwargs)
    assert np.isfinite(ds["grade"]).all()


def test_manual_variogram_settings_are_converted_to_metres():
    s = EstimationSettings.model_validate(
        {
            "method": "simple_kriging",
            "variogram": {
                "nugget": 0.1,
                "structures": [{"kind": "exponential", "sill": 0.9, "range": "25 km",
                                "range_minor": "10 km", "azimuth": 45}],
            },
            "neighbourhood": {"max_samples": 8, "radius": "40 km", "radius_minor": "20000 m"},
        }
    )
    kw = estimation_arguments(s)
    st = kw["variogram"].structures[0]
    assert (st.range, st.range_minor, st.azimuth) == (25_000.0, 10_000.0, 45.0)
    assert kw["neighbourhood"].radius_minor == 20_000.0
    assert kw["variogram_fit"] is None


@pytest.mark.parametrize(
    "bad",
    [{"neighbourhood": {"radius": 60}}, {"variogram": {"kinds": ["cubic"]}}, {"colour": "red"}],
    ids=["bare-number", "bad-kind", "unknown-key"],
)
def test_bad_settings_are_refused(bad):
    from pydantic import ValidationError

    with pytest.raises((ValidationError, UnitsError)):
        EstimationSettings.model_validate(bad)


def test_drift_estimation_uses_residual_sills_and_records_the_drift():
    from seabed.geostats.drift import ExternalDrift
    from seabed.geostats.variogram import Structure, VariogramModel

    comps = _composites(n_cores=40)
    grid = _grid()
    model = VariogramModel(0.2, (Structure("spherical", 0.8, 30_000.0),))
    plain = estimate_grades(comps, grid, variogram=model, block=False)
    uk = estimate_grades(comps, grid, variogram=model, block=False, drift="linear")
    assert uk.attrs["drift"] == "linear"
    assert "drift" not in plain.attrs
    assert np.isfinite(uk["grade"].values).any()
    # residual variances are smaller than the raw ones: the variances scale down accordingly
    assert np.nanmedian(uk["kriging_variance"].values) < np.nanmedian(plain["kriging_variance"].values) * 1.5
    ramp = ExternalDrift(grid.x, grid.y, np.broadcast_to(grid.x, (grid.y.size, grid.x.size)), name="ramp")
    ked = estimate_grades(comps, grid, variogram=model, block=False, drift=ramp)
    assert ked.attrs["drift"] == "external (ramp)"
    with pytest.raises(ConfigError, match="ordinary kriging"):
        estimate_grades(comps, grid, variogram=model, method="idw", drift="linear")


def test_pooled_fit_with_drift_and_declared_anisotropy():
    from seabed.geostats.anisotropy import Anisotropy

    comps = _composites(n_cores=60)
    model, _ = fit_pooled_variogram(comps, drift="linear", anisotropy=Anisotropy(30.0, 2.0))
    s = model.structures[0]
    assert s.azimuth == 30.0
    assert s.range_minor == pytest.approx(s.range / 2.0)
    fitted, _ = fit_pooled_variogram(comps, anisotropy="fit")
    assert fitted.structures[0].range_minor <= fitted.structures[0].range
