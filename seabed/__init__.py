"""seabed: rare-earth resources of deep-sea mud and when domestic supply could offset imports.

The library surface (see docs/quickstart.md):

>>> import seabed
>>> cfg = seabed.load_config("configs/minamitorishima.toml")  # doctest: +SKIP
>>> result = seabed.run(cfg, out="out/mt")                      # doctest: +SKIP
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("seabed")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0+unknown"

from seabed.config import Config, load_config
from seabed.elements import ELEMENTS, GROUPS
from seabed.errors import (
    ConfigError,
    CRSMismatchError,
    InputDataError,
    OutputError,
    SeabedError,
    UnitsError,
)
from seabed.units import Quantity, parse_quantity, ureg

__all__ = [
    "ELEMENTS",
    "GROUPS",
    "CRSMismatchError",
    "Config",
    "ConfigError",
    "InputDataError",
    "OutputError",
    "Quantity",
    "SeabedError",
    "UnitsError",
    "__version__",
    "load_config",
    "parse_quantity",
    "ureg",
]
