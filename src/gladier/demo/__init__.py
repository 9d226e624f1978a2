"""The Gladier demo: a realistic multi-tool flow on real files, on the embedded runtime.

Run it with ``gladier demo`` (or ``python -m gladier.demo``). It generates detector scans in a
new folder, archives them, encrypts the archive, transfers it to a second collection, decrypts
and verifies it by checksum, writes a metadata record and publishes it to the local search
index, with live progress, then says what happened and where the outputs are.

* :mod:`gladier.demo.steps`: the compute functions (the work itself);
* :mod:`gladier.demo.tools`: the client and its tools, from which the flow is generated;
* :mod:`gladier.demo.pipeline`: folders, registration, the run and its summary;
* :mod:`gladier.demo.__main__`: ``python -m gladier.demo``, the one module that imports the CLI.

Example::

    from gladier.demo.pipeline import DemoLayout, start_run, summarise
"""

from __future__ import annotations
