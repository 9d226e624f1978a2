"""Importing tools named by dotted strings (``"pkg.module.Tool:Alias"``).

Gladier 0.8-0.11 imported it from here; the code lives in :mod:`gladier.flowgen.imports`,
which this module re-exports.

Example::

    from gladier.utils.dynamic_imports import parse_alias

    parse_alias("gladier_tools.posix.Tar:First")   # ('gladier_tools.posix.Tar', 'First')
"""

from __future__ import annotations

from gladier.flowgen.imports import import_string, parse_alias

__all__ = ["import_string", "parse_alias"]
