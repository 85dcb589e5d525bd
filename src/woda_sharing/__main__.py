"""``python -m woda_sharing``: the ``woda-sharing`` command line, where no script is installed."""

from __future__ import annotations

import sys

from woda_sharing.cli import main

if __name__ == "__main__":
    sys.exit(main())
