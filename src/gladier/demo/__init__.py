"""The Gladier demo: a realistic multi-tool flow on real files, on the embedded runtime.

Run it with ``gladier demo`` (or ``python -m gladier.demo``). It generates detector scans in a
new folder, archives them, encrypts the archive, transfers it to a second collection, decrypts
and verifies it by checksum, writes a metadata record and publishes it to the local search
index, with live progress, then says what happened and where the outputs are.

* :mod:`gladier.demo.steps`: the compute functions (the work itself);
* :mod:`gladier.demo.flow`: the flow definition;
* :mod:`gladier.demo.pipeline`: folders, registration, the run and its summary.

Example::

    from gladier.demo.pipeline import DemoLayout, start_run, summarise
"""

from __future__ import annotations

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """``python -m gladier.demo [options]``: the same as ``gladier demo [options]``.

    Example::

        main(["--output", "/tmp/my-demo", "--scans", "3"])     # 0 when the run succeeded
    """
    import sys

    from gladier.cli import main as cli_main

    args = sys.argv[1:] if argv is None else argv
    return cli_main(["demo", *args])
