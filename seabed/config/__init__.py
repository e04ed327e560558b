"""The run configuration: a TOML file validated by pydantic before any work starts.

One package, one module per section, each owning its defaults and enumerations:

============================  ==========================================================
:mod:`~seabed.config.base`    strict model, quantity and money types, the one serialiser
                              (:func:`config_dict`) and the one error formatter
:mod:`~seabed.config.inputs`  ``[inputs]``: grids and the core table
:mod:`~seabed.config.areas`   ``[[areas]]``: EEZ circles, boxes, polygon files
:mod:`~seabed.config.grid`    ``[grid]`` and ``[layers]``
:mod:`~seabed.config.estimation`  ``[estimation]``
:mod:`~seabed.config.resource`    ``[resource]``
:mod:`~seabed.config.supply`      ``[supply]`` (with ``supply_market`` and ``supply_uncertainty``)
:mod:`~seabed.config.compute`     ``[compute]``
:mod:`~seabed.config.model`       :class:`Config`, the whole file, and checks across sections
:mod:`~seabed.config.load`        reading the file (:func:`load_config`, :func:`parse_config`)
:mod:`~seabed.config.reference`   docs/config.md, generated from the models
============================  ==========================================================

Only :mod:`seabed.pipeline` sees the whole :class:`Config`, and only
:mod:`seabed.pipeline.adapters` turns a section into the arguments of a stage. Each section is a
:class:`~seabed.config.base.StrictModel`, so unknown keys are errors, and every dimensional
value is a string with units (``"1 km"``, ``"0.55 g/cm^3"``). TOML has no null: a value that can
be switched off takes an explicit word (``"none"``/``"off"`` for the masks, ``"off"`` for the core
plausibility bounds, ``"all"`` for ``max_samples``, ``enabled = false`` for cross-validation).
This package imports no engine (no xarray, Dask, SciPy or geostatistics).

Relative paths in a config are resolved against the directory of the config file.

Examples
--------
>>> cfg = load_config("configs/takaya2018_box.toml")  # doctest: +SKIP
>>> cfg.grid.cell_size.to("m").magnitude  # doctest: +SKIP
1000.0
"""

from __future__ import annotations

from seabed.config.areas import AreaSpec
from seabed.config.base import config_dict
from seabed.config.compute import ComputeSpec
from seabed.config.estimation import (
    CrossValidationSettings,
    EstimationSettings,
    ManualVariogramSettings,
    NeighbourhoodSettings,
    StructureSettings,
    VariogramFitSettings,
)
from seabed.config.grid import GridSpec, LayerSpec
from seabed.config.inputs import CoresInput, GridInput, Inputs
from seabed.config.load import load_config, parse_config
from seabed.config.model import Config
from seabed.config.resource import (
    ClassificationSettings,
    ClassRule,
    CutoffSettings,
    DensitySettings,
    MaskSettings,
    ResourceSettings,
    SimulationNeighbourhoodSettings,
    SimulationSettings,
)
from seabed.config.supply import (
    BeneficiationSettings,
    OffsetSettings,
    PhaseSettings,
    PlanSettings,
    ProcessingSettings,
    SequenceSettings,
    SupplySettings,
    parse_supply_settings,
)
from seabed.config.supply_market import DemandSettings, DisruptionSettings, EconomicsSettings
from seabed.config.supply_uncertainty import Distribution, UncertaintySettings

__all__ = [
    "AreaSpec",
    "BeneficiationSettings",
    "ClassRule",
    "ClassificationSettings",
    "ComputeSpec",
    "Config",
    "CoresInput",
    "CrossValidationSettings",
    "CutoffSettings",
    "DemandSettings",
    "DensitySettings",
    "DisruptionSettings",
    "Distribution",
    "EconomicsSettings",
    "EstimationSettings",
    "GridInput",
    "GridSpec",
    "Inputs",
    "LayerSpec",
    "ManualVariogramSettings",
    "MaskSettings",
    "NeighbourhoodSettings",
    "OffsetSettings",
    "PhaseSettings",
    "PlanSettings",
    "ProcessingSettings",
    "ResourceSettings",
    "SequenceSettings",
    "SimulationNeighbourhoodSettings",
    "SimulationSettings",
    "StructureSettings",
    "SupplySettings",
    "UncertaintySettings",
    "VariogramFitSettings",
    "config_dict",
    "load_config",
    "parse_config",
    "parse_supply_settings",
]
