"""seabed: rare-earth resources of deep-sea mud and when domestic supply could offset imports.

The library surface (see docs/quickstart.md):

>>> import seabed
>>> cfg = seabed.load_config("configs/minamitorishima.toml")  # doctest: +SKIP
>>> result = seabed.run(cfg, out="out/mt")                      # doctest: +SKIP
>>> result.resource.block_model["grade"]                        # doctest: +SKIP

Stage by stage: ``site = seabed.prepare_site(cfg)``, ``est = seabed.estimate_stage(cfg, site)``,
``res = seabed.resource_stage(cfg, site, est)``, ``sup = seabed.supply_stage(cfg, res)``. The building
blocks (``WorkingGrid``, ``composite``, ``Kriging``, ``estimate_grades``, ``build_block_model``,
``tonnage_table``, ``project_supply``) take explicit arguments and work without a config.

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

__all__ = [  # noqa: PLE0604
    *_LAZY,
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
    """The module's names with the lazily imported ones."""
    return sorted({*globals(), *_LAZY})
