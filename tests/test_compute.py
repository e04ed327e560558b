"""Dask scheduling: options, the mapper, and results that do not depend on the scheduler or chunking.

The cluster tests start a real ``dask.distributed.LocalCluster`` of 2 workers (threads, in this
process: reliable here and fast) and close it at the end of the module.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from seabed.compute import (
    ComputeOptions,
    Mapper,
    chunk_cells_for_budget,
    open_mapper,
    split_rows,
)
from seabed.config import ComputeSpec
from seabed.config.compute import parse_memory_budget, validate_scheduler
from seabed.errors import ConfigError
from seabed.geostats.conditioning import tile_weights
from seabed.geostats.estimation import estimate_grades
from seabed.geostats.neighbourhood import Neighbourhood
from seabed.geostats.simulation import prepare_simulation
from seabed.geostats.variogram import Structure, VariogramModel
from seabed.pipeline.adapters import compute_options
from seabed.resource.blockmodel import build_block_model
from seabed.resource.uncertainty import run_simulation
from seabed.working_grid import Layers, WorkingGrid, laea_crs

RTOL = 1e-10
# Tonnage of realisations computed in other tiles: the fields are float32 (SimulationPlan.dtype), so
# tilings agree to float32 rounding (~1e-8 relative here); float64 fields agree to 1e-10.
RTOL_TILES = 1e-6
NY, NX, D = 37, 29, 250.0
MODEL = VariogramModel(0.1, (Structure("spherical", 0.9, 3000.0),))


# ------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def cluster_client():
    distributed = pytest.importorskip("distributed")
    with warnings.catch_warnings():
        # distributed may warn that the default port is taken or about the dashboard; neither
        # matters for a test cluster (processes=False, no dashboard)
        warnings.filterwarnings("ignore", category=UserWarning, module="distributed")
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                           dashboard_address=None, silence_logs=40)
        client = distributed.Client(cluster, set_as_default=False)
    yield client
    client.close()
    cluster.close()


def make_grid() -> WorkingGrid:
    x = D * (np.arange(NX) + 0.5)
    y = D * (np.arange(NY) + 0.5)[::-1]
    return WorkingGrid(crs=laea_crs(154.0, 22.0), x=x, y=y.copy(), cell_size=D, layers=Layers.regular(0, 3, 1))


def make_composites(grid: WorkingGrid, n_cores: int = 40, seed: int = 3) -> xr.Dataset:
    """Three elements, three layers; some cores miss the deepest layer (several sample sets)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(grid.x[0], grid.x[-1], n_cores)
    y = rng.uniform(grid.y[-1], grid.y[0], n_cores)
    base = 500 + 200 * np.sin(x / 1500.0) + 150 * np.cos(y / 2000.0)
    data = {}
    for k, e in enumerate(("La", "Nd", "Y")):
        v = (base * (1 + 0.3 * k))[:, None] * np.array([0.8, 1.2, 1.0])[None, :] + rng.normal(0, 30, (n_cores, 3))
        v[: n_cores // 5, 2] = np.nan  # short cores
        data[e] = (("core", "layer"), v)
    return xr.Dataset(data, coords={"x": ("core", x), "y": ("core", y),
                                    "layer_top": ("layer", [0.0, 1.0, 2.0])})


@pytest.fixture(scope="module")
def site():
    grid = make_grid()
    comp = make_composites(grid)
    yy, xx = np.meshgrid(np.arange(NY), np.arange(NX), indexing="ij")
    mask = (yy - NY / 2) ** 2 + (xx - NX / 2) ** 2 < (0.45 * NY) ** 2  # a disc: ragged rows
    return grid, comp, mask


def estimate(site, **kwargs) -> xr.Dataset:
    grid, comp, mask = site
    return estimate_grades(comp, grid, variogram=MODEL, mask=mask,
                           neighbourhood=Neighbourhood(max_samples=12, min_samples=3, radius=6000.0), **kwargs)


@pytest.fixture(scope="module")
def reference(site) -> xr.Dataset:
    return estimate(site)  # no mapper: one kriging call over the whole grid


def assert_same(a: xr.Dataset, b: xr.Dataset) -> None:
    assert list(a.data_vars) == list(b.data_vars)
    for name in a.data_vars:
        x, y = a[name].values, b[name].values
        assert x.shape == y.shape, name
        if x.dtype.kind == "f":
            np.testing.assert_array_equal(np.isnan(x), np.isnan(y), err_msg=name)
            np.testing.assert_allclose(x, y, rtol=RTOL, atol=0.0, equal_nan=True, err_msg=name)
        else:
            np.testing.assert_array_equal(x, y, err_msg=name)
    assert a["grade"].attrs["n_negative_clipped"] == b["grade"].attrs["n_negative_clipped"]


# --------------------------------------------------------------- options
@pytest.mark.parametrize("value", ["synchronous", "threads", "processes", "tcp://127.0.0.1:8786",
                                   "tcp://scheduler.example.org:8786"],
                         ids=["sync", "threads", "processes", "tcp-ip", "tcp-host"])
def test_valid_schedulers_pass(value):
    assert validate_scheduler(value) == value


@pytest.mark.parametrize("value", ["thread", "", "dask", "tcp://host", "http://h:8786", "tcp://h:port"],
                         ids=["typo", "empty", "word", "no-port", "http", "bad-port"])
def test_invalid_scheduler_names_the_field(value):
    with pytest.raises(ConfigError, match=r"^compute\.scheduler: got .*expected one of synchronous"):
        validate_scheduler(value)


def test_config_section_refuses_bad_scheduler_and_budget():
    with pytest.raises(ValueError, match="expected one of synchronous"):
        ComputeSpec(scheduler="cluster")
    with pytest.raises(ValueError, match="size in bytes"):
        ComputeSpec(memory_budget="4 km")
    spec = ComputeSpec(scheduler="threads", workers=3, chunk_cells=5000, memory_budget="1 GiB")
    opts = compute_options(spec, scheduler="synchronous")
    assert (opts.scheduler, opts.workers, opts.chunk_cells, opts.memory_budget) == ("synchronous", 3, 5000, 2**30)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [("tcp://h:99999", "port 99999 is out of range"), ("tcp://h:0", "port 0 is out of range"),
     ("tcp://h:abc", "numeric port 1-65535"), ("tcp://h", "numeric port 1-65535"),
     ("tcp://:8786", "host name or IP address")],
    ids=["port-99999", "port-0", "port-word", "no-port", "no-host"],
)
def test_scheduler_ports_are_checked(value, fragment):
    with pytest.raises(ConfigError, match=f"^compute.scheduler: got '{value}'.*{fragment}"):
        validate_scheduler(value)
    with pytest.raises(ValueError, match=fragment):
        ComputeSpec(scheduler=value)


@pytest.mark.parametrize("value", ["tcp://[::1]:8786", "tcp://10.0.0.5:65535"], ids=["ipv6", "port-65535"])
def test_scheduler_addresses_accepted(value):
    assert ComputeSpec(scheduler=value).scheduler == value


def test_messages_with_semicolons_stay_whole():
    """The config section used to cut its own message at the first '; ' (inside the value)."""
    with pytest.raises(ValueError, match=r"got 'threads; x'; expected one of synchronous"):
        ComputeSpec(scheduler="threads; x")
    with pytest.raises(ValueError, match=r"got '4 GiB; or so'; expected a positive size"):
        ComputeSpec(memory_budget="4 GiB; or so")


@pytest.mark.parametrize(("text", "expected"), [("4 GiB", 4 * 2**30), ("500 MB", 5e8), ("2 kB", 2000.0)],
                         ids=["GiB", "MB", "kB"])
def test_parse_memory_budget(text, expected):
    assert parse_memory_budget(text) == expected


@pytest.mark.parametrize("text", ["4", "4 m", "-1 GB", "lots"], ids=["bare", "length", "negative", "word"])
def test_parse_memory_budget_refuses(text):
    with pytest.raises(ConfigError, match="compute.memory_budget"):
        parse_memory_budget(text)


def test_chunk_cells_from_budget_formula():
    # 1 GiB over 2 workers at 1,024 bytes per cell: 2**30 / 2 / 2**10 = 524,288 cells
    assert chunk_cells_for_budget(2**30, 1024, n_workers=2) == 524_288
    assert chunk_cells_for_budget(10, 1024, n_workers=2) == 1_000  # clipped below
    assert chunk_cells_for_budget(1e15, 8, n_workers=1) == 2_000_000  # clipped above
    assert ComputeOptions(chunk_cells=1234).cells_per_chunk(1024) == 1234
    assert ComputeOptions(workers=4, memory_budget=2**30).cells_per_chunk(1024) == 262_144
    # a fixed 256 MiB per task first: (2**29 - 2**28) / 2**10 = 262,144 cells
    assert chunk_cells_for_budget(2**30, 1024, n_workers=2, task_bytes=2**28) == 262_144
    assert chunk_cells_for_budget(2**30, 1024, n_workers=2, task_bytes=2**30) == 1_000  # clipped below


def test_split_rows_covers_every_row_once():
    counts = [0, 5, 5, 5, 0, 12, 1, 1, 1, 0]
    blocks = split_rows(len(counts), counts, 10)
    rows = [r for b in blocks for r in range(b.start, b.stop)]
    assert rows == list(range(len(counts)))
    assert [sum(counts[b]) for b in blocks] == [10, 17, 3]


@pytest.mark.parametrize("scheduler", ["synchronous", "threads", "processes"])
def test_local_mapper_keeps_order_and_passes_shared(scheduler):
    with open_mapper(ComputeOptions(scheduler=scheduler, workers=2)) as mapper:
        out = mapper(_scaled, range(7), factor=np.float64(3.0))
    assert out == [3.0 * i for i in range(7)]


def _scaled(i: int, *, factor: float) -> float:
    return float(i * factor)


# ------------------------------------------------------ estimation identity
@pytest.mark.parametrize(("scheduler", "task_cells"),
                         [("synchronous", 1000), ("synchronous", 97), ("threads", 150), ("threads", 10**6)],
                         ids=["sync-1000", "sync-97", "threads-150", "threads-one-task"])
def test_estimation_same_whatever_local_scheduler_and_chunk(site, reference, scheduler, task_cells):
    with open_mapper(ComputeOptions(scheduler=scheduler, workers=2)) as mapper:
        got = estimate(site, mapper=mapper, task_cells=task_cells)
    assert_same(reference, got)
    assert int((got["reason"] == 0).sum()) > 0


def test_estimation_same_on_a_local_cluster(site, reference, cluster_client):
    with open_mapper(ComputeOptions(), client=cluster_client) as mapper:
        assert mapper.n_workers == 2
        got = estimate(site, mapper=mapper, task_cells=120)
    assert_same(reference, got)


def test_estimation_uses_several_tasks(site):
    calls = []

    def spy(func, items, **shared):
        items = list(items)
        calls.append(len(items))
        return [func(i, **shared) for i in items]

    estimate(site, mapper=spy, task_cells=200)
    _, _, mask = site
    assert calls == [len(split_rows(NY, mask.sum(axis=1), 200))]
    assert calls[0] > 3


# ------------------------------------------------ estimation into a store
@pytest.mark.parametrize("task_cells", [97, 400], ids=["many-blocks", "few-blocks"])
def test_estimation_into_a_store_is_lazy_and_the_same(site, reference, tmp_path, task_cells):
    with open_mapper(ComputeOptions(scheduler="threads", workers=2)) as mapper:
        got = estimate(site, mapper=mapper, task_cells=task_cells, store=tmp_path / "cube.nc")
    for name in ("grade", "kriging_variance"):
        assert got[name].chunks is not None, name  # read lazily from the store
        assert max(got[name].chunksizes["y"]) == max(1, task_cells // NX)
    assert_same(reference, got)


def test_resource_tables_from_a_lazy_block_model_equal_in_memory(site, reference, tmp_path):
    from seabed.resource import classification, selectivity, tonnage

    grid = site[0]
    lazy = estimate(site, mapper=Mapper(ComputeOptions(scheduler="synchronous")), task_cells=150,
                    store=tmp_path / "cube.nc")
    bms = [build_block_model(est, grid, density="0.6 t/m^3") for est in (reference, lazy)]
    assert bms[1]["grade"].chunks is not None
    assert len(tonnage.row_blocks(bms[1])) > 3
    assert bms[0]["grade"].chunks is None
    assert len(tonnage.row_blocks(bms[0])) == 1
    tables = []
    for bm in bms:
        rc = classification.classify(bm)["resource_class"]
        tables.append([
            tonnage.tonnage_table(bm, by_layer=True, items=["REY", "TREO", "La"]),
            tonnage.tonnage_by_depth(bm, [1.5, 3.0], items=["REY"]),
            selectivity.grade_tonnage(bm, item="REY", cutoffs=[0, 500, 800], report=("TREO",)),
            selectivity.mining_inventory(bm, cutoff="500 ppm", interval=("0 m", "3 m"), min_thickness="1 m",
                                         resource_class=rc),
        ])
    for a, b in zip(*tables, strict=True):
        assert a.shape == b.shape
        assert len(a) > 0
        num = a.select_dtypes("number").columns
        np.testing.assert_allclose(b[num].to_numpy(float), a[num].to_numpy(float), rtol=RTOL, equal_nan=True)


@pytest.mark.parametrize("density", ["constant", "per_layer", "grid"])
def test_lazy_block_model_holds_no_layered_array_and_equals_in_memory(site, reference, tmp_path, density):
    """Thickness clipped to a sediment raster, density, mask, mineable and classes of a block
    model read lazily are Dask arrays in the cube's row blocks, with the in-memory values."""
    from seabed.config.resource import DensitySettings
    from seabed.resource import classification
    from seabed.resource.density import density_field

    grid = site[0]
    lazy = estimate(site, mapper=Mapper(ComputeOptions(scheduler="synchronous")), task_cells=150,
                    store=tmp_path / "cube.nc")
    yy, xx = np.meshgrid(np.arange(NY), np.arange(NX), indexing="ij")
    sediment = xr.DataArray(0.1 * (yy + xx), dims=("y", "x"), attrs={"units": "m"})  # 0-6.4 m: clips layers
    values = xr.DataArray(0.5 + 0.001 * yy, dims=("y", "x"), attrs={"units": "t/m^3"})
    settings = {"constant": DensitySettings(), "grid": DensitySettings(method="grid"),
                "per_layer": DensitySettings(method="per_layer", per_layer=["0.5 t/m^3", "0.55 t/m^3", "0.6 t/m^3"])}
    rho = density_field(grid, settings=settings[density], values=values)
    mask = {"box": xr.DataArray(xx > 3, dims=("y", "x"))}
    bms = [build_block_model(est, grid, density=rho, masks=mask, rasters={"sediment_thickness": sediment})
           for est in (reference, lazy)]
    bms = [bm.assign(classification.classify(bm)) for bm in bms]
    rows = bms[1]["grade"].chunksizes["y"]
    assert len(rows) > 3
    layered = bms[1].sizes["layer"] * NY * NX
    for name, var in bms[1].data_vars.items():
        if "layer" in var.dims and {"y", "x"} <= set(var.dims):
            assert var.chunks is not None, name
            assert var.chunksizes["y"] == rows, name
            assert _largest_array(var.data.__dask_graph__().values()) < layered, name
        np.testing.assert_allclose(var.values.astype(float), bms[0][name].values.astype(float), rtol=RTOL,
                                   equal_nan=True, err_msg=name)
    assert 0 < float(bms[1]["mineable"].mean()) < 1
    assert float((bms[1]["thickness"] < 1).mean()) > 0.05  # the sediment raster clips some layers


def _largest_array(objects) -> int:
    """Values of the largest NumPy array (counting the array a view was taken from) held by a
    Dask graph's tasks."""
    largest = 0
    for o in objects:
        if isinstance(o, np.ndarray):
            while isinstance(o.base, np.ndarray):
                o = o.base
            largest = max(largest, o.size if all(o.strides) else 1)
        elif isinstance(o, tuple | list):
            largest = max(largest, _largest_array(o))
        elif isinstance(o, dict):
            largest = max(largest, _largest_array(o.values()))
        else:  # dask task-spec objects: Task(args, kwargs), DataNode(value)
            parts = [getattr(o, a) for a in ("args", "kwargs", "value") if hasattr(o, a)]
            largest = max(largest, _largest_array(parts))
    return largest


# ------------------------------------------------------ simulation identity
@pytest.fixture(scope="module")
def simulation_case(site):
    grid, comp, _ = site
    comp = comp.drop_vars("layer_top").fillna(comp.mean("core"))  # simulation: isotopic data
    plan = prepare_simulation(comp, grid, model=MODEL, elements=["La", "Nd", "Y"])
    coords = dict(grid.coords()) | grid.layers.coords() | {"element": ["La", "Nd", "Y"]}
    grade = np.full((3, 3, NY, NX), 700.0)
    bm = build_block_model(xr.Dataset({"grade": (("element", "layer", "y", "x"), grade, {"units": "ppm"})},
                                      coords=coords), grid, density="0.5 t/m^3")
    expected = run_simulation(plan, bm, n_realisations=4, seed=7, items=["REY", "TREO"], cutoffs=[600.0])
    return comp, grid, plan, bm, expected


@pytest.mark.parametrize("scheduler", ["synchronous", "threads"])
def test_realisations_same_whatever_local_scheduler(simulation_case, scheduler):
    _, _, plan, bm, expected = simulation_case
    with open_mapper(ComputeOptions(scheduler=scheduler, workers=2)) as mapper:
        got = run_simulation(plan, bm, n_realisations=4, seed=7, items=["REY", "TREO"], cutoffs=[600.0],
                             mapper=mapper)
    np.testing.assert_allclose(got["tonnes"].to_numpy(), expected["tonnes"].to_numpy(), rtol=RTOL)
    assert got["realisation"].tolist() == expected["realisation"].tolist()


def test_realisations_same_on_a_local_cluster(simulation_case, cluster_client):
    _, _, plan, bm, expected = simulation_case
    with open_mapper(ComputeOptions(), client=cluster_client) as mapper:
        got = run_simulation(plan, bm, n_realisations=4, seed=7, items=["REY", "TREO"], cutoffs=[600.0],
                             mapper=mapper, tile_cells=5 * NX)
    np.testing.assert_allclose(got["tonnes"].to_numpy(), expected["tonnes"].to_numpy(), rtol=RTOL_TILES)


def test_shared_objects_are_scattered_once_not_embedded_in_tasks(cluster_client):
    # a tile's inputs are scattered once and referenced by its batches' tasks (issue 18: the
    # default run sent a 12 MiB graph, the tile's arrays copied into every task)
    with open_mapper(ComputeOptions(), client=cluster_client) as mapper:
        big = np.arange(1_000_000, dtype=float)
        ref = mapper.share(big)
        assert type(ref).__name__ == "Future"
        got = list(mapper.imap(_sum_of_first, [(ref, 1), (ref, 2)]))
    assert got == [float(big.sum()) + 1, float(big.sum()) + 2]
    assert Mapper(ComputeOptions()).share(big) is big


def _sum_of_first(item):
    return float(item[0].sum()) + item[1]


@pytest.mark.parametrize("tile_cells", [NX, 4 * NX + 1, 10**6], ids=["row", "four-rows", "one-tile"])
def test_realisations_same_whatever_tile_size(simulation_case, tile_cells):
    _, _, plan, bm, expected = simulation_case
    got = run_simulation(plan, bm, n_realisations=4, seed=7, items=["REY", "TREO"], cutoffs=[600.0],
                         mapper=Mapper(ComputeOptions(scheduler="threads", workers=2)), tile_cells=tile_cells)
    np.testing.assert_allclose(got["tonnes"].to_numpy(), expected["tonnes"].to_numpy(), rtol=RTOL_TILES)


def test_float64_realisations_same_whatever_tile_size_to_1e_10(simulation_case):
    from dataclasses import replace

    _, _, plan, bm, _ = simulation_case
    plan = replace(plan, dtype=np.float64)
    kw = {"n_realisations": 2, "seed": 7, "items": ["REY"], "cutoffs": [600.0]}
    whole = run_simulation(plan, bm, **kw)
    tiled = run_simulation(plan, bm, mapper=Mapper(ComputeOptions(scheduler="threads", workers=2)),
                           tile_cells=4 * NX + 1, **kw)
    np.testing.assert_allclose(tiled["tonnes"].to_numpy(), whole["tonnes"].to_numpy(), rtol=RTOL)


def test_weights_are_sparse(simulation_case):
    _, _, plan, _, _ = simulation_case
    (w,) = tile_weights(plan, slice(0, 5)).values()
    assert w.shape[0] == 5 * NX
    assert w.getnnz(axis=1).max() <= 64


def test_mapper_repr_names_the_scheduler():
    assert "threads" in repr(Mapper(ComputeOptions(scheduler="threads", workers=2)))


@pytest.mark.parametrize("command", ["run", "estimate"])
def test_cli_refuses_a_bad_scheduler_before_running(command, tmp_path, capsys):
    from seabed.cli import main

    config = Path(__file__).resolve().parent.parent / "configs" / "takaya2018_box.toml"
    code = main([command, str(config), "--out", str(tmp_path / "out"), "--scheduler", "tcp:/nowhere"])
    assert code == 2
    assert "--scheduler: got 'tcp:/nowhere'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_blas_runs_one_thread_inside_a_mapper_and_is_restored():
    from threadpoolctl import threadpool_info

    def blas_threads():
        return {i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}

    before = blas_threads()
    with open_mapper(ComputeOptions(scheduler="threads", workers=2)):
        assert blas_threads() == {1}
    assert blas_threads() == before
