"""``python -m gladier.cli ...`` is the ``gladier`` command (used to start background workers).

Example::

    python -m gladier.cli runs list
"""

from __future__ import annotations

import sys

from gladier.cli import main

if __name__ == "__main__":
    sys.exit(main())
