"""``python -m safercity`` runs the ``safercity`` command."""

import sys

from safercity.cli import main

sys.exit(main())
