"""The one place of the defaults that more than one module needs.

The config sections (:mod:`seabed.config`) and the engines' keyword defaults both read these, so
a default set here is the same whether a stage is run from a config file or from Python.
Nothing here imports anything: it sits at the bottom of the layers (docs/architecture.md).
"""

from __future__ import annotations

#: Search neighbourhood of grade estimation (kriging, IDW): most and fewest composites per
#: target, and the search radius along the major axis, m.
ESTIMATION_MAX_SAMPLES = 16
ESTIMATION_MIN_SAMPLES = 3
ESTIMATION_RADIUS_M = 60_000.0

#: Conditioning neighbourhood of the conditional simulation: more samples than estimation
#: (the conditioning kriging must reproduce the data's covariance), at least one.
SIMULATION_MAX_SAMPLES = 64
SIMULATION_MIN_SAMPLES = 1

#: Random streams: seeds of the draws that have their own stream besides the run's ``seed``.
SIMULATION_SEED = 20180410
CROSS_VALIDATION_SEED = 0

#: Radius of an EEZ drawn as a geodesic circle: 200 nautical miles (UNCLOS Art. 57), m.
EEZ_RADIUS_M = 370_400.0
