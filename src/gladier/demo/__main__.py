"""``python -m gladier.demo [options]``: the same as ``gladier demo [options]``.

This entry point is the one part of :mod:`gladier.demo` that imports the CLI (which itself uses
the demo's pipeline); no module imports it.
"""

from __future__ import annotations

import sys

from gladier.cli import main as cli_main

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Run ``gladier demo`` with ``argv`` (default: the command line's arguments).

    Example::

        main(["--output", "/tmp/my-demo", "--scans", "3"])     # 0 when the run succeeded
    """
    args = sys.argv[1:] if argv is None else argv
    return cli_main(["demo", *args])


if __name__ == "__main__":
    sys.exit(main())
