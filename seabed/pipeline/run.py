"""A whole run: the stages in order, every output written atomically into one run directory.

:func:`run` is ``seabed run`` and ``seabed estimate``; :func:`run_supply` is ``seabed supply``
(the supply stage alone on an earlier run's saved resource). The writers are imported inside
the functions, so that ``import seabed.pipeline`` does not load matplotlib, rasterio or GDAL.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import xarray as xr

from seabed.config import Config
from seabed.pipeline.adapters import compute_options, describe_run, input_paths, island_marker
from seabed.pipeline.inputs import prepare_site, protected_paths, validate_crs
from seabed.pipeline.stages import estimate_stage, group_grades, resource_stage, supply_stage
from seabed.results import EstimationResult, ResourceResult, RunResult

__all__ = ["run", "run_supply"]

log = logging.getLogger(__name__)


def run(
    cfg: Config,
    *,
    out: str | Path,
    overwrite: bool = False,
    command: list[str] | None = None,
    supply: bool = True,
    reproject_to: str | None = None,
    scheduler: str | None = None,
    client=None,
    progress: bool | None = False,
) -> RunResult:
    """Run the pipeline on a validated config and write every output atomically into ``out``.

    Parameters
    ----------
    cfg : Config
        Validated configuration (:func:`seabed.config.load_config`).
    out : str or Path
        Output directory; must not exist unless ``overwrite``.
    overwrite : bool, default False
        Replace an existing output directory.
    command : list of str, optional
        The command line, recorded in the manifest.
    supply : bool, default True
        Run the supply stage (``False``: inputs → grades → resource only, ``seabed estimate``).
    reproject_to : str, optional
        Also write the GeoTIFFs reprojected to this CRS (e.g. ``"EPSG:4326"``).
    scheduler : str, optional
        Overrides ``[compute] scheduler`` ("synchronous", "threads", "processes" or
        ``tcp://host:port``; ``seabed run --scheduler``).
    client : distributed.Client, optional
        Run on this connected Dask client instead (not closed here).
    progress : bool or None, default False
        Show a stage progress bar on stderr (``None``: only when stderr is a terminal; the CLI's
        default).

    Returns
    -------
    RunResult
        The output directory, the files written, the summary and every stage's result.
    """
    from seabed.compute import open_mapper
    from seabed.outputs.bundle import FIGURE_DPI, write_run_outputs
    from seabed.outputs.headlines import run_headlines
    from seabed.outputs.manifest import input_hashes, utc_now
    from seabed.outputs.maps import plot_site_map
    from seabed.outputs.report import REPORT_TABLES, render_run_report
    from seabed.outputs.rundir import RunDirectory
    from seabed.outputs.summary import build_summary, summarise_inputs
    from seabed.plotting import render_tight_pixels, write_png
    from seabed.progress import StageProgress

    started = utc_now()
    if reproject_to is not None:
        reproject_to = validate_crs(reproject_to)
    options = compute_options(cfg.compute, scheduler=scheduler)
    about = describe_run(cfg)
    stages = ["inputs", "estimation", "resource", *(["supply"] if supply else []), "outputs"]
    with (_frozen_between_stages() as freeze,
          RunDirectory(out, overwrite=overwrite, protect=protected_paths(cfg)) as rundir,
          open_mapper(options, client=client) as mapper,
          StageProgress(stages, enabled=progress) as bar):
        log.info("computing with %r", mapper)
        freeze()  # the modules
        with bar.stage("inputs"):
            site = prepare_site(cfg)
            inputs_summary = summarise_inputs(about, site)
            fig = plot_site_map(site.source_grids["elevation"], site.intervals, site.areas,
                                title=about.title, zoom=site.areas[about.extent], island=island_marker(cfg),
                                synthetic=about.synthetic_cores)
            pixels = render_tight_pixels(fig, dpi=FIGURE_DPI)
            rundir.write_in_background("figures/map_cores.png", lambda p: write_png(p, pixels, dpi=FIGURE_DPI))
        with bar.stage("estimation"):
            est = estimate_stage(cfg, site, mapper=mapper, store=rundir.scratch / "estimates.nc")
        with bar.stage("resource"):
            res = resource_stage(cfg, site, est, mapper=mapper)
        sup = None
        if supply:
            with bar.stage("supply"):
                sup = supply_stage(cfg, res)
        freeze()  # the results: alive to the end
        with bar.stage("outputs"):
            write_run_outputs(rundir, about, site, est, res, sup, reproject_to=reproject_to)
            summary = build_summary(about, site, est, res, sup, inputs_summary)
            rundir.write_json("summary.json", summary)
            rundir.wait()  # the report embeds the figures, written in the background
            figures = {Path(f).stem: rundir.staging / f for f in rundir.files if f.startswith("figures/")}
            tables = {name: getattr(res, attr) for name, (attr, _) in REPORT_TABLES.items()}
            report = render_run_report(summary, figures=figures, tables=tables)
            rundir.write_with("report.html", report.write)
        _write_manifest(rundir, cfg, input_hashes(input_paths(cfg)), started=started, command=command)
        out_dir = rundir.commit()
    _read_cubes_from(out_dir / "block_model.nc", est, res)
    return RunResult(out_dir, list(rundir.files), summary, site, est, res, sup, run_headlines(summary))


@contextmanager
def _frozen_between_stages() -> Iterator:
    """Yield ``freeze()``, which moves every object alive into the cyclic garbage collector's
    permanent generation (:func:`gc.freeze`); everything is unfrozen when the block ends.

    A run holds ~350,000 long-lived objects (modules, the stages' results) that every full
    collection would traverse again: a run spent ~1.4 s in 7 full collections, 0.6 s of it in
    the one that freed the figures. Frozen when the run starts (the modules) and before the
    outputs (the results, alive to the end), they are skipped: ~0.25 s. What is created after a
    freeze is collected as usual; cyclic garbage frozen with the results (little: the peak memory
    is unchanged) is freed after the run. Nothing is frozen when the caller has frozen objects
    itself (its choice is kept).
    """
    if gc.get_freeze_count():
        yield lambda: None
        return
    try:
        yield gc.freeze
    finally:
        gc.unfreeze()


def _write_manifest(rundir, cfg: Config, inputs: dict[str, str], *, started: str,
                    command: list[str] | None) -> None:
    """The manifest of a run directory (config, input hashes, seed, times, output hashes, and what
    was recovered from stopped runs before this one), written last, before the commit."""
    from seabed.outputs.manifest import build_manifest

    rundir.wait()  # the manifest hashes every output
    manifest = build_manifest(
        config=cfg.model_dump(mode="json"),
        config_path=str(cfg.source_path) if cfg.source_path else None,
        inputs=inputs,
        seed=cfg.seed,
        started=started,
        outputs_dir=rundir.staging,
        outputs=list(rundir.files),
        command=command or [],
    )
    if rundir.notes:
        manifest["recovered_before_run"] = rundir.notes
    rundir.write_json("manifest.json", manifest)


def _read_cubes_from(path: Path, est: EstimationResult, res: ResourceResult) -> None:
    """Point the lazily read grade and variance cubes (and the group grades derived from them)
    at the published block model.

    During the run they are read from the scratch store, which the commit removes; the
    block model written to the run directory holds the same values.
    """
    if est.estimates["grade"].chunks is None:
        return
    chunks = {"y": est.estimates["grade"].chunksizes["y"]}
    final = xr.open_dataset(path, chunks=chunks, cache=False, mask_and_scale=False)
    for name, da in est.estimates.data_vars.items():  # the cubes and the per-layer diagnostics
        if da.chunks is not None and name in final:
            data = final[name].transpose(*da.dims).data.astype(da.dtype, copy=False)
            est.estimates[name] = da.copy(data=data)
            if name in res.block_model:
                res.block_model[name] = res.block_model[name].copy(data=data)
    res.group_grades = group_grades(res.block_model)


def run_supply(cfg: Config, *, resource_dir: str | Path, out: str | Path, overwrite: bool = False,
               command: list[str] | None = None) -> RunResult:
    """The supply stage alone, on the saved resource of an earlier run (``seabed supply``).

    Parameters
    ----------
    cfg : Config
        Validated configuration; its ``[supply]`` section and seed are used.
    resource_dir : str or Path
        Output directory of ``seabed estimate`` or ``seabed run`` (its mining inventory).
    out : str or Path
        Output directory; must not exist unless ``overwrite``.
    overwrite : bool, default False
        Replace an existing output directory.
    command : list of str, optional
        The command line, recorded in the manifest.
    """
    from seabed.outputs.bundle import write_supply_outputs
    from seabed.outputs.headlines import supply_headline
    from seabed.outputs.manifest import file_sha256, input_hashes, utc_now
    from seabed.outputs.reload import load_saved_resource
    from seabed.outputs.rundir import RunDirectory, to_jsonable
    from seabed.supply.model import project_supply

    started = utc_now()
    inventory, grades = load_saved_resource(resource_dir)
    with RunDirectory(out, overwrite=overwrite, protect=[*protected_paths(cfg), Path(resource_dir)]) as rundir:
        sup = project_supply(inventory, cfg.supply, seed=cfg.seed, realisations=grades)
        write_supply_outputs(rundir, sup, synthetic=cfg.inputs.cores.synthetic)
        summary = {"title": cfg.title, "resource_from": str(Path(resource_dir).resolve()),
                   "supply": {k: to_jsonable(v) for k, v in sup.summary.items()}}
        rundir.write_json("summary.json", summary)
        inputs = input_hashes(input_paths(cfg))
        inputs["resource:mining_inventory.csv"] = file_sha256(Path(resource_dir) / "tables" / "mining_inventory.csv")
        _write_manifest(rundir, cfg, inputs, started=started, command=command)
        out_dir = rundir.commit()
    return RunResult(out_dir, list(rundir.files), summary, None, None, None, sup, [supply_headline(summary)])
