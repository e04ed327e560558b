"""``python -m seabed`` runs the command line."""

import sys

from seabed.cli import main

sys.exit(main())
