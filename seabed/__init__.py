"""seabed: rare-earth resources of deep-sea mud and when domestic supply could offset imports.

Quick start (see docs/quickstart.md; on the command line: ``seabed init DIR`` then ``seabed run``):

>>> import seabed
>>> cfg = seabed.load_config("configs/minamitorishima.toml")  # doctest: +SKIP
>>> result = seabed.run(cfg, out="out/mt")                      # doctest: +SKIP
>>> result.resource.block_model["grade"]                        # doctest: +SKIP

The whole pipeline
    run(cfg, out=...)          inputs → grades → resource → supply → every output file; a RunResult
    run_supply(cfg, ...)       the supply stage alone, on the saved resource of an earlier run
    load_config(path)          read and validate a TOML config (paths relative to its folder)

Stage by stage (each returns a result object of seabed.results; nothing is written)
    prepare_site(cfg)                  load, validate and composite every input → SiteData
    estimate_stage(cfg, site)          grades and variances by kriging/IDW → EstimationResult
    resource_stage(cfg, site, est)     block model, masks, tonnage, classes → ResourceResult
    supply_stage(cfg, res)             production, processing, demand, offset years → SupplyResult

Building blocks (explicit arguments, no config needed)
    WorkingGrid, Layers        the equal-area grid and its depth layers
    load_cores(path, ...)      a core assay table, validated, one row per interval
    composite(intervals, ...)  length-weighted layer composites of the core intervals
    VariogramModel, Kriging    a variogram and a verde-style fit/predict kriging estimator
    estimate_grades(...)       grades of every element and layer on the grid
    build_block_model(...)     tonnes of mud and metal per block, masks applied
    tonnage_table(bm, ...)     tonnage and grade by element (and layer)
    project_supply(...)        the year-by-year supply projection and its Monte Carlo
    ELEMENTS, GROUPS           the rare-earth elements and their groups (LREE, HREE, REY, …)
    parse_quantity(value)      a pint quantity from "1 km", "2.5 t/m^3", …

Errors: every error a user can cause is a SeabedError (ConfigError, InputDataError,
OutputError, UnitsError, CRSMismatchError): one line with the fix.

Also importable but left out of ``help(seabed)`` (their pydantic/pint docs are long): ``Config``
(the validated config model), ``Quantity`` and ``ureg`` (the pint unit registry).

Everything but the errors and ``__version__`` is imported on first use (module ``__getattr__``),
so that ``import seabed`` and ``seabed --version`` do not load pint, pandas, xarray or the engines.

>>> sorted(set(seabed.__all__) - set(dir(seabed)))
[]
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("seabed")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0+unknown"
del version, PackageNotFoundError

from seabed.errors import (
    ConfigError,
    CRSMismatchError,
    InputDataError,
    OutputError,
    SeabedError,
    UnitsError,
)

#: Public name → the module that defines it, imported on first use.
_LAZY = {
    "Config": "seabed.config",
    "load_config": "seabed.config",
    "ELEMENTS": "seabed.elements",
    "GROUPS": "seabed.elements",
    "Quantity": "seabed.units",
    "parse_quantity": "seabed.units",
    "ureg": "seabed.units",
    "run": "seabed.pipeline",
    "run_supply": "seabed.pipeline",
    "prepare_site": "seabed.pipeline",
    "estimate_stage": "seabed.pipeline",
    "resource_stage": "seabed.pipeline",
    "supply_stage": "seabed.pipeline",
    "WorkingGrid": "seabed.working_grid",
    "Layers": "seabed.working_grid",
    "load_cores": "seabed.inputs.cores",
    "composite": "seabed.compositing",
    "Kriging": "seabed.geostats.kriging",
    "VariogramModel": "seabed.geostats.variogram",
    "estimate_grades": "seabed.geostats.estimation",
    "build_block_model": "seabed.resource.blockmodel",
    "tonnage_table": "seabed.resource.tonnage",
    "project_supply": "seabed.supply.model",
}

#: Importable, but kept out of ``__all__`` so that ``help(seabed)`` does not print their long
#: inherited pydantic/pint documentation.
_NOT_IN_HELP = ("Config", "Quantity", "ureg")

__all__ = [  # noqa: PLE0604
    *(name for name in _LAZY if name not in _NOT_IN_HELP),
    "CRSMismatchError",
    "ConfigError",
    "InputDataError",
    "OutputError",
    "SeabedError",
    "UnitsError",
    "__version__",
]


def __getattr__(name: str):
    """Import the heavier parts of the API on first use (and keep them as module attributes)."""
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'seabed' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The public API (lazily imported names included), without submodules and import helpers."""
    return sorted({*__all__, *_NOT_IN_HELP})
