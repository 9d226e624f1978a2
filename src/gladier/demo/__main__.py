"""``python -m gladier.demo``: run the demo (see :mod:`gladier.demo`)."""

from __future__ import annotations

import sys

from gladier.demo import main

sys.exit(main())
