"""The one place that sees the whole configuration and wires the stages together.

config → inputs (areas, working grid, grids, cores) → composites → estimation → block model →
resource → supply → outputs. Every stage is a plain function with explicit arguments in its
own domain module; the package maps config sections onto those arguments
(:mod:`~seabed.pipeline.adapters`) and runs the stages in order:

- :mod:`~seabed.pipeline.inputs`: read and validate the inputs, refuse what cannot work
  (``load_inputs``, ``prepare_site``, ``check_inputs``, ``RunCost``);
- :mod:`~seabed.pipeline.stages`: ``estimate_stage``, ``resource_stage``, ``supply_stage``;
- :mod:`~seabed.pipeline.run`: ``run`` (``seabed run``/``estimate``) and ``run_supply``.

The stages return the typed results of :mod:`seabed.results`; the writers of
:mod:`seabed.outputs` write them and never import this package.
"""

from seabed.pipeline.inputs import (
    RunCost,
    check_inputs,
    estimate_run_cost,
    load_inputs,
    prepare_site,
    protected_paths,
    validate_crs,
)
from seabed.pipeline.run import run, run_supply
from seabed.pipeline.stages import estimate_stage, resource_stage, supply_stage

__all__ = [
    "RunCost",
    "check_inputs",
    "estimate_run_cost",
    "estimate_stage",
    "load_inputs",
    "prepare_site",
    "protected_paths",
    "resource_stage",
    "run",
    "run_supply",
    "supply_stage",
    "validate_crs",
]
